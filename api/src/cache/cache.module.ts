import { once } from 'node:events';
import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/app-config';
import { withTimeout } from '../common/with-timeout';
import { JsonLogger } from '../logging/json-logger';
import { REDIS_CLIENT } from './cache.tokens';
import { createRedisClient } from './redis-client.factory';
import { RedisGate } from './redis-gate';

const QUIT_TIMEOUT_MS = 1_000;
const BOOT_WAIT_MS = 2_000;

@Global()
@Module({
  providers: [{ provide: REDIS_CLIENT, useFactory: createRedisClient, inject: [APP_CONFIG, JsonLogger] }, RedisGate],
  exports: [REDIS_CLIENT, RedisGate],
})
export class CacheModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /**
   * Gives Redis a moment to connect before the API listens, so the first requests use the cache rather than all
   * going to PostgreSQL. Bounded, and cut short by a connection error: a Redis that is down must not stop the start.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await withTimeout(once(this.redis, 'ready'), BOOT_WAIT_MS).catch(() => undefined);
  }

  /** QUIT lets pending replies arrive; a Redis that is down or hangs gets a plain disconnect instead. */
  async onApplicationShutdown(): Promise<void> {
    try {
      if (this.redis.status === 'ready') await withTimeout(this.redis.quit(), QUIT_TIMEOUT_MS);
    } catch {
      // Falls through to disconnect.
    }
    this.redis.disconnect();
  }
}
