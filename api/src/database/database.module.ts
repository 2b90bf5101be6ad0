import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { safeReason } from '../common/safe-reason';
import { JsonLogger } from '../logging/json-logger';
import { DatabaseClient } from './database.client';
import { DatabaseCredentials } from './database-credentials';
import { PG_POOL, SECRETS_MANAGER } from './database.tokens';
import { poolOptions } from './pool-options';

/** The Secrets Manager client, only when the password lives in a secret. Region and endpoint: the standard AWS ones. */
function createSecretsClient(config: AppConfig): SecretsManagerClient | null {
  const secret = config.database.secret;
  if (!secret) return null;
  // Bounded: a Secrets Manager that cannot be reached must not hold the start (DB_PASSWORD is the fallback).
  return new SecretsManagerClient({
    region: secret.region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
}

async function createCredentials(config: AppConfig, secrets: SecretsManagerClient | null, logger: JsonLogger): Promise<DatabaseCredentials> {
  const credentials = new DatabaseCredentials(config.database, secrets ?? undefined, logger);
  await credentials.load();
  return credentials;
}

function createPool(config: AppConfig, logger: JsonLogger, credentials: DatabaseCredentials): Pool {
  const pool = new Pool(poolOptions(config.database, credentials));
  // An idle client whose connection drops emits 'error' on the pool; unhandled, that would crash the process.
  // The pool discards the client and opens a new one on the next query, which is how the API recovers.
  pool.on('error', (error) => {
    logger.warn('database connection lost', { reason: safeReason(error, credentials.known) });
  });
  return pool;
}

@Global()
@Module({
  providers: [
    { provide: SECRETS_MANAGER, useFactory: createSecretsClient, inject: [APP_CONFIG] },
    { provide: DatabaseCredentials, useFactory: createCredentials, inject: [APP_CONFIG, SECRETS_MANAGER, JsonLogger] },
    { provide: PG_POOL, useFactory: createPool, inject: [APP_CONFIG, JsonLogger, DatabaseCredentials] },
    DatabaseClient,
  ],
  exports: [PG_POOL, DatabaseClient],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SECRETS_MANAGER) private readonly secrets: SecretsManagerClient | null,
  ) {}

  /** Runs after the HTTP server has drained (Nest closes the adapter before the shutdown hooks). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
    this.secrets?.destroy();
  }
}
