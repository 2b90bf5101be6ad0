// The cached list's keys, scripts and the hit's read (items.cache.ts), in a module with no runtime imports so that the
// API benchmark's bare server (bench/api-bare-server.ts) runs the very same protocol without the framework.
import type { Redis } from 'ioredis';

/** The list's keys under a prefix (CACHE_KEY_PREFIX). */
export function listKeys(prefix: string): { list: string; generation: string; version: string } {
  return { list: `${prefix}items:list`, generation: `${prefix}items:generation`, version: `${prefix}items:list-version` };
}

// Stores the list only if no write has invalidated the cache since the reader looked up the generation. Without
// this, a read that queried PostgreSQL before a write committed could store its stale result after the write's
// invalidation, and serve it for a whole TTL. The list's version (the generation it was read at and a random token)
// is stored with it, for the same TTL.
export const STORE_IF_GENERATION = `
local current = redis.call('GET', KEYS[2]) or '0'
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[2])
  redis.call('SET', KEYS[3], current .. ':' .. ARGV[4], 'EX', ARGV[2])
  return 1
end
return 0`;

// The version of the cached list, if there is one that may be served: the list is there (not expired, not deleted),
// and its version was stored at the current generation (a list stored without one, or before a write, is a miss).
export const SERVABLE_VERSION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local version = redis.call('GET', KEYS[3])
if not version then return false end
local current = redis.call('GET', KEYS[2]) or '0'
if string.sub(version, 1, #current + 1) ~= current .. ':' then return false end
return version`;

type VersionedRedis = Redis & { itemsServableVersion(list: string, generation: string, version: string): Promise<string | null> };

/**
 * A hit's read: asks Redis only for the list's version (SERVABLE_VERSION) and answers the copy of the body this process
 * keeps for that version; the body crosses from Redis once per version (MGET of body and version: atomic). Redis still
 * decides every hit: its TTL, a write by any task or a key deleted by hand end the copy's use at once. Throws what
 * Redis throws; undefined on a miss.
 */
export class ListCopy {
  private copy: { readonly version: string; readonly body: Buffer } | undefined;
  private readonly keys: ReturnType<typeof listKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = listKeys(prefix);
    // EVALSHA, with the script sent again if Redis lost it (a restart, SCRIPT FLUSH).
    redis.defineCommand('itemsServableVersion', { numberOfKeys: 3, lua: SERVABLE_VERSION });
  }

  async read(): Promise<Buffer | undefined> {
    const { list, generation, version: versionKey } = this.keys;
    const version = await (this.redis as VersionedRedis).itemsServableVersion(list, generation, versionKey);
    if (version === null) return undefined;
    if (this.copy?.version === version) return this.copy.body;
    const [stored, body] = await this.redis.mgetBuffer(versionKey, list);
    if (!stored || !body) return undefined;
    // Copied: the reply is a slice of a socket read that may be much larger.
    this.copy = { version: stored.toString(), body: Buffer.from(body) };
    return this.copy.body;
  }
}
