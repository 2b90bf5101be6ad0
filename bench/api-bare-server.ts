// The baselines for bench/api.ts: the least a server can do to answer GET /items from the cache, node:http plus
// ioredis, no framework, no logging, no fallback. Two protocols:
// - BARE_PROTOCOL=get (the default): GET the cached body bytes on every request and send them;
// - BARE_PROTOCOL=version: what the API does on a hit (api/src/items/items.cache.ts), with the API's own script: ask
//   Redis for the list's version and send the copy kept for it, reading the body only when the version changes.
//   Against this one, what the API costs more is its framework and its request log alone.
// Environment: PORT, REDIS_HOST, REDIS_PORT, CACHE_PREFIX (the API's CACHE_KEY_PREFIX), BARE_PROTOCOL.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';

const port = Number(process.env['PORT']);
const prefix = process.env['CACHE_PREFIX'] ?? '';
const listKey = `${prefix}items:list`;
const generationKey = `${prefix}items:generation`;
const versionKey = `${prefix}items:list-version`;
const protocol = process.env['BARE_PROTOCOL'] ?? 'get';
if (protocol !== 'get' && protocol !== 'version') throw new Error(`BARE_PROTOCOL ${protocol}: get or version`);
const redis = new Redis({
  host: process.env['REDIS_HOST'] ?? '127.0.0.1',
  port: Number(process.env['REDIS_PORT'] ?? 6379),
  enableOfflineQueue: false,
});
const { SERVABLE_VERSION } = createRequire(import.meta.url)('../../api/dist/items/list-scripts.js') as { SERVABLE_VERSION: string };
redis.defineCommand('servableVersion', { numberOfKeys: 3, lua: SERVABLE_VERSION });
const versioned = redis as Redis & { servableVersion(list: string, generation: string, version: string): Promise<string | null> };

let copy: { version: string; body: Buffer } | undefined;

async function body(): Promise<Buffer | null> {
  if (protocol === 'get') return redis.getBuffer(listKey);
  const version = await versioned.servableVersion(listKey, generationKey, versionKey);
  if (version === null) return null;
  if (copy?.version === version) return copy.body;
  const [stored, bytes] = await redis.mgetBuffer(versionKey, listKey);
  if (!stored || !bytes) return null;
  copy = { version: stored.toString(), body: Buffer.from(bytes) };
  return copy.body;
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

redis.once('ready', () => server.listen(port, '127.0.0.1'));
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
