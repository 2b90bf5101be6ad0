// The Lua scripts of the cached list (items.cache.ts), in a module of their own with no imports so that the API
// benchmark's bare server (bench/api-bare-server.ts) runs the very same ones.
//
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
