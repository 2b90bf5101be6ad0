// The cached list expires after CACHE_TTL_SECONDS: with a 1 s TTL the next read after expiry is a database read.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { cacheKeys, isolate } from './support/backing-services.js';
import { client, eventually } from './support/http.js';

const isolation = isolate();
let api: ApiProcess;
let http: ReturnType<typeof client>;

before(async () => {
  const started = await startApi({ ...isolation.env, CACHE_TTL_SECONDS: '1' });
  api = started.api;
  http = client(started.url);
});

after(async () => {
  await api?.stop();
  await isolation.cleanup();
});

async function source(): Promise<string> {
  const res = await http.get('/items');
  assert.equal(res.status, 200);
  return res.json<{ source: string }>().source;
}

it('serves from the cache within the TTL and from the database after it', async () => {
  assert.equal(await source(), 'database');
  assert.equal(await source(), 'cache');
  const ttl = await isolation.redis.pttl(cacheKeys(isolation.keyPrefix).list);
  assert.ok(ttl > 0 && ttl <= 1000, `PTTL ${ttl}`);
  // Redis removes the key when its TTL ends; the next read must then go to the database.
  const expired = await eventually(async () => (await isolation.redis.exists(cacheKeys(isolation.keyPrefix).list)) === 0, 10_000, 50);
  assert.ok(expired, 'the cached list expired');
  assert.equal(await source(), 'database');
  assert.equal(await source(), 'cache');
});
