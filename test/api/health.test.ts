// GET /health: 200 with the database time and the cache latency when both answer; 503 naming the failing service
// when one is down (connection refused) or hangs (accepts TCP, never answers), always within 2 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { databaseUrl, isolate, redisUrl } from './support/backing-services.js';
import { request } from './support/http.js';
import { deadPort, HangingServer } from './support/net-fixtures.js';

interface ServiceJson {
  connected: boolean;
  time?: string;
  latency?: number;
  error?: string;
}
interface HealthJson {
  status: string;
  services: { database: ServiceJson; cache: ServiceJson };
}

const PASSWORD = 'health-test-secret-7f3a';
const isolation = isolate();
const hangingPg = new HangingServer();
const hangingRedis = new HangingServer();
const apis: ApiProcess[] = [];
const urls: Record<'healthy' | 'pgDead' | 'redisDead' | 'pgHangs' | 'redisHangs', string> = {
  healthy: '',
  pgDead: '',
  redisDead: '',
  pgHangs: '',
  redisHangs: '',
};

before(async () => {
  const [pgHangPort, redisHangPort, pgDeadPort, redisDeadPort] = await Promise.all([
    hangingPg.start(),
    hangingRedis.start(),
    deadPort(),
    deadPort(),
  ]);
  const withPassword = (url: string): string => url.replace('://root@', `://root:${PASSWORD}@`);
  const variants: Record<keyof typeof urls, Record<string, string>> = {
    healthy: {},
    pgDead: { DATABASE_URL: withPassword(databaseUrl(pgDeadPort)) },
    redisDead: { REDIS_URL: redisUrl(redisDeadPort) },
    pgHangs: { DATABASE_URL: withPassword(databaseUrl(pgHangPort)) },
    redisHangs: { REDIS_URL: redisUrl(redisHangPort) },
  };
  // Started together: each start is mostly waiting.
  await Promise.all(
    Object.entries(variants).map(async ([name, overrides]) => {
      const started = await startApi({ ...isolation.env, ...overrides }, { healthy: name === 'healthy' });
      apis.push(started.api);
      urls[name as keyof typeof urls] = started.url;
    }),
  );
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await Promise.all([hangingPg.close(), hangingRedis.close()]);
  await isolation.cleanup();
});

async function health(url: string): Promise<{ status: number; body: HealthJson; ms: number; text: string }> {
  const started = performance.now();
  const res = await request(url, 'GET', '/health');
  return { status: res.status, body: res.json<HealthJson>(), ms: performance.now() - started, text: res.text };
}

describe('GET /health', () => {
  it('200 healthy with the database time and the cache latency', async () => {
    const { status, body } = await health(urls.healthy);
    assert.equal(status, 200);
    assert.equal(body.status, 'healthy');
    assert.equal(body.services.database.connected, true);
    const dbTime = Date.parse(body.services.database.time ?? '');
    assert.ok(Math.abs(dbTime - Date.now()) < 60_000, `database time ${body.services.database.time}`);
    assert.equal(body.services.cache.connected, true);
    assert.equal(typeof body.services.cache.latency, 'number');
    assert.ok((body.services.cache.latency ?? -1) >= 0);
  });

  it('503 when PostgreSQL refuses connections, naming the database, without the password', async () => {
    const { status, body, text } = await health(urls.pgDead);
    assert.equal(status, 503);
    assert.equal(body.status, 'unhealthy');
    assert.equal(body.services.database.connected, false);
    assert.match(body.services.database.error ?? '', /ECONNREFUSED/);
    assert.equal(body.services.cache.connected, true);
    assert.ok(!text.includes(PASSWORD));
  });

  it('503 when Redis refuses connections, naming the cache', async () => {
    const { status, body } = await health(urls.redisDead);
    assert.equal(status, 503);
    assert.equal(body.status, 'unhealthy');
    assert.equal(body.services.cache.connected, false);
    assert.ok((body.services.cache.error ?? '').length > 0);
    assert.equal(body.services.database.connected, true);
  });

  it('503 within 2 s when PostgreSQL accepts connections but never answers', async () => {
    const { status, body, ms, text } = await health(urls.pgHangs);
    assert.equal(status, 503);
    assert.ok(ms < 2_000, `answered in ${Math.round(ms)} ms`);
    assert.equal(body.services.database.connected, false);
    assert.match(body.services.database.error ?? '', /no answer within|timeout/i);
    assert.equal(body.services.cache.connected, true);
    assert.ok(!text.includes(PASSWORD));
  });

  it('503 within 2 s when Redis accepts connections but never answers', async () => {
    const { status, body, ms } = await health(urls.redisHangs);
    assert.equal(status, 503);
    assert.ok(ms < 2_000, `answered in ${Math.round(ms)} ms`);
    assert.equal(body.services.cache.connected, false);
    assert.equal(body.services.database.connected, true);
  });

  it('no API process printed the password or anything on stderr', () => {
    for (const api of apis) {
      assert.ok(!api.allOutput().includes(PASSWORD));
      assert.deepEqual(api.stderr, []);
    }
  });
});
