import { randomBytes } from 'node:crypto';
import { usageError } from '../../errors.js';

/**
 * What the data plane connects a task's RDS and ElastiCache endpoints to: a PostgreSQL and a Redis the user names.
 * Both are needed; without them the sandbox keeps simulating tasks (no process runs).
 */
export interface DataPlaneTarget {
  host: string;
  port: number;
}

export interface DataPlanePostgres extends DataPlaneTarget {
  database: string;
  user: string;
  password?: string;
}

export interface DataPlaneRedis extends DataPlaneTarget {
  password?: string;
}

export interface DataPlaneConfig {
  postgres: DataPlanePostgres;
  redis: DataPlaneRedis;
  /** Prepended to the API's cache keys (CACHE_KEY_PREFIX), so several sandboxes can share one Redis. */
  cacheKeyPrefix?: string;
}

/** The loopback names a data plane may connect to: it never reaches off this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parse(raw: string, flag: string, protocols: string[], shape: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError('BAD_DATA_PLANE', `${flag} is not a URL; use one like ${shape}.`);
  }
  if (!protocols.includes(url.protocol)) throw usageError('BAD_DATA_PLANE', `${flag} must start with ${protocols.map((p) => `${p}//`).join(' or ')}; use one like ${shape}.`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackHost(host)) {
    throw usageError('BAD_DATA_PLANE', `${flag} names the host "${host}": the sandbox's data plane stays on this machine (127.0.0.1, localhost or ::1).`, [`e.g. ${shape}`]);
  }
  return url;
}

function port(url: URL, flag: string, fallback: number): number {
  if (url.port === '') return fallback;
  const n = Number(url.port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw usageError('BAD_DATA_PLANE', `${flag} has the port "${url.port}": a port is 1 to 65535.`);
  return n;
}

/** A PostgreSQL URL: postgres://user[:password]@127.0.0.1[:port]/database. Never echoes the password. */
export function parsePostgresUrl(raw: string, flag = '--data-plane-postgres'): DataPlanePostgres {
  const shape = 'postgres://postgres@127.0.0.1:5432/threetier';
  const url = parse(raw, flag, ['postgres:', 'postgresql:'], shape);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username);
  if (database === '' || user === '') throw usageError('BAD_DATA_PLANE', `${flag} must name a user and a database, like ${shape}.`);
  const out: DataPlanePostgres = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: port(url, flag, 5432), database, user };
  if (url.password !== '') out.password = decodeURIComponent(url.password);
  return out;
}

/** A Redis URL: redis://[:password@]127.0.0.1[:port] (database 0: the API always uses it). */
export function parseRedisUrl(raw: string, flag = '--data-plane-redis'): DataPlaneRedis {
  const shape = 'redis://127.0.0.1:6379';
  const url = parse(raw, flag, ['redis:'], shape);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') throw usageError('BAD_DATA_PLANE', `${flag} selects the Redis database "${db}": the API uses database 0 only; use a key prefix to share a Redis.`);
  const out: DataPlaneRedis = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: port(url, flag, 6379) };
  if (url.password !== '') out.password = decodeURIComponent(url.password);
  return out;
}

/** Environment variables that turn the data plane on for any sandbox three-tier starts (`sandbox`, `--sandbox`). */
export const DATA_PLANE_ENV = { postgres: 'THREE_TIER_DATA_PLANE_POSTGRES', redis: 'THREE_TIER_DATA_PLANE_REDIS' } as const;

/**
 * The data plane from flags or, failing them, the environment. Both URLs or neither: one alone is a usage error,
 * since a task needs both to turn healthy.
 */
export function dataPlaneConfig(flags: { postgres?: string | undefined; redis?: string | undefined }, env: NodeJS.ProcessEnv = process.env): DataPlaneConfig | undefined {
  const pg = flags.postgres ?? (env[DATA_PLANE_ENV.postgres] || undefined);
  const redis = flags.redis ?? (env[DATA_PLANE_ENV.redis] || undefined);
  const pgFlag = flags.postgres !== undefined ? '--data-plane-postgres' : DATA_PLANE_ENV.postgres;
  const redisFlag = flags.redis !== undefined ? '--data-plane-redis' : DATA_PLANE_ENV.redis;
  if (pg === undefined && redis === undefined) return undefined;
  if (pg === undefined || redis === undefined) {
    throw usageError('BAD_DATA_PLANE', `the sandbox's data plane needs both a PostgreSQL and a Redis: ${pg === undefined ? `${redisFlag} was given without --data-plane-postgres (or ${DATA_PLANE_ENV.postgres})` : `${pgFlag} was given without --data-plane-redis (or ${DATA_PLANE_ENV.redis})`}.`, [
      '--data-plane-postgres postgres://postgres@127.0.0.1:5432/threetier --data-plane-redis redis://127.0.0.1:6379',
    ]);
  }
  // Each data plane keys its cache apart, so sandboxes (and test runs) sharing one Redis never read each other's.
  return { postgres: parsePostgresUrl(pg, pgFlag), redis: parseRedisUrl(redis, redisFlag), cacheKeyPrefix: `sandbox-${randomBytes(4).toString('hex')}:` };
}
