import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { safeReason } from '../common/safe-reason';
import type { DatabaseConfig } from '../config/app-config';
import type { JsonLogger } from '../logging/json-logger';

// The RDS-managed master secret is JSON with (at least) these two keys.
const rdsSecretSchema = z.object({ username: z.string().min(1).optional(), password: z.string().min(1) });

// A wrong password makes every new connection fail at once; this bounds how often that re-reads the secret.
const MIN_REFRESH_INTERVAL_MS = 5_000;

class SecretFormatError extends Error {
  constructor() {
    // Never the value: it is the password.
    super('the secret is not JSON with a "password" (and optionally "username") key');
    this.name = 'SecretFormatError';
  }
}

/** SQLSTATE 28P01 invalid_password, 28000 invalid_authorization_specification. */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '28P01' || code === '28000';
}

/**
 * The database password the pool connects with. Without DB_SECRET_ARN it is DB_PASSWORD, fixed. With it, it is read
 * from Secrets Manager at start and read again when PostgreSQL refuses a password, so the API survives RDS rotating
 * its managed master password (every 7 days by default), which ECS, reading secrets only when a task starts, would
 * not. DB_PASSWORD (the value ECS injected at start) stays the fallback while the secret cannot be read. Neither the
 * password nor the secret's value is ever logged.
 */
export class DatabaseCredentials {
  private current: string | undefined;
  private username: string;
  private refreshing: Promise<boolean> | undefined;
  private lastRefresh = 0;

  constructor(
    private readonly config: DatabaseConfig,
    private readonly secrets: SecretsManagerClient | undefined,
    private readonly logger: JsonLogger,
  ) {
    this.current = config.password;
    this.username = config.user;
  }

  /** The user to connect as: the secret's, when it names one. */
  get user(): string {
    return this.username;
  }

  /** Read by pg each time it opens a connection. */
  // pg treats an empty answer as no password, as it treats an unset DB_PASSWORD.
  readonly password = (): string => this.current ?? '';

  /** Every password this process knows, so error texts can be masked. */
  get known(): readonly (string | undefined)[] {
    return [this.config.password, this.current];
  }

  /** Reads the secret once at start; on failure the API starts with DB_PASSWORD and says so. */
  async load(): Promise<void> {
    if (!this.secrets || !this.config.secret) return;
    try {
      const { username } = await this.read();
      // Only at start: the pool's connections all use the user it was created with.
      if (username !== undefined) this.username = username;
      this.logger.info('database password read from Secrets Manager');
    } catch (error) {
      this.logger.warn('database secret could not be read, using DB_PASSWORD', { reason: safeReason(error, this.known) });
    }
  }

  /**
   * After PostgreSQL refused the password: reads the secret again (one read at a time, at most one per
   * MIN_REFRESH_INTERVAL_MS). True when it holds a different password, i.e. a retry may now succeed.
   */
  refreshAfterAuthFailure(): Promise<boolean> {
    if (!this.secrets || !this.config.secret) return Promise.resolve(false);
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.lastRefresh < MIN_REFRESH_INTERVAL_MS) return Promise.resolve(false);
    this.lastRefresh = Date.now();
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<boolean> {
    const before = this.current;
    try {
      await this.read();
    } catch (error) {
      this.logger.warn('database secret could not be read after an authentication failure', {
        reason: safeReason(error, this.known),
      });
      return false;
    }
    const changed = this.current !== before;
    this.logger.info(changed ? 'database password changed in Secrets Manager, reconnecting' : 'database password unchanged in Secrets Manager');
    return changed;
  }

  private async read(): Promise<{ username: string | undefined }> {
    const secret = this.config.secret;
    if (!this.secrets || !secret) return { username: undefined };
    const answer = await this.secrets.send(new GetSecretValueCommand({ SecretId: secret.id }));
    let value: unknown;
    try {
      value = JSON.parse(answer.SecretString ?? '');
    } catch {
      throw new SecretFormatError();
    }
    const parsed = rdsSecretSchema.safeParse(value);
    if (!parsed.success) throw new SecretFormatError();
    this.current = parsed.data.password;
    return { username: parsed.data.username };
  }
}
