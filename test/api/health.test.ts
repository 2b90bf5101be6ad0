// GET /health: 200 with the database time and the cache latency when both answer; 503 naming the failing service
// when one is down (connection refused) or hangs (accepts TCP, never answers), within the checks' 1 s budget. The
// answer never carries the driver's error (addresses, host names, users): that goes to the log.
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
const byName: Partial<Record<string, ApiProcess>> = {};
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
      byName[name] = started.api;
      urls[name as keyof typeof urls] = started.url;
    }),
  );
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await Promise.all([hangingPg.close(), hangingRedis.close()]);
  await isolation.cleanup();
});

async function health(url: string): Promise<{ status: number; body: HealthJson; text: string }> {
  const res = await request(url, 'GET', '/health');
  assert.equal(res.headers['cache-control'], 'no-store');
  return { status: res.status, body: res.json<HealthJson>(), text: res.text };
}

/** The public answer names no address, port, user or password, and says nothing but connected: false. */
function assertNothingRevealed(text: string, failing: ServiceJson): void {
  assert.deepEqual(failing, { connected: false });
  for (const secret of [PASSWORD, '127.0.0.1', 'root', 'ECONN', 'timeout', 'no answer']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
}

/** The reason the API logged for a failing check. */
async function loggedReason(name: string, service: 'database' | 'cache'): Promise<string> {
  const api = byName[name];
  assert.ok(api);
  const line = await api.waitForLog((l) => l.msg === 'health check failed' && l['service'] === service);
  return String(line['reason']);
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

  it('503 when PostgreSQL refuses connections, naming the database, the reason only in the log', async () => {
    const { status, body, text } = await health(urls.pgDead);
    assert.equal(status, 503);
    assert.equal(body.status, 'unhealthy');
    assertNothingRevealed(text, body.services.database);
    assert.equal(body.services.cache.connected, true);
    const reason = await loggedReason('pgDead', 'database');
    assert.match(reason, /ECONNREFUSED/);
    assert.ok(!reason.includes(PASSWORD));
  });

  it('503 when Redis refuses connections, naming the cache, the reason only in the log', async () => {
    const { status, body, text } = await health(urls.redisDead);
    assert.equal(status, 503);
    assert.equal(body.status, 'unhealthy');
    assertNothingRevealed(text, body.services.cache);
    assert.equal(body.services.database.connected, true);
    assert.ok((await loggedReason('redisDead', 'cache')).length > 0);
  });

  // The checks give up after their 1 s budget: the logged reason says so (without it the check would wait for
  // the drivers' own, longer timeouts or for ever).
  it('503 when PostgreSQL accepts connections but never answers, after the 1 s budget', async () => {
    const { status, body, text } = await health(urls.pgHangs);
    assert.equal(status, 503);
    assertNothingRevealed(text, body.services.database);
    assert.equal(body.services.cache.connected, true);
    assert.match(await loggedReason('pgHangs', 'database'), /no answer within 1000 ms/);
  });

  it('503 when Redis accepts connections but never answers, after the 1 s budget', async () => {
    const { status, body, text } = await health(urls.redisHangs);
    assert.equal(status, 503);
    assertNothingRevealed(text, body.services.cache);
    assert.equal(body.services.database.connected, true);
    assert.match(await loggedReason('redisHangs', 'cache'), /no answer within 1000 ms|not connected \((connect|connecting)\)/);
  });

  it('no API process printed the password or anything on stderr', () => {
    for (const api of apis) {
      assert.ok(!api.allOutput().includes(PASSWORD));
      assert.deepEqual(api.stderr, []);
    }
  });
});
