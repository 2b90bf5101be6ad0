// Bad input is refused with a JSON 400 naming the field, unknown ids with 404, oversized bodies with 413,
// and nothing reaches the database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate } from './support/backing-services.js';
import { client, request } from './support/http.js';

interface ErrorJson {
  statusCode: number;
  error: string;
  message: string;
  issues?: { field: string; message: string }[];
}

const isolation = isolate();
let api: ApiProcess;
let url: string;
let http: ReturnType<typeof client>;
let existingId: number;

before(async () => {
  const started = await startApi(isolation.env);
  api = started.api;
  url = started.url;
  http = client(url);
  existingId = (await http.post('/items', { name: 'kept' })).json<{ id: number }>().id;
});

after(async () => {
  await api?.stop();
  await isolation.cleanup();
});

function assertBadRequest(res: { status: number; json<T>(): T }, field: string, pattern: RegExp): void {
  assert.equal(res.status, 400);
  const body = res.json<ErrorJson>();
  assert.equal(body.statusCode, 400);
  assert.equal(body.error, 'Bad Request');
  assert.ok(body.issues?.some((i) => i.field === field && pattern.test(i.message)), JSON.stringify(body));
  assert.match(body.message, new RegExp(`^${field} `));
}

describe('POST /items body validation', () => {
  const cases: { title: string; body: unknown; field: string; pattern: RegExp }[] = [
    { title: 'missing name', body: { description: 'x' }, field: 'name', pattern: /is required/ },
    { title: 'empty name', body: { name: '' }, field: 'name', pattern: /must not be empty/ },
    { title: 'blank name', body: { name: '   ' }, field: 'name', pattern: /must not be empty/ },
    { title: 'name not a string', body: { name: 42 }, field: 'name', pattern: /must be a string/ },
    { title: 'name too long', body: { name: 'n'.repeat(201) }, field: 'name', pattern: /at most 200/ },
    { title: 'description not a string', body: { name: 'a', description: 5 }, field: 'description', pattern: /string or null/ },
    { title: 'description too long', body: { name: 'a', description: 'd'.repeat(2001) }, field: 'description', pattern: /at most 2000/ },
    { title: 'unknown field', body: { name: 'a', colour: 'red' }, field: 'colour', pattern: /not a known field/ },
    { title: 'an array', body: [{ name: 'a' }], field: 'body', pattern: /JSON object/ },
    { title: 'null', body: null, field: 'body', pattern: /JSON object/ },
  ];
  for (const c of cases) {
    it(`400 for ${c.title}, naming ${c.field}`, async () => {
      assertBadRequest(await http.post('/items', c.body), c.field, c.pattern);
    });
  }

  it('accepts the limits themselves (200-character name, 2000-character description)', async () => {
    const res = await http.post('/items', { name: 'n'.repeat(200), description: 'd'.repeat(2000) });
    assert.equal(res.status, 201);
    assert.equal((await http.delete(`/items/${res.json<{ id: number }>().id}`)).status, 204);
  });

  it('400 for a body that is not JSON', async () => {
    const res = await request(url, 'POST', '/items', { rawBody: '{"name": ', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.json<ErrorJson>().message, /JSON/);
  });

  it('400 for no body at all', async () => {
    assertBadRequest(await request(url, 'POST', '/items'), 'body', /JSON object/);
  });

  it('PUT validates the same way', async () => {
    assertBadRequest(await http.put(`/items/${existingId}`, { name: '' }), 'name', /must not be empty/);
    assert.equal((await http.get(`/items/${existingId}`)).json<{ name: string }>().name, 'kept');
  });
});

describe('ids', () => {
  for (const id of ['abc', '0', '-1', '1.5', '01', '99999999999', '2147483648']) {
    it(`400 for id ${id}, naming id`, async () => {
      assertBadRequest(await http.get(`/items/${id}`), 'id', /positive integer|at most/);
      assertBadRequest(await http.delete(`/items/${id}`), 'id', /positive integer|at most/);
    });
  }

  it('404 with a JSON message for unknown ids on GET, PUT and DELETE', async () => {
    for (const res of [
      await http.get('/items/2147483647'),
      await http.put('/items/2147483647', { name: 'x' }),
      await http.delete('/items/2147483647'),
    ]) {
      assert.equal(res.status, 404);
      const body = res.json<ErrorJson>();
      assert.equal(body.statusCode, 404);
      assert.match(body.message, /item 2147483647 not found/);
    }
  });

  it('404 JSON for an unknown route', async () => {
    const res = await http.get('/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.json<ErrorJson>().statusCode, 404);
  });
});

describe('body size', () => {
  it('413 for a body over 16 KiB, and nothing stored', async () => {
    const res = await http.post('/items', { name: 'big', description: 'x'.repeat(17 * 1024) });
    assert.equal(res.status, 413);
    const body = res.json<ErrorJson>();
    assert.equal(body.statusCode, 413);
    assert.equal(body.error, 'Payload Too Large');
    const rows = await isolation.pg.query(`SELECT count(*)::int AS n FROM "${isolation.schema}".items WHERE name = 'big'`);
    assert.equal(rows.rows[0].n, 0);
  });

  it('no request above left a row behind but the one kept', async () => {
    const rows = await isolation.pg.query(`SELECT name FROM "${isolation.schema}".items`);
    assert.deepEqual(rows.rows.map((r: { name: string }) => r.name), ['kept']);
  });
});
