import type { Redis } from 'ioredis';
import type { RedisGate } from '../cache/redis-gate';
import { safeReason } from '../common/safe-reason';
import type { AppConfig } from '../config/app-config';
import type { JsonLogger } from '../logging/json-logger';

// One counter per client and fixed window: every task of the service counts into the same key, so the limit holds
// for the service as a whole, not per task. The window's number is part of the key, so a counter that somehow kept
// no expiry would only be a stale key, never a limit carried into the next window.

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: RateDecision = { allowed: true };

/**
 * A per-client fixed-window limit kept in Redis, under the API's key prefix. It fails open: when Redis cannot
 * answer, requests are let through (reads keep working from PostgreSQL) and a warning is logged once per outage.
 */
export class RateLimiter {
  readonly max: number;
  private readonly windowMs: number;
  private readonly keyPrefix: string;
  private failingOpen = false;

  constructor(
    private readonly redis: Redis,
    private readonly gate: RedisGate,
    config: AppConfig,
    private readonly logger: JsonLogger,
  ) {
    this.max = config.http.rateLimitMax;
    this.windowMs = config.http.rateLimitWindowSeconds * 1000;
    this.keyPrefix = `${config.cache.keyPrefix}ratelimit:`;
  }

  get enabled(): boolean {
    return this.max > 0;
  }

  async hit(client: string): Promise<RateDecision> {
    if (!this.gate.usable()) return this.failOpen(`cache ${this.redis.status}`);
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    try {
      // A plain INCR (one small command on the hot path, cheaper for the client than a script); the first hit of a
      // window gives the counter its expiry.
      const key = `${this.keyPrefix}${client}:${window}`;
      const count = await this.redis.incr(key);
      if (count === 1) await this.redis.pexpire(key, this.windowMs * 2);
      this.recovered();
      if (count <= this.max) return ALLOWED;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000)) };
    } catch (error) {
      this.gate.failed();
      return this.failOpen(safeReason(error));
    }
  }

  private failOpen(reason: string): RateDecision {
    if (!this.failingOpen) {
      this.failingOpen = true;
      this.logger.warn('rate limit not enforced while the cache is unavailable', { reason });
    }
    return ALLOWED;
  }

  private recovered(): void {
    if (this.failingOpen) {
      this.failingOpen = false;
      this.logger.info('rate limit enforced again');
    }
  }
}
