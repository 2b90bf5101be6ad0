import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from './cache.tokens';

// After a failed command (typically a timeout: Redis connected but not answering), Redis is skipped for this long
// instead of every command waiting out the command timeout again.
const COOL_DOWN_MS = 2_000;

/**
 * Whether Redis is worth asking now, shared by everything that asks it on a request's path (the rate limit and the
 * cached list), so one unresponsive Redis costs a request one command timeout, not one per user of Redis.
 */
@Injectable()
export class RedisGate {
  private skipUntil = 0;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** Checked before each command: during an outage this skips building a command that would be rejected. */
  usable(): boolean {
    return this.redis.status === 'ready' && Date.now() >= this.skipUntil;
  }

  failed(): void {
    this.skipUntil = Date.now() + COOL_DOWN_MS;
  }
}
