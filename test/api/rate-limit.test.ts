// The per-client rate limit, kept in the real Redis under the API's key prefix: past RATE_LIMIT_MAX requests in a
// window a client gets 429 with Retry-After; clients are told apart by the address the trusted proxy (the ALB)
// appended to X-Forwarded-For; /health is never limited; with Redis down the limit fails open and reads still work.
// A client far from its limit is counted in batches (see rate-limiter.ts): every hit still reaches Redis, and tasks
// sharing Redis let a client past the limit by at most their unsent share (1/20 of the limit each).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate, redisUrl } from './support/backing-services.js';
import { eventually, request } from './support/http.js';
import { deadPort } from './support/net-fixtures.js';

const MAX = 3;
const isolation = isolate();
const apis: ApiProcess[] = [];
let url: string;
let noRedisUrl: string;
let noRedisApi: ApiProcess;
// Three tasks of one service (same Redis, same prefix) with a limit that batching applies to.
const SHARED_MAX = 40;
let tasks: string[] = [];

before(async () => {
  const limited = { ...isolation.env, RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_WINDOW_SECONDS: '3600' };
  const shared = { ...isolation.env, RATE_LIMIT_MAX: String(SHARED_MAX), RATE_LIMIT_WINDOW_SECONDS: '3600' };
  const [up, down, ...service] = await Promise.all([
    startApi(limited),
    startApi({ ...limited, REDIS_URL: redisUrl(await deadPort()) }, { healthy: false }),
    startApi(shared),
    startApi(shared),
    startApi(shared),
  ]);
  apis.push(up.api, down.api, ...service.map((task) => task.api));
  tasks = service.map((task) => task.url);
  url = up.url;
  noRedisUrl = down.url;
  noRedisApi = down.api;
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await isolation.cleanup();
});

/** A request from a client the ALB saw as `client` (it appends the address it saw to X-Forwarded-For). */
function from(client: string, base = url, path = '/items', forged?: string) {
  return request(base, 'GET', path, { headers: { 'x-forwarded-for': forged === undefined ? client : `${forged}, ${client}` } });
}

describe('rate limit', () => {
  it(`answers 429 with Retry-After after ${MAX} requests in a window, counted in Redis under the prefix`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 2; i += 1) statuses.push((await from('198.51.100.7')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const refused = await from('198.51.100.7');
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${refused.headers['retry-after']}`);
    assert.match(refused.json<{ message: string }>().message, new RegExp(`at most ${MAX} per client`));
    assert.equal(refused.headers['cache-control'], 'no-store');
    const keys = await isolation.redis.keys(`${isolation.keyPrefix}ratelimit:198.51.100.7:*`);
    assert.equal(keys.length, 1);
    assert.ok((await isolation.redis.pttl(keys[0] ?? '')) > 0, 'the counter expires');
  });

  it('counts each client apart, by the address the proxy appended, not one the client forged', async () => {
    assert.equal((await from('198.51.100.8')).status, 200);
    // The limited client puts another address first: the ALB appends the real one last, which is what counts.
    assert.equal((await from('198.51.100.7', url, '/items', '203.0.113.99')).status, 429);
  });

  it('never limits /health, and limits writes as well as reads', async () => {
    for (let i = 0; i < MAX + 2; i += 1) assert.equal((await from('198.51.100.7', url, '/health')).status, 200);
    const write = await request(url, 'POST', '/items', { body: { name: 'x' }, headers: { 'x-forwarded-for': '198.51.100.7' } });
    assert.equal(write.status, 429);
  });

  async function counter(client: string): Promise<string> {
    const [key] = await isolation.redis.keys(`${isolation.keyPrefix}ratelimit:${client}:*`);
    assert.ok(key, `a counter for ${client} is in Redis`);
    return key;
  }

  it('sends the hits it counted in batches to Redis by itself, within the sync interval', async () => {
    const client = '198.51.100.20';
    // Far from the limit: both are counted in the task and not yet sent.
    for (let i = 0; i < 2; i += 1) assert.equal((await from(client, tasks[0])).status, 200);
    const counted = await eventually(async () => (await isolation.redis.get(`${await counter(client)}`)) === '2', 2_000, 20);
    assert.ok(counted, 'Redis holds both hits without another request');
    assert.ok((await isolation.redis.pttl(await counter(client))) > 0, 'the counter expires');
  });

  it('holds the limit across tasks within their unsent share, and counts every hit in Redis', async () => {
    const client = '198.51.100.21';
    // A burst faster than the sync interval, spread over the three tasks.
    const hits = 3 * SHARED_MAX;
    const statuses = await Promise.all(Array.from({ length: hits }, (_, i) => from(client, tasks[i % 3]).then((r) => r.status)));
    assert.ok(statuses.every((s) => s === 200 || s === 429), statuses.join(' '));
    const allowed = statuses.filter((s) => s === 200).length;
    // At most 1/20 of the limit let through unsent by each of the three tasks: 40 + 3 x 2.
    assert.ok(allowed >= SHARED_MAX && allowed <= SHARED_MAX + (3 * SHARED_MAX) / 20, `${allowed} of ${hits} allowed`);
    const key = await counter(client);
    const counted = await eventually(async () => Number(await isolation.redis.get(key)) === hits, 2_000, 20);
    assert.ok(counted, `Redis counted ${await isolation.redis.get(key)} of ${hits} hits`);
  });

  it('fails open with Redis down: reads are served, and the API logs that the limit is off', async () => {
    for (let i = 0; i < MAX + 2; i += 1) assert.equal((await from('198.51.100.9', noRedisUrl)).status, 200);
    await noRedisApi.waitForLog((l) => l.level === 'warn' && l.msg === 'rate limit not enforced while the cache is unavailable');
  });
});
