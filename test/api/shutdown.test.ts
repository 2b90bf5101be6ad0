// Graceful shutdown as ECS does it: SIGTERM while a request is in flight (PostgreSQL slowed by a proxy). The
// request completes with 200, new connections are refused meanwhile, the process exits 0 after closing its pools.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, it } from 'node:test';
import { type ApiProcess, type Exit, startApi } from './support/api-process.js';
import { databaseUrl, isolate, PG_PORT } from './support/backing-services.js';
import { client, eventually, request } from './support/http.js';
import { isRefused } from './support/net-fixtures.js';
import { TcpProxy } from './support/tcp-proxy.js';

const isolation = isolate();
const pgProxy = new TcpProxy(PG_PORT);
const apis: ApiProcess[] = [];

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await pgProxy.close();
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
  const sentBefore = pgProxy.chunksToService;
  let answered = false;
  const slow = request(url, 'GET', `/items/${id}`, { agent: busyAgent }).finally(() => {
    answered = true;
  });
  // SIGTERM once the request's query has reached PostgreSQL (its answer is held back by the proxy).
  assert.ok(await eventually(async () => pgProxy.chunksToService > sentBefore, 10_000, 5), 'the query reached PostgreSQL');
  api.signal('SIGTERM');
  await api.waitForLog((line) => line.msg === 'shutting down');

  // While the slow request is still running, the listening socket is already closed.
  let refused = false;
  for (let i = 0; i < 20 && !refused; i += 1) {
    refused = await isRefused(port);
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(refused, 'new connections are refused during the drain');

  assert.equal(answered, false, 'the request was still in flight when the drain had begun');
  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(res.json<{ name: string }>().name, 'slow');

  // Exits by itself (no SIGKILL here), well before Fastify's 72 s keep-alive timeout would have ended the idle
  // connection and within ECS's 30 s stop timeout.
  const exit = await exitWithin(api, 20_000);
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
  api.signal('SIGINT');
  assert.deepEqual(await exitWithin(api, 20_000), { code: 0, signal: null });
});

/** The process's exit, or a failure if it has not exited by itself within `ms`. */
async function exitWithin(api: ApiProcess, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the API did not exit within ${ms} ms:\n${api.allOutput()}`)), ms);
  });
  try {
    return await Promise.race([api.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
