// TLS to both dependencies, against real servers started with TLS for the test (certificates from a test CA made
// with openssl): PostgreSQL with DB_SSL=verify-full, Redis over rediss:// with an AUTH token (as ElastiCache with
// in-transit encryption and AUTH). Each is also shown refusing what it must refuse: a server certificate from
// another CA, and a Redis connection without the token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate } from './support/backing-services.js';
import { client } from './support/http.js';
import { PRIVATE_PG_ADMIN, PrivatePostgres } from './support/private-postgres.js';
import { makeTestCerts, type TestCerts } from './support/test-certs.js';
import { TlsRedis } from './support/tls-redis.js';

const PG_PASSWORD = 'tls-admin-Pw-61d0';
const REDIS_TOKEN = 'redis-auth-token-7e2a90c4b1f35d86';
const isolation = isolate();
const apis: ApiProcess[] = [];
let certs: TestCerts;
let postgres: PrivatePostgres;
let redis: TlsRedis;
let admin: pg.Pool;

before(async () => {
  certs = makeTestCerts();
  postgres = await PrivatePostgres.start({ password: PG_PASSWORD, tls: certs });
  admin = postgres.adminPool(PG_PASSWORD);
  admin.on('error', () => {});
  redis = await TlsRedis.start(certs, REDIS_TOKEN);
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await admin?.end();
  await postgres?.stop();
  await redis?.stop();
  certs?.remove();
  await isolation.cleanup();
});

function tlsEnv(caFile: string): Record<string, string> {
  return {
    ...isolation.env,
    DATABASE_URL: `postgres://${PRIVATE_PG_ADMIN}:${PG_PASSWORD}@localhost:${postgres.port}/postgres`,
    DB_SSL: 'verify-full',
    DB_SSL_CA_FILE: caFile,
    REDIS_URL: `rediss://localhost:${redis.port}`,
    REDIS_AUTH_TOKEN: REDIS_TOKEN,
    // ElastiCache's certificate is publicly trusted, so the API uses Node's trust store for Redis; the test CA is
    // added to it the standard way.
    NODE_EXTRA_CA_CERTS: certs.caFile,
  };
}

async function start(env: Record<string, string>, healthy: boolean): Promise<{ api: ApiProcess; url: string }> {
  const started = await startApi(env, { healthy });
  apis.push(started.api);
  return started;
}

describe('TLS to PostgreSQL and Redis', () => {
  it('verify-full against the test CA and rediss:// with the AUTH token: healthy, cached, encrypted', async () => {
    const { api, url } = await start(tlsEnv(certs.caFile), true);
    const http = client(url);
    assert.equal((await http.post('/items', { name: 'over TLS' })).status, 201);
    assert.equal((await http.get('/items')).json<{ source: string }>().source, 'database');
    assert.equal((await http.get('/items')).json<{ source: string }>().source, 'cache');
    const ssl = await admin.query(
      `SELECT bool_and(s.ssl) AS all_ssl, count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
       WHERE a.application_name = 'three-tier-api'`,
    );
    assert.ok(ssl.rows[0].n > 0, 'the API is connected');
    assert.equal(ssl.rows[0].all_ssl, true, 'every API connection is encrypted');
    for (const secret of [PG_PASSWORD, REDIS_TOKEN]) assert.ok(!api.allOutput().includes(secret), 'no secret in the output');
  });

  it('refuses a PostgreSQL certificate from another CA, and Redis without the token', async () => {
    const { REDIS_AUTH_TOKEN: _token, ...withoutToken } = tlsEnv(certs.otherCaFile);
    const { api, url } = await start(withoutToken, false);
    const health = await client(url).get('/health');
    assert.equal(health.status, 503);
    const services = health.json<{ services: { database: { connected: boolean }; cache: { connected: boolean } } }>().services;
    assert.deepEqual([services.database.connected, services.cache.connected], [false, false]);
    const database = await api.waitForLog((l) => l.msg === 'health check failed' && l['service'] === 'database');
    assert.match(String(database['reason']), /certificate/i);
    const cache = await api.waitForLog((l) => l.msg === 'cache unavailable, serving from the database');
    assert.match(String(cache['reason']), /NOAUTH|auth/i);
  });

  it('refuses a Redis certificate it cannot verify (the test CA not trusted), token in REDIS_URL', async () => {
    const { REDIS_AUTH_TOKEN: _token, NODE_EXTRA_CA_CERTS: _ca, ...env } = tlsEnv(certs.caFile);
    const { api, url } = await start({ ...env, REDIS_URL: `rediss://:${REDIS_TOKEN}@localhost:${redis.port}` }, false);
    const health = await client(url).get('/health');
    assert.equal(health.status, 503);
    const cache = await api.waitForLog((l) => l.msg === 'cache unavailable, serving from the database');
    assert.match(String(cache['reason']), /certificate/i);
    assert.ok(!api.allOutput().includes(REDIS_TOKEN));
  });
});
