import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../cache/cache.tokens';
import { safeReason } from '../common/safe-reason';
import { withTimeout } from '../common/with-timeout';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HEALTH_CHECK_TIMEOUT_MS, type CacheHealth } from './health.types';

/** Up when Redis answers PING within the budget; the round trip is reported in milliseconds. */
@Injectable()
export class CacheHealthIndicator {
  private readonly secrets: readonly (string | undefined)[];

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = [config.redis.password];
  }

  async check(): Promise<CacheHealth> {
    // Not connected (or still connecting to a server that never answers): say so without waiting.
    if (this.redis.status !== 'ready') return { connected: false, error: `not connected (${this.redis.status})` };
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping(), HEALTH_CHECK_TIMEOUT_MS);
      return { connected: true, latency: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return { connected: false, error: safeReason(error, this.secrets) };
    }
  }
}
