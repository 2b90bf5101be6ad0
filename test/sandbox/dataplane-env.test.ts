import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from '../../src/sandbox/server.js';
import { ResourceType, type SecretData } from '../../src/sandbox/model.js';
import { processEnvironment } from '../../src/sandbox/dataplane/env.js';
import { dataPlaneConfig } from '../../src/sandbox/dataplane/config.js';
import { isThreeTierError } from '../../src/errors.js';

/**
 * The environment a data-plane task starts with: the task definition's, its secrets resolved as ECS resolves them,
 * and the AWS-only endpoints mapped to the local servers. The secrets are put straight into the world: this is the
 * resolution rule on its own (the e2e tests go through Secrets Manager's API).
 */
function worldWithSecret(arn: string, secretString: string) {
  const world = createWorld();
  world.create<SecretData>('secretsmanager', ResourceType.secret, arn, { state: 'active', data: { name: 'db', arn, secretString, versionId: 'v1' } });
  return world;
}

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf';
const config = { postgres: { host: '127.0.0.1', port: 5433, database: 'fresh', user: 'me' }, redis: { host: '127.0.0.1', port: 6380 }, cacheKeyPrefix: 'sbx:' };

describe('data plane: the task process environment', () => {
  it('resolves secrets (a JSON key or the whole string) and maps RDS and ElastiCache to the local servers, without TLS', () => {
    const world = worldWithSecret(ARN, JSON.stringify({ username: 'threetier', password: 'p@ss' }));
    const env = processEnvironment({
      world,
      config,
      port: 41000,
      endpoint: 'http://127.0.0.1:4566',
      container: {
        name: 'api',
        environment: [
          { name: 'PORT', value: '3000' },
          { name: 'DB_HOST', value: 'demo-db.abc.us-east-1.rds.amazonaws.com' },
          { name: 'DB_NAME', value: 'threetier' },
          { name: 'DB_USER', value: 'threetier' },
          { name: 'DB_SSL', value: 'verify-full' },
          { name: 'DB_SECRET_ARN', value: ARN },
          { name: 'REDIS_HOST', value: 'master.demo-redis.abc.use1.cache.amazonaws.com' },
          { name: 'REDIS_TLS', value: 'true' },
          { name: 'OTHER', value: 'kept' },
        ],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: `${ARN}:password::` },
          { name: 'WHOLE', valueFrom: ARN },
          { name: 'REDIS_AUTH_TOKEN', valueFrom: `${ARN}:password::` },
        ],
      },
    });
    assert.equal(env['DB_PASSWORD'], 'p@ss');
    assert.equal(env['WHOLE'], JSON.stringify({ username: 'threetier', password: 'p@ss' }));
    assert.deepEqual(
      [env['DB_HOST'], env['DB_PORT'], env['DB_NAME'], env['DB_USER'], env['DB_SSL']],
      ['127.0.0.1', '5433', 'fresh', 'me', 'disable'],
    );
    // The RDS secret's credentials are not the local server's: the API must not read them instead of DB_USER.
    assert.equal(env['DB_SECRET_ARN'], undefined);
    assert.deepEqual([env['REDIS_HOST'], env['REDIS_PORT'], env['REDIS_TLS'], env['REDIS_AUTH_TOKEN']], ['127.0.0.1', '6380', 'false', undefined]);
    assert.deepEqual([env['PORT'], env['HOST'], env['CACHE_KEY_PREFIX'], env['OTHER']], ['41000', '127.0.0.1', 'sbx:three-tier:', 'kept']);
    assert.equal(env['AWS_ENDPOINT_URL'], 'http://127.0.0.1:4566');
    assert.equal(env['AWS_REGION'], 'us-east-1');
  });

  it('leaves hosts that are not RDS or ElastiCache endpoints alone', () => {
    const env = processEnvironment({
      world: createWorld(),
      config,
      port: 1,
      endpoint: 'http://127.0.0.1:4566',
      container: { name: 'api', environment: [{ name: 'DB_HOST', value: 'db.internal' }, { name: 'DB_SSL', value: 'verify-full' }, { name: 'REDIS_HOST', value: 'cache.internal' }] },
    });
    assert.deepEqual([env['DB_HOST'], env['DB_SSL'], env['REDIS_HOST']], ['db.internal', 'verify-full', 'cache.internal']);
  });

  it('takes both URLs or neither, on loopback only, and names a bad value', () => {
    assert.equal(dataPlaneConfig({}, {}), undefined);
    const bad = (flags: { postgres?: string; redis?: string }, env: NodeJS.ProcessEnv, message: RegExp): void => {
      assert.throws(() => dataPlaneConfig(flags, env), (e: unknown) => isThreeTierError(e) && e.kind === 'usage' && message.test(e.message));
    };
    bad({ postgres: 'postgres://u@127.0.0.1/db' }, {}, /needs both.*--data-plane-postgres was given without --data-plane-redis/);
    bad({}, { THREE_TIER_DATA_PLANE_REDIS: 'redis://127.0.0.1' }, /THREE_TIER_DATA_PLANE_REDIS was given without/);
    bad({ postgres: 'postgres://u@db.example.com/db', redis: 'redis://127.0.0.1' }, {}, /names the host "db\.example\.com".*stays on this machine/);
    bad({ postgres: 'mysql://u@127.0.0.1/db', redis: 'redis://127.0.0.1' }, {}, /must start with postgres:/);
    bad({ postgres: 'postgres://127.0.0.1/db', redis: 'redis://127.0.0.1' }, {}, /must name a user and a database/);
    bad({ postgres: 'postgres://u@127.0.0.1/db', redis: 'redis://127.0.0.1/3' }, {}, /selects the Redis database "3"/);
    const ok = dataPlaneConfig({}, { THREE_TIER_DATA_PLANE_POSTGRES: 'postgres://u:pw@localhost:5444/db', THREE_TIER_DATA_PLANE_REDIS: 'redis://:tok@127.0.0.1:6390' });
    assert.deepEqual({ ...ok?.postgres }, { host: 'localhost', port: 5444, database: 'db', user: 'u', password: 'pw' });
    assert.deepEqual({ ...ok?.redis }, { host: '127.0.0.1', port: 6390, password: 'tok' });
    assert.match(ok?.cacheKeyPrefix ?? '', /^sandbox-[0-9a-f]{8}:$/);
  });
});
