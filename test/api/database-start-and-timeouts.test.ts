// PostgreSQL unreachable at start-up, then back: the API starts anyway, answers 503, creates its schema once the
// database answers, and serves. And the two waits on PostgreSQL are bounded: a server that accepts connections but
// never answers (connection timeout, 2 s) and one that stops answering mid-query (query timeout, 5 s) both end in a
// 503 naming the timeout, where without the bound the request would hang past the client's own timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { databaseUrl, isolate, PG_PORT } from './support/backing-services.js';
import { client, eventually } from './support/http.js';
import { HangingServer } from './support/net-fixtures.js';
import { TcpProxy } from './support/tcp-proxy.js';

const CLIENT_TIMEOUT_MS = 15_000;
const isolation = isolate();
const pgProxy = new TcpProxy(PG_PORT);
const hanging = new HangingServer();
const apis: ApiProcess[] = [];

before(async () => {
  await pgProxy.start();
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await pgProxy.close();
  await hanging.close().catch(() => undefined);
  await isolation.cleanup();
});

describe('PostgreSQL unreachable at start-up', () => {
  it('starts, answers 503, then creates its schema and serves once PostgreSQL is back', async () => {
    await pgProxy.stop();
    const { api, url } = await startApi({ ...isolation.env, DATABASE_URL: databaseUrl(pgProxy.port) }, { healthy: false });
    apis.push(api);
    const http = client(url);
    await api.waitForLog((l) => l.msg === 'schema not created at start-up, will retry on first use');
    assert.equal((await http.get('/items')).status, 503);
    assert.ok(!api.logs().some((l) => l.msg === 'schema ready'));

    await pgProxy.start();
    assert.ok(await eventually(async () => (await http.get('/items')).status === 200, 10_000), 'serves once PostgreSQL is back');
    await api.waitForLog((l) => l.msg === 'schema ready');
    assert.equal((await http.post('/items', { name: 'after a late start' })).status, 201);
    const exists = await isolation.pg.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [isolation.schema]);
    assert.equal(exists.rowCount, 1);
  });
});

describe('timeouts', () => {
  it('connection timeout: a server that accepts but never answers gives a 503, not a hang', async () => {
    const port = await hanging.start();
    const { api, url } = await startApi({ ...isolation.env, DATABASE_URL: databaseUrl(port) }, { healthy: false });
    apis.push(api);
    const res = await client(url).get('/items/1', { timeoutMs: CLIENT_TIMEOUT_MS });
    assert.equal(res.status, 503);
    const line = await api.waitForLog((l) => l.msg === 'dependency unavailable' && l['service'] === 'database');
    assert.match(String(line['reason']), /timeout/i);
  });

  it('query timeout: answers held back for longer than 5 s give a 503, not the late answer', async () => {
    const { api, url } = await startApi({ ...isolation.env, DATABASE_URL: databaseUrl(pgProxy.port) });
    apis.push(api);
    const http = client(url);
    const { id } = (await http.post('/items', { name: 'slow to read' })).json<{ id: number }>();
    pgProxy.delayMs = 8_000;
    const res = await http.get(`/items/${id}`, { timeoutMs: CLIENT_TIMEOUT_MS });
    assert.equal(res.status, 503, 'the late answer (a 200) was not waited for');
    const line = await api.waitForLog((l) => l.msg === 'dependency unavailable' && /timeout/i.test(String(l['reason'])));
    assert.equal(line['service'], 'database');
    await pgProxy.drained();
    pgProxy.delayMs = 0;
    assert.ok(await eventually(async () => (await http.get(`/items/${id}`)).status === 200, 10_000), 'recovers');
  });
});
