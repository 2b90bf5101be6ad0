import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../cache/cache.tokens';
import { RedisGate } from '../cache/redis-gate';
import { safeReason } from '../common/safe-reason';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JsonLogger } from '../logging/json-logger';

// Stores the list only if no write has invalidated the cache since the reader looked up the generation. Without
// this, a read that queried PostgreSQL before a write committed could store its stale result after the write's
// invalidation, and serve it for a whole TTL.
const STORE_IF_GENERATION = `
local current = redis.call('GET', KEYS[2]) or '0'
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[2])
  return 1
end
return 0`;

/**
 * The Redis side of the cache-aside list. Two keys under the configured prefix:
 * - `items:list`: the complete response body of a cache hit, stored as bytes so a hit is sent without parsing or
 *   re-serialising anything;
 * - `items:generation`: a counter every write increments (in the same transaction as it deletes the list).
 * Every method degrades instead of throwing: Redis being down makes the API slower, never unavailable.
 */
@Injectable()
export class ItemsCache {
  private readonly listKey: string;
  private readonly generationKey: string;
  private readonly ttlSeconds: string;
  // Set when a write could not invalidate (Redis unreachable). Until an invalidation succeeds, this process serves
  // no cache hit, and it retries as soon as Redis is back, so a list cached before the outage is not served
  // after a write this process acknowledged.
  private invalidationPending = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly gate: RedisGate,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly logger: JsonLogger,
  ) {
    this.listKey = `${config.cache.keyPrefix}items:list`;
    this.generationKey = `${config.cache.keyPrefix}items:generation`;
    this.ttlSeconds = String(config.cache.ttlSeconds);
    redis.on('ready', () => {
      if (this.invalidationPending) void this.invalidate();
    });
  }

  /** The cached response body; undefined on a miss or when Redis cannot answer. */
  async getList(): Promise<Buffer | undefined> {
    if (!this.usable()) return undefined;
    if (this.invalidationPending && !(await this.invalidate())) return undefined;
    try {
      return (await this.redis.getBuffer(this.listKey)) ?? undefined;
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
  }

  /** The current generation, read before querying the database; undefined when Redis cannot answer. */
  async generation(): Promise<string | undefined> {
    if (!this.usable()) return undefined;
    try {
      return (await this.redis.get(this.generationKey)) ?? '0';
    } catch (error) {
      this.failed('generation', error);
      return undefined;
    }
  }

  /** Stores the body unless the generation moved on. True when stored. */
  async storeList(body: string, generation: string): Promise<boolean> {
    if (!this.usable()) return false;
    try {
      const stored = await this.redis.eval(
        STORE_IF_GENERATION, 2, this.listKey, this.generationKey, generation, this.ttlSeconds, body,
      );
      return stored === 1;
    } catch (error) {
      this.failed('store', error);
      return false;
    }
  }

  /**
   * Drops the list and moves the generation on, atomically. True when done. When Redis cannot be reached the
   * write still succeeds and the invalidation is retried (see invalidationPending); other tasks, which cannot know,
   * may serve the older list until that retry lands or the TTL ends it.
   */
  async invalidate(): Promise<boolean> {
    try {
      const results = await this.redis.multi().incr(this.generationKey).del(this.listKey).exec();
      const failure = results?.find(([error]) => error !== null)?.[0];
      if (failure) throw failure;
      this.invalidationPending = false;
      return true;
    } catch (error) {
      if (!this.invalidationPending) {
        this.logger.warn('cache invalidation failed, will retry when the cache is back', { reason: safeReason(error) });
      }
      this.invalidationPending = true;
      return false;
    }
  }

  private usable(): boolean {
    return this.gate.usable();
  }

  private failed(operation: string, error: unknown): void {
    this.gate.failed();
    this.logger.debug('cache operation failed', { operation, reason: safeReason(error) });
  }
}
