// Structured logs: every stdout line is JSON; one line per request with method, path, status and duration;
// lifecycle lines; and the database password appears nowhere in the output.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { type ApiProcess, type LogLine, startApi } from './support/api-process.js';
import { isolate, PG_DATABASE, PG_HOST, PG_PORT, PG_USER } from './support/backing-services.js';
import { client } from './support/http.js';
import { startInProcessApi } from './support/in-process-api.js';

// Trust authentication on the test server ignores the password, so any value can be set and looked for.
const PASSWORD = 'log-test-Pa55word-b91e';
const isolation = isolate();
const apis: ApiProcess[] = [];

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await isolation.cleanup();
});

function requestLines(logs: LogLine[]): LogLine[] {
  return logs.filter((l) => l.msg === 'request');
}

it('logs one JSON line per request, lifecycle lines, and never the password (split variables)', async () => {
  const { DATABASE_URL: _url, ...env } = isolation.env;
  const { api, url } = await startApi({
    ...env,
    DB_HOST: PG_HOST,
    DB_PORT: String(PG_PORT),
    DB_NAME: PG_DATABASE,
    DB_USER: PG_USER,
    DB_PASSWORD: PASSWORD,
  }, { healthy: false });
  apis.push(api);
  const http = client(url);
  const sent: [string, string, number][] = [];
  const call = async (method: string, path: string, promise: Promise<{ status: number }>): Promise<void> => {
    sent.push([method, path, (await promise).status]);
  };
  await call('GET', '/items', http.get('/items?secret=query'));
  await call('POST', '/items', http.post('/items', { name: 'logged' }));
  await call('GET', '/items/abc', http.get('/items/abc'));
  await call('GET', '/nowhere', http.get('/nowhere'));
  await call('POST', '/items', http.post('/items', { name: 'x'.repeat(20_000) }));
  await call('GET', '/health', http.get('/health'));
  assert.deepEqual(sent.map((s) => s[2]), [200, 201, 400, 404, 413, 200]);

  assert.deepEqual(await api.stop(), { code: 0, signal: null });
  const logs = api.logs(); // throws if any stdout line is not JSON
  for (const line of logs) {
    assert.equal(typeof line['time'], 'string');
    assert.ok(!Number.isNaN(Date.parse(String(line['time']))));
    assert.ok(['debug', 'info', 'warn', 'error', 'fatal'].includes(String(line.level)));
  }
  const requests = requestLines(logs);
  assert.deepEqual(
    requests.map((l) => [l['method'], l['path'], l['status']]),
    sent,
    'one line per request, in order, query string left out',
  );
  for (const line of requests) {
    assert.equal(typeof line['durationMs'], 'number');
    assert.ok((line['durationMs'] as number) >= 0);
  }
  const lifecycle = logs.filter((l) => l.msg !== 'request').map((l) => l.msg);
  for (const msg of ['schema ready', 'listening', 'shutting down', 'stopped']) assert.ok(lifecycle.includes(msg), msg);
  assert.ok(!logs.some((l) => l.level === 'debug'), 'info level hides debug lines (Nest start-up chatter)');

  const output = api.allOutput();
  assert.ok(!output.includes(PASSWORD), 'the password is not in the output');
  assert.ok(!output.includes('secret=query'));
  assert.deepEqual(api.stderr, []);
});

it('with a password in DATABASE_URL and debug logging, still never the password', async () => {
  const dbUrl = `postgres://${PG_USER}:${PASSWORD}@${PG_HOST}:${PG_PORT}/${PG_DATABASE}`;
  const { api, url } = await startApi({ ...isolation.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'debug' });
  apis.push(api);
  assert.equal((await client(url).get('/items')).status, 200);
  await api.stop();
  assert.ok(api.logs().some((l) => l.level === 'debug'), 'debug lines are present at LOG_LEVEL=debug');
  assert.ok(!api.allOutput().includes(PASSWORD));
});

it('LOG_LEVEL=warn drops the request lines', async () => {
  // In-process (the same createApp as main.ts, lines kept in memory): at this level there is no "listening" line
  // to learn a child process's port from, and the in-process app reports its own.
  const { app, url, logLines } = await startInProcessApi({ ...isolation.env, LOG_LEVEL: 'warn' });
  try {
    const http = client(url);
    assert.equal((await http.get('/items')).status, 200);
    assert.equal((await http.get('/nowhere')).status, 404);
  } finally {
    await app.close();
  }
  const lines = logLines.map((line) => JSON.parse(line) as LogLine);
  assert.deepEqual(requestLines(lines), []);
  assert.ok(lines.every((l) => l.level === 'warn' || l.level === 'error'), logLines.join(''));
});
