import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../cache/cache.tokens';
import { RedisGate } from '../cache/redis-gate';
import { safeReason } from '../common/safe-reason';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JsonLogger } from '../logging/json-logger';
import { SERVABLE_VERSION, STORE_IF_GENERATION } from './list-scripts';

type VersionedRedis = Redis & { itemsServableVersion(list: string, generation: string, version: string): Promise<string | null> };

/** This process's copy of the cached body, and the version Redis gave it. */
interface LocalCopy {
  readonly version: string;
  readonly body: Buffer;
}

/**
 * The Redis side of the cache-aside list. Three keys under the configured prefix:
 * - `items:list`: the complete response body of a cache hit, stored as bytes so a hit is sent without parsing or
 *   re-serialising anything;
 * - `items:list-version`: which list that is (the generation it was read at and a random token), same TTL;
 * - `items:generation`: a counter every write increments (in the same transaction as it deletes the list).
 * A hit asks Redis only for the version (one small script: the list is there, and current) and sends the copy of the
 * body this process keeps for that version; the body itself crosses the network once per version, not per request
 * (a 16 KB reply per request was most of a hit's work for Redis, for ioredis and for the garbage collector, whose
 * old-generation limit counts such buffers). Redis still decides every hit: its TTL, a write by any task or a key
 * deleted by hand end the copy's use at once, as they end the list's.
 * Every method degrades instead of throwing: Redis being down makes the API slower, never unavailable.
 */
@Injectable()
export class ItemsCache {
  private readonly listKey: string;
  private readonly generationKey: string;
  private readonly versionKey: string;
  private readonly ttlSeconds: string;
  // Set when a write could not invalidate (Redis unreachable). Until an invalidation succeeds, this process serves
  // no cache hit, and it retries as soon as Redis is back, so a list cached before the outage is not served
  // after a write this process acknowledged.
  private invalidationPending = false;
  private copy: LocalCopy | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly gate: RedisGate,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly logger: JsonLogger,
  ) {
    this.listKey = `${config.cache.keyPrefix}items:list`;
    this.generationKey = `${config.cache.keyPrefix}items:generation`;
    this.versionKey = `${config.cache.keyPrefix}items:list-version`;
    // EVALSHA, with the script sent again if Redis lost it (a restart, SCRIPT FLUSH).
    redis.defineCommand('itemsServableVersion', { numberOfKeys: 3, lua: SERVABLE_VERSION });
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
      const version = await (this.redis as VersionedRedis).itemsServableVersion(this.listKey, this.generationKey, this.versionKey);
      if (version === null) return undefined;
      if (this.copy?.version === version) return this.copy.body;
      // A new list: the body and its version, read together (MGET is atomic).
      const [storedVersion, body] = await this.redis.mgetBuffer(this.versionKey, this.listKey);
      if (!storedVersion || !body) return undefined;
      // Copied: the reply is a slice of a socket read that may be much larger.
      this.copy = { version: storedVersion.toString(), body: Buffer.from(body) };
      return this.copy.body;
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
      const token = randomBytes(8).toString('hex');
      const stored = await this.redis.eval(
        STORE_IF_GENERATION, 3, this.listKey, this.generationKey, this.versionKey, generation, this.ttlSeconds, body, token,
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
      const results = await this.redis.multi().incr(this.generationKey).del(this.listKey, this.versionKey).exec();
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
