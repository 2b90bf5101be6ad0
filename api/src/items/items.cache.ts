import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../cache/cache.tokens';
import { RedisGate } from '../cache/redis-gate';
import { safeReason } from '../common/safe-reason';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JsonLogger } from '../logging/json-logger';
import { ListCopy, listKeys, STORE_IF_GENERATION } from './list-copy';

/**
 * The Redis side of the cache-aside list. Three keys under the configured prefix:
 * - `items:list`: the complete response body of a cache hit, stored as bytes so a hit is sent without parsing or
 *   re-serialising anything;
 * - `items:list-version`: which list that is (the generation it was read at and a random token), same TTL;
 * - `items:generation`: a counter every write increments (in the same transaction as it deletes the list).
 * A hit is ListCopy's read (list-copy.ts): the version from Redis, the body from this process's copy of it (a 16 KB
 * reply per request was most of a hit's work for Redis, for ioredis and for the garbage collector, whose
 * old-generation limit counts such buffers).
 * Every method degrades instead of throwing: Redis being down makes the API slower, never unavailable.
 */
@Injectable()
export class ItemsCache {
  private readonly keys: ReturnType<typeof listKeys>;
  private readonly ttlSeconds: string;
  // Set when a write could not invalidate (Redis unreachable). Until an invalidation succeeds, this process serves
  // no cache hit, and it retries as soon as Redis is back, so a list cached before the outage is not served
  // after a write this process acknowledged.
  private invalidationPending = false;
  private readonly copy: ListCopy;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly gate: RedisGate,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly logger: JsonLogger,
  ) {
    this.keys = listKeys(config.cache.keyPrefix);
    this.copy = new ListCopy(redis, config.cache.keyPrefix);
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
      return await this.copy.read();
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
  }

  /** The current generation, read before querying the database; undefined when Redis cannot answer. */
  async generation(): Promise<string | undefined> {
    if (!this.usable()) return undefined;
    try {
      return (await this.redis.get(this.keys.generation)) ?? '0';
    } catch (error) {
      this.failed('generation', error);
      return undefined;
    }
  }

  /** Stores the body unless the generation moved on. True when stored. */
  async storeList(body: string, generation: string): Promise<boolean> {
    if (!this.usable()) return false;
    try {
      const token = randomBytes(8).toString('hex');
      const stored = await this.redis.eval(
        STORE_IF_GENERATION, 3, this.keys.list, this.keys.generation, this.keys.version, generation, this.ttlSeconds, body, token,
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
      const results = await this.redis.multi().incr(this.keys.generation).del(this.keys.list, this.keys.version).exec();
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
