// The copy of the cached list a task keeps (items.cache.ts): a hit asks Redis only whether the list is there and which
// version it is, and sends the copy it holds for that version. Redis still decides every hit: a write by another task,
// a list replaced or stored by an earlier API version, and a key deleted by hand end the copy's use at once.
// Observed in-process with the API's real Redis client (a counting wrapper around mgetBuffer, the body's only read).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { cacheKeys, isolate } from './support/backing-services.js';
import { client } from './support/http.js';
import { apiExports, type NestAppView, startInProcessApi } from './support/in-process-api.js';

interface ListJson {
  source: string;
  items: { name: string }[];
}

const isolation = isolate();
const keys = cacheKeys(isolation.keyPrefix);
let app: NestAppView;
let other: ApiProcess;
let http: ReturnType<typeof client>;
let otherHttp: ReturnType<typeof client>;
let bodyReads = 0;

before(async () => {
  const [inProcess, second] = await Promise.all([startInProcessApi(isolation.env), startApi(isolation.env)]);
  app = inProcess.app;
  http = client(inProcess.url);
  other = second.api;
  otherHttp = client(second.url);
  const redis = app.get<{ mgetBuffer: (...keys: string[]) => Promise<(Buffer | null)[]> }>(apiExports.REDIS_CLIENT);
  const mget = redis.mgetBuffer.bind(redis);
  redis.mgetBuffer = async (...args: string[]) => {
    bodyReads += 1;
    return mget(...args);
  };
});

after(async () => {
  await Promise.all([app?.close(), other?.stop()]);
  await isolation.cleanup();
});

async function list(on = http): Promise<ListJson> {
  const res = await on.get('/items');
  assert.equal(res.status, 200, res.text);
  return res.json<ListJson>();
}

/** The list cached and this task's copy made: a miss, then a hit. */
async function cached(): Promise<ListJson> {
  await list();
  const hit = await list();
  assert.equal(hit.source, 'cache');
  return hit;
}

describe('the cached list copy', () => {
  it('reads the body from Redis once per version, not on every hit', async () => {
    assert.equal((await otherHttp.post('/items', { name: 'one' })).status, 201);
    const first = await cached();
    const reads = bodyReads;
    for (let i = 0; i < 5; i += 1) assert.deepEqual(await list(), first);
    assert.equal(bodyReads, reads, 'no body read for the hits of one version');
    assert.ok(reads >= 1);
  });

  it("is not served after another task's write: the next read is the database's, with the write", async () => {
    await cached();
    assert.equal((await otherHttp.post('/items', { name: 'written elsewhere' })).status, 201);
    const next = await list();
    assert.equal(next.source, 'database');
    assert.ok(next.items.some((i) => i.name === 'written elsewhere'));
    assert.equal((await list()).source, 'cache');
  });

  it('is not served once the list is deleted from Redis by hand', async () => {
    await cached();
    await isolation.redis.del(keys.list);
    assert.equal((await list()).source, 'database');
  });

  it('serves a list replaced at the same generation (Redis restarted, counter back where it was)', async () => {
    await cached();
    const generation = (await isolation.redis.get(keys.generation)) ?? '0';
    const replaced = '{"source":"cache","items":[{"name":"replaced"}]}';
    await isolation.redis.set(keys.list, replaced, 'EX', 30);
    await isolation.redis.set(keys.version, `${generation}:another-token`, 'EX', 30);
    assert.deepEqual((await list()).items, [{ name: 'replaced' }]);
  });

  it('does not serve a list without a version of the current generation (stored by an earlier API version)', async () => {
    await cached();
    const foreign = '{"source":"cache","items":[{"name":"foreign"}]}';
    // Stored without a version, as the API stored it before the copy existed.
    await isolation.redis.set(keys.list, foreign, 'EX', 30);
    await isolation.redis.del(keys.version);
    const unversioned = await list();
    assert.equal(unversioned.source, 'database');
    assert.ok(!unversioned.items.some((i) => i.name === 'foreign'));
    // Stored after a write by a task that does not keep a version: the version left there is of an older generation.
    await cached();
    await isolation.redis.incr(keys.generation);
    await isolation.redis.set(keys.list, foreign, 'EX', 30);
    const stale = await list();
    assert.equal(stale.source, 'database');
    assert.ok(!stale.items.some((i) => i.name === 'foreign'));
  });
});
