// Graceful shutdown as ECS does it: SIGTERM while a request is in flight (PostgreSQL slowed by a proxy). The
// request completes with 200, new connections are refused meanwhile, the process exits 0 after closing its pools.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { databaseUrl, isolate, PG_PORT } from './support/backing-services.js';
import { client, request } from './support/http.js';
import { isRefused } from './support/net-fixtures.js';
import { TcpProxy } from './support/tcp-proxy.js';

const isolation = isolate();
const pgProxy = new TcpProxy(PG_PORT);
const apis: ApiProcess[] = [];

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await pgProxy.stop();
  await isolation.cleanup();
});

it('drains the in-flight request on SIGTERM, refuses new connections, exits 0', async () => {
  await pgProxy.start();
  const { api, url } = await startApi({ ...isolation.env, DATABASE_URL: databaseUrl(pgProxy.port) });
  apis.push(api);
  const port = Number(new URL(url).port);
  const { id } = (await client(url).post('/items', { name: 'slow' })).json<{ id: number }>();
  // Keep-alive connections, as the ALB holds them: one idle, one carrying the slow request. Neither may keep the
  // process alive after the drain (Fastify's keep-alive timeout is 72 s, beyond ECS's stop timeout).
  const idleAgent = new http.Agent({ keepAlive: true });
  const busyAgent = new http.Agent({ keepAlive: true });
  assert.equal((await request(url, 'GET', '/health', { agent: idleAgent })).status, 200);
  assert.equal((await request(url, 'GET', '/health', { agent: busyAgent })).status, 200);

  pgProxy.delayMs = 1_500;
  const started = performance.now();
  const slow = request(url, 'GET', `/items/${id}`, { agent: busyAgent });
  await new Promise((resolve) => setTimeout(resolve, 300));
  api.signal('SIGTERM');
  await api.waitForLog((line) => line.msg === 'shutting down');

  // While the slow request is still running, the listening socket is already closed.
  let refused = false;
  for (let i = 0; i < 20 && !refused; i += 1) {
    refused = await isRefused(port);
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(refused, 'new connections are refused during the drain');

  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(res.json<{ name: string }>().name, 'slow');
  assert.ok(performance.now() - started >= 1_400, 'the request really was in flight during the shutdown');

  const answered = performance.now();
  const exit = await api.exited;
  assert.ok(performance.now() - answered < 3_000, 'exits promptly once the in-flight request is answered');
  idleAgent.destroy();
  busyAgent.destroy();
  assert.deepEqual(exit, { code: 0, signal: null });
  const logs = api.logs();
  const messages = logs.map((l) => l.msg);
  assert.ok(messages.indexOf('shutting down') < messages.lastIndexOf('stopped'));
  assert.equal(logs.at(-1)?.msg, 'stopped');
  assert.equal(logs.find((l) => l.msg === 'shutting down')?.['signal'], 'SIGTERM');
  assert.ok(logs.some((l) => l.msg === 'request' && l['path'] === `/items/${id}` && l['status'] === 200));
  assert.deepEqual(api.stderr, []);
});

it('exits 0 on SIGINT too, promptly when idle', async () => {
  pgProxy.delayMs = 0;
  const { api } = await startApi(isolation.env);
  apis.push(api);
  const started = performance.now();
  api.signal('SIGINT');
  assert.deepEqual(await api.exited, { code: 0, signal: null });
  assert.ok(performance.now() - started < 2_000);
});
