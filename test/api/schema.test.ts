// Schema creation at start-up is idempotent and safe when two tasks start at once on an empty schema.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { ApiProcess } from './support/api-process.js';
import { isolate } from './support/backing-services.js';
import { client } from './support/http.js';

const isolation = isolate();
const apis: ApiProcess[] = [];

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await isolation.cleanup();
});

it('three processes starting at once on a fresh schema all come up and share the table', async () => {
  const exists = await isolation.pg.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [isolation.schema]);
  assert.equal(exists.rowCount, 0, 'the schema is fresh');
  const starting = [new ApiProcess(isolation.env), new ApiProcess(isolation.env), new ApiProcess(isolation.env)];
  apis.push(...starting);
  const urls = await Promise.all(starting.map((api) => api.ready()));
  for (const api of starting) {
    assert.ok(api.logs().some((l) => l.msg === 'schema ready'));
    assert.ok(!api.logs().some((l) => l.level === 'warn' || l.level === 'error'), api.allOutput());
  }
  const [a, b] = urls.map((url) => client(url));
  assert.ok(a && b);
  assert.equal((await a.post('/items', { name: 'from a' })).status, 201);
  const seen = await b.get('/items');
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.json<{ items: { name: string }[] }>().items.map((i) => i.name), ['from a']);
});

it('a restart finds the table and keeps the rows', async () => {
  const api = new ApiProcess(isolation.env);
  apis.push(api);
  const http = client(await api.ready());
  assert.deepEqual((await http.get('/items')).json<{ items: { name: string }[] }>().items.map((i) => i.name), ['from a']);
});
