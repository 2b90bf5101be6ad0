/**
 * What the data-plane tests share: a fresh PostgreSQL database per test file (created with a random name, dropped
 * after), a sandbox whose data plane runs the API against it and the local Redis (its cache keys removed after),
 * and a closed port to point a data plane at when a test needs PostgreSQL or Redis unreachable for it (the shared
 * servers are never stopped). Nothing is mocked: real processes, real PostgreSQL and Redis, the real SDK.
 */
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteKeys, PG_DATABASE, PG_HOST, PG_PORT, PG_USER, REDIS_HOST, REDIS_PORT } from '../api/support/backing-services.js';
import { sandbox } from '../sandbox/helpers.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { DataPlaneConfig } from '../../src/sandbox/dataplane/config.js';
import { freePort } from '../../src/sandbox/dataplane/processes.js';

export interface FreshDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: PG_DATABASE });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `tt_dp_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A port on 127.0.0.1 nothing listens on (bound, then released). */
export const closedPort = freePort;

export function dataPlane(over: { postgresPort?: number; redisPort?: number; database: string }): DataPlaneConfig {
  return {
    postgres: { host: PG_HOST, port: over.postgresPort ?? PG_PORT, database: over.database, user: PG_USER },
    redis: { host: REDIS_HOST, port: over.redisPort ?? REDIS_PORT },
    cacheKeyPrefix: `tt-dp-test:${randomBytes(4).toString('hex')}:`,
  };
}

export async function dataPlaneSandbox(config: DataPlaneConfig, timeScale: number): Promise<Sandbox> {
  return sandbox({ world: { timeScale }, dataPlane: config });
}

/** Remove the keys the data plane's tasks wrote under its prefix. */
export async function dropCacheKeys(prefix: string): Promise<void> {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Whether a process id is alive (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One data-plane sandbox for a test file, at the e2e pace, over a fresh database: started before its tests; after
 * them the sandbox (and its processes) stops, the database is dropped and the cache keys removed. Call inside
 * `describe`; `sb` and `db` are there from the tests on.
 */
export function dataPlaneSuite(timeScale: number): { readonly sb: Sandbox; readonly db: FreshDatabase } {
  let sb: Sandbox | undefined;
  let db: FreshDatabase | undefined;
  let prefix = '';
  before(async () => {
    db = await freshDatabase();
    const config = dataPlane({ database: db.name });
    prefix = config.cacheKeyPrefix ?? '';
    sb = await dataPlaneSandbox(config, timeScale);
  });
  after(async () => {
    await sb?.close();
    await db?.drop();
    await dropCacheKeys(prefix);
  });
  return {
    get sb(): Sandbox {
      if (!sb) throw new Error('the sandbox starts before the tests');
      return sb;
    },
    get db(): FreshDatabase {
      if (!db) throw new Error('the database is made before the tests');
      return db;
    },
  };
}
