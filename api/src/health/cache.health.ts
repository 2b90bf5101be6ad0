import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../cache/cache.tokens';
import { safeReason } from '../common/safe-reason';
import { withTimeout } from '../common/with-timeout';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JsonLogger } from '../logging/json-logger';
import { HealthFailureLog } from './health-failure.log';
import { HEALTH_CHECK_TIMEOUT_MS, type CacheHealth } from './health.types';

/** Up when Redis answers PING within the budget; the round trip is reported in milliseconds. */
@Injectable()
export class CacheHealthIndicator {
  private readonly secrets: readonly (string | undefined)[];
  private readonly failures: HealthFailureLog;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    logger: JsonLogger,
  ) {
    this.secrets = [config.redis.password];
    this.failures = new HealthFailureLog(logger, 'cache');
  }

  async check(): Promise<CacheHealth> {
    // Not connected (or still connecting to a server that never answers): say so without waiting.
    if (this.redis.status !== 'ready') return this.down(`not connected (${this.redis.status})`);
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping(), HEALTH_CHECK_TIMEOUT_MS);
      this.failures.passed();
      return { connected: true, latency: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return this.down(safeReason(error, this.secrets));
    }
  }

  private down(reason: string): CacheHealth {
    this.failures.failed(reason);
    return { connected: false };
  }
}
