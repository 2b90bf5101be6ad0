// Concurrency of the cache-aside list, observed in-process: a counting wrapper around the API's real pg Pool
// (same database, same queries) counts the list SELECTs, and can hold a result back to stage a race.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type pg from 'pg';
import { isolate, redisUrl } from './support/backing-services.js';
import { deadPort } from './support/net-fixtures.js';
import { client } from './support/http.js';
import { apiExports, type NestAppView, startInProcessApi } from './support/in-process-api.js';

interface ListJson {
  source: string;
  items: { name: string }[];
}

/**
 * Wraps the API's real pg Pool: counts the list SELECTs and, when `hold` is set, runs them at once against
 * PostgreSQL but hands the result back only when `hold` settles.
 */
class ListQueryTap {
  selects = 0;
  hold: Promise<void> | undefined;

  constructor(app: NestAppView) {
    const pool = app.get<pg.Pool>(apiExports.PG_POOL);
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
      if (typeof args[0] !== 'string' || !/^SELECT .* FROM .*items ORDER BY id/s.test(args[0])) return query(...args);
      this.selects += 1;
      const hold = this.hold;
      const result = await query(...args);
      if (hold) await hold;
      return result;
    };
  }

  reset(): void {
    this.selects = 0;
    this.hold = undefined;
  }

  /** Holds the next list result until the returned function is called; resolves once its SELECT was sent. */
  async holdNext(read: () => Promise<unknown>): Promise<{ pending: Promise<unknown>; release: () => void }> {
    let release!: () => void;
    this.hold = new Promise((resolve) => {
      release = resolve;
    });
    const before = this.selects;
    const pending = read();
    await waitFor(() => this.selects > before, 'the held SELECT to be sent');
    this.hold = undefined;
    return { pending, release };
  }
}

/** Polls a condition every 5 ms; fails (instead of hanging) when it has not held within 10 s. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Counts requests that reached the point of joining a list load: with Redis up, each reads the cache generation
 * right before it joins (items.service.ts), so the count is taken from the API's real Redis client; with Redis
 * down no command is sent, and a request joins in the same turn of the event loop as it arrives, so arrivals count.
 */
function countArrivals(app: NestAppView): () => number {
  let arrived = 0;
  app.getHttpServer().on('request', () => {
    arrived += 1;
  });
  return () => arrived;
}

function countGenerationReads(app: NestAppView, keyPrefix: string): () => number {
  const redis = app.get<{ get: (key: string) => Promise<string | null> }>(apiExports.REDIS_CLIENT);
  const get = redis.get.bind(redis);
  let reads = 0;
  redis.get = async (key: string) => {
    const value = await get(key);
    if (key === `${keyPrefix}items:generation`) reads += 1;
    return value;
  };
  return () => reads;
}

/** Resolves once `count` went up by `n` and one more turn of the event loop passed (the joins happen in it). */
async function joined(count: () => number, from: number, n: number): Promise<void> {
  await waitFor(() => count() - from >= n, `${n} requests to miss the cache`);
  await new Promise((resolve) => setImmediate(resolve));
}

const isolation = isolate();
let app: NestAppView;
let noCacheApp: NestAppView;
let http: ReturnType<typeof client>;
let noCacheHttp: ReturnType<typeof client>;
let tap: ListQueryTap;
let noCacheTap: ListQueryTap;
let generationReads: () => number;
let noCacheArrivals: () => number;

before(async () => {
  const started = await startInProcessApi(isolation.env);
  app = started.app;
  http = client(started.url);
  tap = new ListQueryTap(app);
  generationReads = countGenerationReads(app, isolation.keyPrefix);
  // The same database with Redis unreachable: the single-flight must stay correct without the generation.
  const noCache = await startInProcessApi({ ...isolation.env, REDIS_URL: redisUrl(await deadPort()) });
  noCacheApp = noCache.app;
  noCacheHttp = client(noCache.url);
  noCacheTap = new ListQueryTap(noCacheApp);
  noCacheArrivals = countArrivals(noCacheApp);
});

after(async () => {
  await app?.close();
  await noCacheApp?.close();
  await isolation.cleanup();
});

beforeEach(() => {
  tap.reset();
  noCacheTap.reset();
});

async function list(via = http): Promise<ListJson> {
  const res = await via.get('/items');
  assert.equal(res.status, 200, res.text);
  return res.json<ListJson>();
}

describe('stampede protection', () => {
  it('50 concurrent GETs after an invalidation run exactly one SELECT', async () => {
    assert.equal((await http.post('/items', { name: 'seed' })).status, 201);
    tap.reset();
    // Keeps the one query in flight until all 50 requests have found the miss and joined it.
    const from = generationReads();
    tap.hold = joined(generationReads, from, 50);
    const answers = await Promise.all(Array.from({ length: 50 }, () => list()));
    assert.equal(tap.selects, 1);
    for (const answer of answers) assert.deepEqual(answer.items.map((i) => i.name), ['seed']);
    assert.ok(answers.some((a) => a.source === 'database'));
    assert.equal((await list()).source, 'cache');
    assert.equal(tap.selects, 1);
  });

  it('collapses concurrent misses with Redis down as well', async () => {
    noCacheTap.hold = joined(noCacheArrivals, noCacheArrivals(), 20);
    const answers = await Promise.all(Array.from({ length: 20 }, () => list(noCacheHttp)));
    assert.equal(noCacheTap.selects, 1);
    assert.ok(answers.every((a) => a.source === 'database'));
  });

  it('sequential misses each query (single-flight shares only concurrent work)', async () => {
    await http.post('/items', { name: 'second' });
    await list();
    await http.post('/items', { name: 'third' });
    await list();
    assert.equal(tap.selects, 2);
  });
});

describe('a write racing an in-flight miss', () => {
  it('does not let the stale result be cached, nor be shared with reads that start after the write', async () => {
    await http.post('/items', { name: 'before' });
    // 1. A miss queries PostgreSQL (not seeing "during"); its answer is held back.
    const staleRead = await tap.holdNext(() => list());
    // 2. A write commits and invalidates while that read is in flight.
    assert.equal((await http.post('/items', { name: 'during' })).status, 201);
    // 3. A read that starts after the write answered must see it, without waiting for the stale read.
    const fresh = await list();
    assert.equal(fresh.source, 'database');
    assert.ok(fresh.items.some((i) => i.name === 'during'));
    // 4. The stale read completes; its result must not replace the fresh list in the cache.
    staleRead.release();
    const stale = (await staleRead.pending) as ListJson;
    assert.ok(!stale.items.some((i) => i.name === 'during'), 'the staged read really was stale');
    const next = await list();
    assert.equal(next.source, 'cache');
    assert.ok(next.items.some((i) => i.name === 'during'), 'the cache holds the list with the write');
  });

  it('a stale result that finishes last is not stored at all', async () => {
    await http.post('/items', { name: 'base' });
    const staleRead = await tap.holdNext(() => list());
    assert.equal((await http.post('/items', { name: 'newer' })).status, 201);
    staleRead.release();
    assert.ok(!((await staleRead.pending) as ListJson).items.some((i) => i.name === 'newer'));
    const next = await list();
    assert.equal(next.source, 'database', 'nothing stale was cached');
    assert.ok(next.items.some((i) => i.name === 'newer'));
  });

  it('with Redis down, a read after a write does not join a read that started before it', async () => {
    const staleRead = await noCacheTap.holdNext(() => list(noCacheHttp));
    assert.equal((await noCacheHttp.post('/items', { name: 'while uncached' })).status, 201);
    const fresh = await list(noCacheHttp);
    assert.ok(fresh.items.some((i) => i.name === 'while uncached'));
    staleRead.release();
    await staleRead.pending;
    assert.equal(noCacheTap.selects, 2);
  });
});
