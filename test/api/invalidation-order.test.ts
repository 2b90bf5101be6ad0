// A write invalidates the cached list after it commits, not before: otherwise a read arriving between the
// invalidation and the commit would cache the list without the write, and serve it for a whole TTL. Observed
// in-process: the API's real pg Pool is wrapped so the INSERT is held back (not yet sent, so not committed) while a
// read runs.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { cacheKeys, isolate } from './support/backing-services.js';
import { client } from './support/http.js';
import { apiExports, type NestAppView, startInProcessApi } from './support/in-process-api.js';

interface ListJson {
  source: string;
  items: { name: string }[];
}

const isolation = isolate();
let app: NestAppView;
let http: ReturnType<typeof client>;
let insertHeld: (() => void) | undefined;
let insertArrived = false;

before(async () => {
  const started = await startInProcessApi(isolation.env);
  app = started.app;
  http = client(started.url);
  const pool = app.get<pg.Pool>(apiExports.PG_POOL);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('INSERT') && insertHeld === undefined) {
      insertArrived = true;
      await new Promise<void>((resolve) => {
        insertHeld = resolve;
      });
    }
    return query(...args);
  };
});

after(async () => {
  await app?.close();
  await isolation.cleanup();
});

async function list(): Promise<ListJson> {
  const res = await http.get('/items');
  assert.equal(res.status, 200, res.text);
  return res.json<ListJson>();
}

it('a read between the write and its commit cannot leave the list without the write in the cache', async () => {
  await list();
  assert.equal((await list()).source, 'cache');
  const write = http.post('/items', { name: 'committed later' });
  const deadline = Date.now() + 10_000;
  while (!insertArrived) {
    if (Date.now() > deadline) throw new Error('the INSERT never reached the pool');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The INSERT is held: the write has not committed. A read now that misses the cache queries the old list and
  // caches it (the list expiring at this moment has the same effect).
  await isolation.redis.del(cacheKeys(isolation.keyPrefix).list);
  const during = await list();
  assert.equal(during.source, 'database');
  assert.ok(!during.items.some((i) => i.name === 'committed later'));
  insertHeld?.();
  assert.equal((await write).status, 201);
  // The write invalidated after its commit, so the list cached meanwhile is gone.
  const next = await list();
  assert.ok(next.items.some((i) => i.name === 'committed later'), `the next read sees the write (${next.source})`);
});
