// The per-client rate limit, kept in the real Redis under the API's key prefix: past RATE_LIMIT_MAX requests in a
// window a client gets 429 with Retry-After; clients are told apart by the address the trusted proxy (the ALB)
// appended to X-Forwarded-For; /health is never limited; with Redis down the limit fails open and reads still work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate, redisUrl } from './support/backing-services.js';
import { request } from './support/http.js';
import { deadPort } from './support/net-fixtures.js';

const MAX = 3;
const isolation = isolate();
const apis: ApiProcess[] = [];
let url: string;
let noRedisUrl: string;
let noRedisApi: ApiProcess;

before(async () => {
  const limited = { ...isolation.env, RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_WINDOW_SECONDS: '3600' };
  const [up, down] = await Promise.all([
    startApi(limited),
    startApi({ ...limited, REDIS_URL: redisUrl(await deadPort()) }, { healthy: false }),
  ]);
  apis.push(up.api, down.api);
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

  it('fails open with Redis down: reads are served, and the API logs that the limit is off', async () => {
    for (let i = 0; i < MAX + 2; i += 1) assert.equal((await from('198.51.100.9', noRedisUrl)).status, 200);
    await noRedisApi.waitForLog((l) => l.level === 'warn' && l.msg === 'rate limit not enforced while the cache is unavailable');
  });
});
