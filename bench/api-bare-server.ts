// The baseline for bench/api.ts: the least a server can do to answer GET /items from the cache — node:http plus
// ioredis, GET the cached body bytes and send them. No framework, no logging, no fallback.
// Environment: PORT, REDIS_HOST, REDIS_PORT, CACHE_KEY (the API's cached list key).
import http from 'node:http';
import { Redis } from 'ioredis';

const port = Number(process.env['PORT']);
const key = process.env['CACHE_KEY'] ?? '';
const redis = new Redis({
  host: process.env['REDIS_HOST'] ?? '127.0.0.1',
  port: Number(process.env['REDIS_PORT'] ?? 6379),
  enableOfflineQueue: false,
});

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/items') {
    res.writeHead(404).end();
    return;
  }
  redis.getBuffer(key).then(
    (body) => {
      if (!body) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body);
    },
    () => res.writeHead(503).end(),
  );
});

redis.once('ready', () => server.listen(port, '127.0.0.1'));
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
