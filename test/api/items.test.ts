// GET/POST/PUT/DELETE /items against the real PostgreSQL and Redis, through `node api/dist/main.js`:
// the cache-aside sequence (database, then cache, then invalidated by each write) and the item lifecycle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, startApi } from './support/api-process.js';
import { cacheKeys, isolate } from './support/backing-services.js';
import { client } from './support/http.js';

interface ItemJson {
  id: number;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}
interface ListJson {
  source: 'database' | 'cache';
  items: ItemJson[];
}

const isolation = isolate();
let api: ApiProcess;
let http: ReturnType<typeof client>;

before(async () => {
  const started = await startApi(isolation.env);
  api = started.api;
  http = client(started.url);
});

after(async () => {
  await api?.stop();
  await isolation.cleanup();
});

async function list(): Promise<ListJson> {
  const res = await http.get('/items');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return res.json<ListJson>();
}

describe('GET /items cache-aside', () => {
  it('answers from the database first, then from the cache, with the same items', async () => {
    const first = await list();
    assert.equal(first.source, 'database');
    assert.deepEqual(first.items, []);
    const second = await list();
    assert.equal(second.source, 'cache');
    assert.deepEqual(second.items, first.items);
  });

  it('caches the list in Redis under the prefix with the default 30 s TTL', async () => {
    await list();
    const keys = cacheKeys(isolation.keyPrefix);
    const ttl = await isolation.redis.ttl(keys.list);
    assert.ok(ttl > 25 && ttl <= 30, `TTL ${ttl}`);
    const stored = JSON.parse((await isolation.redis.get(keys.list)) ?? 'null') as ListJson;
    assert.equal(stored.source, 'cache');
  });

  it('POST invalidates: the next GET comes from the database and includes the new item', async () => {
    await list();
    assert.equal((await list()).source, 'cache');
    const created = await http.post('/items', { name: 'first', description: 'one' });
    assert.equal(created.status, 201);
    const afterPost = await list();
    assert.equal(afterPost.source, 'database');
    assert.deepEqual(afterPost.items.map((i) => i.name), ['first']);
    assert.equal((await list()).source, 'cache');
  });

  it('PUT and DELETE invalidate too', async () => {
    const { id } = (await http.post('/items', { name: 'to change' })).json<ItemJson>();
    await list();
    assert.equal((await list()).source, 'cache');

    assert.equal((await http.put(`/items/${id}`, { name: 'changed' })).status, 200);
    const afterPut = await list();
    assert.equal(afterPut.source, 'database');
    assert.equal(afterPut.items.find((i) => i.id === id)?.name, 'changed');
    assert.equal((await list()).source, 'cache');

    assert.equal((await http.delete(`/items/${id}`)).status, 204);
    const afterDelete = await list();
    assert.equal(afterDelete.source, 'database');
    assert.equal(afterDelete.items.find((i) => i.id === id), undefined);
  });

  it('a failed write (404) leaves the cache alone', async () => {
    await list();
    assert.equal((await http.put('/items/999999', { name: 'nobody' })).status, 404);
    assert.equal((await list()).source, 'cache');
  });
});

describe('item lifecycle', () => {
  it('creates, reads, replaces and deletes an item with timestamps', async () => {
    const created = await http.post('/items', { name: '  widget  ', description: 'a small thing' });
    assert.equal(created.status, 201);
    const item = created.json<ItemJson>();
    assert.ok(Number.isInteger(item.id) && item.id > 0);
    assert.equal(item.name, 'widget', 'the name is trimmed');
    assert.equal(item.description, 'a small thing');
    assert.ok(!Number.isNaN(Date.parse(item.created_at)));
    assert.equal(item.updated_at, item.created_at);

    const read = await http.get(`/items/${item.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json(), item);

    await new Promise((resolve) => setTimeout(resolve, 10));
    const replaced = await http.put(`/items/${item.id}`, { name: 'gadget' });
    assert.equal(replaced.status, 200);
    const updated = replaced.json<ItemJson>();
    assert.equal(updated.name, 'gadget');
    assert.equal(updated.description, null, 'PUT replaces: a description left out becomes null');
    assert.equal(updated.created_at, item.created_at);
    assert.ok(Date.parse(updated.updated_at) > Date.parse(item.updated_at));

    const removed = await http.delete(`/items/${item.id}`);
    assert.equal(removed.status, 204);
    assert.equal(removed.text, '');
    assert.equal((await http.get(`/items/${item.id}`)).status, 404);
    assert.equal((await http.delete(`/items/${item.id}`)).status, 404);
  });

  it('stores text exactly, quotes and all (parameterised SQL)', async () => {
    const name = `Robert'); DROP TABLE items;-- "quoted" \\ ünïcode`;
    const item = (await http.post('/items', { name, description: null })).json<ItemJson>();
    assert.equal((await http.get(`/items/${item.id}`)).json<ItemJson>().name, name);
    assert.ok((await list()).items.some((i) => i.name === name));
  });
});
