// Configuration from the environment, validated at boot: a bad environment stops the process with exit code 1 and
// one JSON line naming each variable and what is allowed, without a stack trace and without echoing secrets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiProcess } from './support/api-process.js';
import { apiExports, type ConfigIssue } from './support/in-process-api.js';

const tempDir = mkdtempSync(join(tmpdir(), 'three-tier-api-config-'));
after(() => rmSync(tempDir, { recursive: true, force: true }));

const VALID = {
  DB_HOST: 'db.example.internal',
  DB_NAME: 'app',
  DB_USER: 'app',
  DB_PASSWORD: 'p@ss:w/rd',
  DB_SSL: 'disable',
  REDIS_HOST: 'cache.example.internal',
};

interface FatalLine {
  level: string;
  msg: string;
  code: string;
  errors: ConfigIssue[];
}

/** Runs the API with `env` and returns its exit and its single output line. */
async function bootFailure(env: Record<string, string>): Promise<{ line: FatalLine; raw: string; api: ApiProcess }> {
  const api = new ApiProcess(env);
  const exit = await api.exited;
  assert.deepEqual(exit, { code: 1, signal: null }, api.allOutput());
  assert.equal(api.stdout.length, 1, `exactly one line: ${api.allOutput()}`);
  assert.deepEqual(api.stderr, []);
  const raw = api.stdout[0] ?? '';
  assert.doesNotMatch(raw, /\bat .+:\d+:\d+/, 'no stack trace');
  return { line: JSON.parse(raw) as FatalLine, raw, api };
}

function configError(
  env: Record<string, string>,
  readTextFile: (path: string) => string = () => {
    throw new Error('no such file');
  },
): ConfigIssue[] {
  try {
    apiExports.loadConfig(env, readTextFile);
  } catch (error) {
    assert.ok(error instanceof apiExports.ConfigError);
    return [...error.issues];
  }
  assert.fail('expected a ConfigError');
}

describe('boot with a bad environment', () => {
  it('exits 1 naming DB_SSL and the allowed values', async () => {
    const { line } = await bootFailure({ ...VALID, DB_SSL: 'prefer' });
    assert.equal(line.level, 'fatal');
    assert.equal(line.code, 'INVALID_CONFIG');
    assert.deepEqual(line.errors.map((e) => e.variable), ['DB_SSL']);
    assert.match(line.errors[0]?.message ?? '', /disable, require, verify-full/);
    assert.match(line.msg, /DB_SSL/);
  });

  it('reports every problem at once', async () => {
    const { line } = await bootFailure({ PORT: '70000', CACHE_TTL_SECONDS: 'soon', LOG_LEVEL: 'loud' });
    const variables = line.errors.map((e) => e.variable).sort();
    assert.deepEqual(variables, ['CACHE_TTL_SECONDS', 'LOG_LEVEL', 'PORT']);
    assert.match(line.errors.find((e) => e.variable === 'PORT')?.message ?? '', /integer from 0 to 65535/);
  });

  it('names the missing connection variables', async () => {
    const { line } = await bootFailure({ DB_SSL: 'disable' });
    assert.deepEqual(line.errors.map((e) => e.variable).sort(), ['DB_HOST', 'DB_NAME', 'DB_USER', 'REDIS_HOST']);
  });

  it('verify-full (the default) without a readable CA bundle names DB_SSL_CA_FILE', async () => {
    const { DB_SSL: _ignored, ...withoutSsl } = VALID;
    const { line } = await bootFailure({ ...withoutSsl, DB_SSL_CA_FILE: join(tempDir, 'missing.pem') });
    assert.deepEqual(line.errors.map((e) => e.variable), ['DB_SSL_CA_FILE']);
    assert.match(line.errors[0]?.message ?? '', /DB_SSL=disable/);
  });

  it('never echoes a URL or password it refuses', async () => {
    const { raw } = await bootFailure({
      DATABASE_URL: 'mysql://admin:hunter2-secret@db/app',
      REDIS_URL: 'http://user:other-secret@cache',
    });
    assert.ok(!raw.includes('hunter2-secret') && !raw.includes('other-secret'), raw);
    assert.match(raw, /DATABASE_URL/);
    assert.match(raw, /REDIS_URL/);
  });
});

describe('the security and rotation variables', () => {
  it('defaults: no key (writes open), 600 requests per 60 s, one trusted proxy, no secret', () => {
    const config = apiExports.loadConfig(VALID) as unknown as {
      http: { apiKey?: string; rateLimitMax: number; rateLimitWindowSeconds: number; trustProxyHops: number };
      database: { secret?: unknown };
    };
    assert.deepEqual(config.http, { apiKey: undefined, rateLimitMax: 600, rateLimitWindowSeconds: 60, trustProxyHops: 1 });
    assert.equal(config.database.secret, undefined);
  });

  it('takes the Redis AUTH token from REDIS_AUTH_TOKEN or from REDIS_URL, and the secret region from its ARN', () => {
    assert.equal(apiExports.loadConfig({ ...VALID, REDIS_AUTH_TOKEN: 'token-1234567890abcdef' }).redis.password, 'token-1234567890abcdef');
    const fromUrl = apiExports.loadConfig({ ...VALID, REDIS_HOST: '', REDIS_URL: 'rediss://:token-in-url@cache.local' });
    assert.equal(fromUrl.redis.password, 'token-in-url');
    const arn = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:rds!db-1234-AbCdEf';
    const withSecret = apiExports.loadConfig({ ...VALID, DB_SECRET_ARN: arn, AWS_REGION: 'us-east-1' }) as unknown as {
      database: { secret?: { id: string; region: string } };
    };
    assert.deepEqual(withSecret.database.secret, { id: arn, region: 'eu-west-3' });
  });

  it('names each bad variable and what it allows, never echoing a key or token', () => {
    const issues = configError({
      ...VALID,
      API_KEY: 'short-key',
      RATE_LIMIT_MAX: '-1',
      RATE_LIMIT_WINDOW_SECONDS: '0',
      TRUST_PROXY_HOPS: 'many',
    });
    assert.deepEqual(issues.map((i) => i.variable).sort(), ['API_KEY', 'RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_SECONDS', 'TRUST_PROXY_HOPS']);
    assert.match(issues.find((i) => i.variable === 'API_KEY')?.message ?? '', /16 to 512 characters/);
    assert.ok(!JSON.stringify(issues).includes('short-key'));
    const both = configError({ ...VALID, REDIS_HOST: '', REDIS_URL: 'redis://:pw-in-url@cache', REDIS_AUTH_TOKEN: 'token-1234567890abcdef' });
    assert.deepEqual(both.map((i) => i.variable), ['REDIS_AUTH_TOKEN']);
    assert.ok(!JSON.stringify(both).includes('token-1234567890abcdef'));
    const noRegion = configError({ ...VALID, DB_SECRET_ARN: 'rds!db-by-name' });
    assert.deepEqual(noRegion.map((i) => i.variable), ['DB_SECRET_ARN']);
    assert.match(noRegion[0]?.message ?? '', /AWS_REGION/);
  });
});

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = apiExports.loadConfig(VALID);
    assert.equal(config.port, 3000);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.database.port, 5432);
    assert.equal(config.database.schema, 'public');
    assert.equal(config.database.password, 'p@ss:w/rd');
    assert.deepEqual(config.database.tls, { mode: 'disable' });
    assert.deepEqual(config.redis, {
      host: 'cache.example.internal', port: 6379, tls: false, username: undefined, password: undefined, db: 0,
    });
    assert.deepEqual(config.cache, { ttlSeconds: 30, keyPrefix: 'three-tier:' });
  });

  it('reads the split variables and treats empty ones as unset', () => {
    const config = apiExports.loadConfig({
      ...VALID, DB_PORT: '6543', REDIS_PORT: '6380', REDIS_TLS: 'true', PORT: '8080', CACHE_TTL_SECONDS: '5',
      CACHE_KEY_PREFIX: 'x:', DB_SCHEMA: 'app_1', LOG_LEVEL: '',
    });
    assert.equal(config.database.port, 6543);
    assert.equal(config.redis.port, 6380);
    assert.equal(config.redis.tls, true);
    assert.equal(config.port, 8080);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.cache, { ttlSeconds: 5, keyPrefix: 'x:' });
    assert.equal(config.database.schema, 'app_1');
  });

  it('accepts DATABASE_URL and REDIS_URL (rediss:// means TLS) instead of the split variables', () => {
    const config = apiExports.loadConfig({
      DATABASE_URL: 'postgresql://me:s%40cret@localhost:5433/appdb?sslmode=require',
      REDIS_URL: 'rediss://default:pw@cache.local:6390/2',
    });
    assert.deepEqual(
      { ...config.database },
      { host: 'localhost', port: 5433, database: 'appdb', user: 'me', password: 's@cret', tls: { mode: 'require' }, schema: 'public' },
    );
    assert.deepEqual(config.redis, { host: 'cache.local', port: 6390, tls: true, username: 'default', password: 'pw', db: 2 });
  });

  it('DB_SSL overrides the sslmode of DATABASE_URL', () => {
    const config = apiExports.loadConfig({ DATABASE_URL: 'postgres://me@h/db?sslmode=require', DB_SSL: 'disable', REDIS_HOST: 'r' });
    assert.equal(config.database.tls.mode, 'disable');
  });

  it('verify-full loads the CA bundle from DB_SSL_CA_FILE', () => {
    const caFile = join(tempDir, 'bundle.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = apiExports.loadConfig({ ...VALID, DB_SSL: 'verify-full', DB_SSL_CA_FILE: caFile });
    assert.equal(config.database.tls.mode, 'verify-full');
    assert.match(config.database.tls.ca ?? '', /BEGIN CERTIFICATE/);
  });

  it('refuses a CA file that holds no certificate', () => {
    const issues = configError({ ...VALID, DB_SSL: 'verify-full' }, () => 'not a certificate');
    assert.equal(issues[0]?.variable, 'DB_SSL_CA_FILE');
    assert.match(issues[0]?.message ?? '', /does not contain a PEM certificate/);
  });

  it('refuses a URL combined with split variables, and bad identifiers', () => {
    const issues = configError({ ...VALID, DATABASE_URL: 'postgres://u@h/d', REDIS_URL: 'redis://h', DB_SCHEMA: 'Robert"; drop' });
    assert.deepEqual(issues.map((i) => i.variable).sort(), ['DB_SCHEMA']);
    const conflicts = configError({ ...VALID, DATABASE_URL: 'postgres://u@h/d', REDIS_URL: 'redis://h' });
    assert.deepEqual(conflicts.map((i) => i.variable).sort(), ['DATABASE_URL', 'REDIS_URL']);
    assert.match(conflicts[0]?.message ?? '', /DB_HOST/);
  });

  it('refuses an unsupported sslmode in DATABASE_URL', () => {
    const issues = configError({ DATABASE_URL: 'postgres://u@h/d?sslmode=prefer', REDIS_HOST: 'r' });
    assert.equal(issues[0]?.variable, 'DATABASE_URL');
    assert.match(issues[0]?.message ?? '', /sslmode must be one of disable, require, verify-full/);
  });
});
