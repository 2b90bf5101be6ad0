import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

// The real PostgreSQL and Redis the API tests run against. Overridable for machines where they live elsewhere.
export const PG_HOST = process.env['API_TEST_PG_HOST'] ?? '127.0.0.1';
export const PG_PORT = Number(process.env['API_TEST_PG_PORT'] ?? 5432);
export const PG_USER = process.env['API_TEST_PG_USER'] ?? 'root';
export const PG_DATABASE = process.env['API_TEST_PG_DATABASE'] ?? 'test';
export const REDIS_HOST = process.env['API_TEST_REDIS_HOST'] ?? '127.0.0.1';
export const REDIS_PORT = Number(process.env['API_TEST_REDIS_PORT'] ?? 6379);

/** The API key every test API is started with; the request helpers send it unless told otherwise. */
export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

export function databaseUrl(port = PG_PORT, host = PG_HOST): string {
  return `postgres://${PG_USER}@${host}:${port}/${PG_DATABASE}`;
}

export function redisUrl(port = REDIS_PORT, host = REDIS_HOST): string {
  return `redis://${host}:${port}`;
}

/**
 * A fresh schema and Redis key prefix for one test file, so files running in parallel (and earlier runs) never
 * see each other's rows or keys. `cleanup` drops both; call it in `after`.
 */
export interface Isolation {
  readonly schema: string;
  readonly keyPrefix: string;
  /** Environment for the API: real services, this schema and prefix, ephemeral port. */
  readonly env: Readonly<Record<string, string>>;
  readonly pg: pg.Pool;
  readonly redis: Redis;
  cleanup(): Promise<void>;
}

export function isolate(): Isolation {
  const id = randomBytes(6).toString('hex');
  const schema = `tt_api_${id}`;
  const keyPrefix = `tt-api-test:${id}:`;
  const pool = new pg.Pool({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: PG_DATABASE, max: 2 });
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true });
  return {
    schema,
    keyPrefix,
    env: {
      PORT: '0',
      DATABASE_URL: databaseUrl(),
      DB_SSL: 'disable',
      DB_SCHEMA: schema,
      REDIS_URL: redisUrl(),
      CACHE_KEY_PREFIX: keyPrefix,
      LOG_LEVEL: 'info',
      // The tests send far more requests than a client would; rate-limit.test.ts sets a small limit itself.
      RATE_LIMIT_MAX: '1000000',
      // As a stack runs it: writes need the key (test/api/support/http.ts sends it).
      API_KEY: TEST_API_KEY,
    },
    pg: pool,
    redis,
    async cleanup() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      if (redis.status === 'wait') await redis.connect();
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    },
  };
}

/** Delete every key under a prefix (SCAN, so a large keyspace is never blocked). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Redis keys the API uses under a prefix (written out, not imported: the test pins api/src/items/list-copy.ts). */
export function cacheKeys(prefix: string): { list: string; generation: string; version: string } {
  return { list: `${prefix}items:list`, generation: `${prefix}items:generation`, version: `${prefix}items:list-version` };
}
