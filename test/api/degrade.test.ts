// Degrade, do not fall over: the API runs behind TCP proxies in front of the real Redis and PostgreSQL, which the
// tests stop (connections refused, open ones cut) and start again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { databaseUrl, isolate, PG_PORT, REDIS_PORT, redisUrl } from './support/backing-services.js';
import { client, eventually } from './support/http.js';
import { TcpProxy } from './support/tcp-proxy.js';

interface ListJson {
  source: string;
  items: { id: number; name: string }[];
}

const isolation = isolate();
const pgProxy = new TcpProxy(PG_PORT);
const redisProxy = new TcpProxy(REDIS_PORT);
let api: ApiProcess;
let http: ReturnType<typeof client>;

before(async () => {
  await Promise.all([pgProxy.start(), redisProxy.start()]);
  const started = await startApi({
    ...isolation.env,
    DATABASE_URL: databaseUrl(pgProxy.port),
    REDIS_URL: redisUrl(redisProxy.port),
  });
  api = started.api;
  http = client(started.url);
});

after(async () => {
  await api?.stop();
  await Promise.all([pgProxy.close(), redisProxy.close()]);
  await isolation.cleanup();
});

async function list(): Promise<ListJson> {
  const res = await http.get('/items');
  assert.equal(res.status, 200, res.text);
  return res.json<ListJson>();
}

async function healthOf(service: 'database' | 'cache'): Promise<{ status: number; connected: boolean }> {
  const res = await http.get('/health');
  const body = res.json<{ services: Record<string, { connected: boolean }> }>();
  return { status: res.status, connected: body.services[service]?.connected ?? false };
}

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at |"stack"|\.js:\d+/);
}

describe('Redis down or hanging', () => {
  it('serves GET /items from PostgreSQL and still accepts writes', async () => {
    await list();
    assert.equal((await list()).source, 'cache');
    await redisProxy.stop();
    assert.ok(await eventually(async () => !(await healthOf('cache')).connected, 3_000), 'health notices Redis is gone');

    // Commands fail at once while Redis is down (no offline queue): the read answers from PostgreSQL instead of
    // waiting for Redis to come back (it would time out below).
    const during = await http.get('/items', { timeoutMs: 5_000 });
    assert.equal(during.json<ListJson>().source, 'database');
    assert.equal((await list()).source, 'database', 'nothing could be cached');

    const created = await http.post('/items', { name: 'written while Redis was down' });
    assert.equal(created.status, 201);
    assert.ok((await list()).items.some((i) => i.name === 'written while Redis was down'));

    const health = await http.get('/health');
    assert.equal(health.status, 503);
    assert.equal(health.json<{ services: { database: { connected: boolean } } }>().services.database.connected, true);
  });

  it('uses the cache again once Redis is back, without serving the list cached before the outage', async () => {
    await redisProxy.start();
    assert.ok(await eventually(async () => (await healthOf('cache')).status === 200, 5_000), 'health recovers');
    const first = await list();
    assert.equal(first.source, 'database');
    assert.ok(first.items.some((i) => i.name === 'written while Redis was down'));
    assert.equal((await list()).source, 'cache');
  });

  it('when Redis is connected but stops answering, only the first read waits for the command timeout', async () => {
    assert.equal((await list()).source, 'cache');
    redisProxy.delayMs = 2_500;
    const sentBefore = redisProxy.chunksToService;
    // The first read asks Redis, gives up at the command timeout (before the delayed answer could arrive, which
    // would have been a cache hit) and answers from PostgreSQL.
    assert.equal((await list()).source, 'database');
    assert.ok(redisProxy.chunksToService > sentBefore, 'the first read did ask Redis');
    const sentAfterFirst = redisProxy.chunksToService;
    assert.equal((await list()).source, 'database');
    assert.equal(redisProxy.chunksToService, sentAfterFirst, 'later reads skip the unresponsive cache: nothing sent');
    // Let the delayed replies through before removing the delay, so the proxy never reorders them.
    await redisProxy.drained();
    redisProxy.delayMs = 0;
    assert.ok(await eventually(async () => (await list()).source === 'cache', 5_000), 'the cache is used again');
  });
});

describe('PostgreSQL down', () => {
  let itemId: number;

  it('answers 503 JSON without a stack trace, and keeps serving a cached list', async () => {
    itemId = (await http.post('/items', { name: 'before the outage' })).json<{ id: number }>().id;
    await list();
    assert.equal((await list()).source, 'cache');
    await pgProxy.stop();

    const read = await http.get(`/items/${itemId}`);
    assert.equal(read.status, 503);
    const body = read.json<{ statusCode: number; error: string; message: string }>();
    assert.equal(body.statusCode, 503);
    assert.equal(body.error, 'Service Unavailable');
    assert.match(body.message, /database unavailable/);
    assertNoStack(read.text);

    const write = await http.post('/items', { name: 'refused' });
    assert.equal(write.status, 503);
    assertNoStack(write.text);

    assert.equal((await list()).source, 'cache', 'the cache still answers reads');
    await isolation.redis.del(`${isolation.keyPrefix}items:list`);
    const uncached = await http.get('/items');
    assert.equal(uncached.status, 503);
    assertNoStack(uncached.text);

    const health = await healthOf('database');
    assert.deepEqual(health, { status: 503, connected: false });
  });

  it('recovers by itself when PostgreSQL is back', async () => {
    await pgProxy.start();
    assert.ok(await eventually(async () => (await http.get(`/items/${itemId}`)).status === 200, 5_000));
    assert.equal((await http.post('/items', { name: 'after the outage' })).status, 201);
    const after = await list();
    assert.equal(after.source, 'database');
    assert.ok(after.items.some((i) => i.name === 'after the outage'));
    assert.equal((await http.get('/health')).status, 200);
  });

  it('answers 503 when both are down, and nothing went to stderr', async () => {
    await Promise.all([pgProxy.stop(), redisProxy.stop()]);
    const res = await http.get('/items');
    assert.equal(res.status, 503);
    assertNoStack(res.text);
    await Promise.all([pgProxy.start(), redisProxy.start()]);
    assert.ok(await eventually(async () => (await http.get('/health')).status === 200, 5_000));
    assert.deepEqual(api.stderr, []);
  });
});
