// The baselines for bench/api.ts: the least a server can do to answer GET /items from the cache, node:http plus
// ioredis, no framework, no logging, no fallback. Three protocols:
// - BARE_PROTOCOL=get (the default): GET the cached body bytes on every request and send them;
// - BARE_PROTOCOL=version: what the API does on a hit (api/src/items/items.cache.ts), with the API's own script: ask
//   Redis for the list's version and send the copy kept for it (the API's ListCopy, api/src/items/list-copy.ts).
//   Against this one, what the API costs more is its framework and its request log alone;
// - BARE_PROTOCOL=memory: reads the body from Redis once, at start, and sends those bytes without asking Redis again.
//   No server that answers from the cache can do less: its figures are this machine's floor (the load generator,
//   node:http and the scheduler), and show whether a latency goal can be reached here at all.
// Environment: PORT, REDIS_HOST, REDIS_PORT, CACHE_PREFIX (the API's CACHE_KEY_PREFIX), BARE_PROTOCOL.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';

const port = Number(process.env['PORT']);
const prefix = process.env['CACHE_PREFIX'] ?? '';
const protocol = process.env['BARE_PROTOCOL'] ?? 'get';
if (protocol !== 'get' && protocol !== 'version' && protocol !== 'memory') {
  throw new Error(`BARE_PROTOCOL ${protocol}: get, version or memory`);
}
const redis = new Redis({
  host: process.env['REDIS_HOST'] ?? '127.0.0.1',
  port: Number(process.env['REDIS_PORT'] ?? 6379),
  enableOfflineQueue: false,
});
// The API's own read of a hit, without the framework around it.
const { ListCopy, listKeys } = createRequire(import.meta.url)('../../api/dist/items/list-copy.js') as {
  ListCopy: new (redis: Redis, prefix: string) => { read(): Promise<Buffer | undefined> };
  listKeys: (prefix: string) => { list: string };
};
const listKey = listKeys(prefix).list;
const copy = protocol === 'version' ? new ListCopy(redis, prefix) : undefined;
let kept: Buffer | null = null;

async function body(): Promise<Buffer | null | undefined> {
  if (protocol === 'memory') return kept;
  return copy === undefined ? redis.getBuffer(listKey) : copy.read();
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/items') {
    res.writeHead(404).end();
    return;
  }
  body().then(
    (bytes) => {
      if (!bytes) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length }).end(bytes);
    },
    () => res.writeHead(503).end(),
  );
});

redis.once('ready', () => {
  void (async () => {
    if (protocol === 'memory') kept = await redis.getBuffer(listKey);
    server.listen(port, '127.0.0.1');
  })();
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
