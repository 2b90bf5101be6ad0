// Who may write, what a write must send, and the headers every answer carries: writes need the API key (Bearer or
// x-api-key), reads stay public; a body that is not declared JSON gets 415 saying what to send; security headers on
// every answer; without a key configured, writes are open and the API says so at start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate, TEST_API_KEY } from './support/backing-services.js';
import { client, request } from './support/http.js';

const isolation = isolate();
const apis: ApiProcess[] = [];
let url: string;
let openUrl: string;
let openApi: ApiProcess;

before(async () => {
  const [keyed, open] = await Promise.all([
    startApi(isolation.env),
    startApi({ ...Object.fromEntries(Object.entries(isolation.env).filter(([k]) => k !== 'API_KEY')) }),
  ]);
  apis.push(keyed.api, open.api);
  url = keyed.url;
  openUrl = open.url;
  openApi = open.api;
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await isolation.cleanup();
});

async function rowCount(): Promise<number> {
  return (await isolation.pg.query(`SELECT count(*)::int AS n FROM "${isolation.schema}".items`)).rows[0].n as number;
}

describe('the API key', () => {
  it('401 for writes without the key or with a wrong one, the same answer for both, and nothing written', async () => {
    const before = await rowCount();
    const answers = [
      await request(url, 'POST', '/items', { body: { name: 'x' }, withoutKey: true }),
      await request(url, 'POST', '/items', { body: { name: 'x' }, withoutKey: true, headers: { authorization: 'Bearer wrong-key-0123456789abcdef' } }),
      await request(url, 'PUT', '/items/1', { body: { name: 'x' }, withoutKey: true, headers: { 'x-api-key': `${TEST_API_KEY}x` } }),
      await request(url, 'DELETE', '/items/1', { withoutKey: true, headers: { 'x-api-key': TEST_API_KEY.slice(0, -1) } }),
    ];
    for (const res of answers) {
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.text, answers[0]?.text, 'missing and wrong keys are answered alike');
      assert.ok(!res.text.includes(TEST_API_KEY));
    }
    assert.match(answers[0]?.json<{ message: string }>().message ?? '', /Authorization: Bearer KEY.*x-api-key: KEY/);
    assert.equal(await rowCount(), before);
  });

  it('accepts the key as a Bearer token or as x-api-key', async () => {
    const bearer = await request(url, 'POST', '/items', { body: { name: 'by bearer' }, withoutKey: true, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(bearer.status, 201);
    const header = await request(url, 'POST', '/items', { body: { name: 'by header' }, withoutKey: true, headers: { 'x-api-key': TEST_API_KEY } });
    assert.equal(header.status, 201);
    const { id } = header.json<{ id: number }>();
    assert.equal((await request(url, 'DELETE', `/items/${id}`, { withoutKey: true, headers: { authorization: `bearer ${TEST_API_KEY}` } })).status, 204);
  });

  it('reads need no key', async () => {
    assert.equal((await request(url, 'GET', '/items', { withoutKey: true })).status, 200);
    assert.equal((await request(url, 'GET', '/health', { withoutKey: true })).status, 200);
  });

  it('without API_KEY, writes are open and the start says so', async () => {
    assert.equal((await request(openUrl, 'POST', '/items', { body: { name: 'open' }, withoutKey: true })).status, 201);
    assert.ok(openApi.logs().some((l) => l.level === 'warn' && /API_KEY is not set/.test(String(l.msg))));
    assert.ok(!apis[0]?.logs().some((l) => /API_KEY is not set/.test(String(l.msg))), 'no warning when a key is set');
  });
});

describe('JSON bodies', () => {
  it('415 naming the header to send for a JSON body sent as a form (curl -d) or without a type', async () => {
    const before = await rowCount();
    const forms: Record<string, string>[] = [{ 'content-type': 'application/x-www-form-urlencoded' }, {}];
    for (const headers of forms) {
      const res = await request(url, 'POST', '/items', { rawBody: '{"name":"x"}', headers });
      assert.equal(res.status, 415, res.text);
      const body = res.json<{ statusCode: number; error: string; message: string }>();
      assert.equal(body.error, 'Unsupported Media Type');
      assert.match(body.message, /content-type: application\/json/);
    }
    const put = await request(url, 'PUT', '/items/1', { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } });
    assert.equal(put.status, 415);
    assert.equal(await rowCount(), before);
  });

  it('accepts application/json with a charset', async () => {
    const res = await request(url, 'POST', '/items', { rawBody: '{"name":"with charset"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(res.status, 201);
  });
});

describe('security headers', () => {
  const expected = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };

  it('on every answer: a read, a write, an error, a 404, a refused write; no X-Powered-By', async () => {
    const answers = [
      await request(url, 'GET', '/items'),
      await request(url, 'POST', '/items', { body: { name: 'headers' } }),
      await request(url, 'POST', '/items', { body: { name: '' } }),
      await request(url, 'GET', '/nowhere'),
      await request(url, 'POST', '/items', { body: { name: 'x' }, withoutKey: true }),
      await request(url, 'GET', '/health'),
    ];
    assert.deepEqual(answers.map((a) => a.status), [200, 201, 400, 404, 401, 200]);
    for (const res of answers) {
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name], value, `${name} on a ${res.status}`);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  it('Cache-Control no-store on /health and on writes', async () => {
    assert.equal((await request(url, 'GET', '/health')).headers['cache-control'], 'no-store');
    assert.equal((await client(url).post('/items', { name: 'no-store' })).headers['cache-control'], 'no-store');
  });
});
