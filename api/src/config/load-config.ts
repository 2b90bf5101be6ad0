import { readFileSync } from 'node:fs';
import type { AppConfig, DatabaseConfig, DbTls, RedisConfig } from './app-config';
import { ConfigError, type ConfigIssue } from './config.error';
import { parseDatabaseUrl, parseRedisUrl } from './connection-urls';
import { envSchema, type Env } from './env.schema';

type RawEnv = Readonly<Record<string, string | undefined>>;
export type ReadTextFile = (path: string) => string;

const DB_SPLIT_VARIABLES = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD'] as const;
const REDIS_SPLIT_VARIABLES = ['REDIS_HOST', 'REDIS_PORT', 'REDIS_TLS'] as const;

/**
 * Validates the environment and builds the AppConfig. Problems are collected rather than reported one at a time, so
 * one failed deployment shows what to fix: first every variable that is malformed on its own, then (once those are
 * right) the combinations (URL or split variables, the CA bundle). Throws ConfigError.
 */
export function loadConfig(rawEnv: RawEnv, readTextFile: ReadTextFile = (p) => readFileSync(p, 'utf8')): AppConfig {
  // An empty variable means unset: task definitions and shells often leave `FOO=` behind.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message })),
    );
  }
  const issues: ConfigIssue[] = [];
  const database = databaseConfig(parsed.data, issues, readTextFile);
  const redis = redisConfig(parsed.data, issues);
  if (issues.length > 0 || !database || !redis) throw new ConfigError(issues);
  return {
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    http: {
      apiKey: parsed.data.API_KEY,
      rateLimitMax: parsed.data.RATE_LIMIT_MAX,
      rateLimitWindowSeconds: parsed.data.RATE_LIMIT_WINDOW_SECONDS,
      trustProxyHops: parsed.data.TRUST_PROXY_HOPS,
    },
    logLevel: parsed.data.LOG_LEVEL,
    database,
    redis,
    cache: { ttlSeconds: parsed.data.CACHE_TTL_SECONDS, keyPrefix: parsed.data.CACHE_KEY_PREFIX },
  };
}

function databaseConfig(env: Env, issues: ConfigIssue[], readTextFile: ReadTextFile): DatabaseConfig | undefined {
  let target: Omit<DatabaseConfig, 'tls' | 'schema' | 'secret'> | undefined;
  let sslFromUrl: DatabaseConfig['tls']['mode'] | undefined;
  if (env.DATABASE_URL !== undefined) {
    const conflicting = DB_SPLIT_VARIABLES.filter((name) => env[name] !== undefined);
    if (conflicting.length > 0) {
      issues.push({ variable: 'DATABASE_URL', message: `must not be combined with ${conflicting.join(', ')}: set one or the other` });
      return undefined;
    }
    const url = parseDatabaseUrl(env.DATABASE_URL);
    if (!url.ok) {
      issues.push({ variable: 'DATABASE_URL', message: url.reason });
      return undefined;
    }
    const { sslMode, ...parts } = url.value;
    target = parts;
    sslFromUrl = sslMode;
  } else {
    for (const name of ['DB_HOST', 'DB_NAME', 'DB_USER'] as const) {
      if (env[name] === undefined) issues.push({ variable: name, message: 'is required (or set DATABASE_URL instead)' });
    }
    if (env.DB_HOST === undefined || env.DB_NAME === undefined || env.DB_USER === undefined) return undefined;
    target = {
      host: env.DB_HOST,
      port: env.DB_PORT ?? 5432,
      database: env.DB_NAME,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
    };
  }
  const tls = databaseTls(env.DB_SSL ?? sslFromUrl ?? 'verify-full', env.DB_SSL_CA_FILE, issues, readTextFile);
  const secret = databaseSecret(env, issues);
  if (!tls || secret === null) return undefined;
  return { ...target, tls, schema: env.DB_SCHEMA, ...(secret === undefined ? {} : { secret }) };
}

/**
 * The secret's region: the one its ARN names, else the task's (ECS sets AWS_REGION and AWS_DEFAULT_REGION).
 * null when it cannot be known.
 */
function databaseSecret(env: Env, issues: ConfigIssue[]): DatabaseConfig['secret'] | undefined | null {
  if (env.DB_SECRET_ARN === undefined) return undefined;
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(env.DB_SECRET_ARN)?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined) {
    issues.push({ variable: 'DB_SECRET_ARN', message: 'needs a region: give the secret\'s full ARN, or set AWS_REGION' });
    return null;
  }
  return { id: env.DB_SECRET_ARN, region };
}

function databaseTls(
  mode: DbTls['mode'],
  caFile: string,
  issues: ConfigIssue[],
  readTextFile: ReadTextFile,
): DbTls | undefined {
  if (mode !== 'verify-full') return { mode };
  // Read at boot so a missing bundle fails the deployment now, not on the first query.
  try {
    const ca = readTextFile(caFile);
    if (!ca.includes('BEGIN CERTIFICATE')) {
      issues.push({ variable: 'DB_SSL_CA_FILE', message: 'does not contain a PEM certificate (needed by DB_SSL=verify-full)' });
      return undefined;
    }
    return { mode, caFile, ca };
  } catch {
    issues.push({
      variable: 'DB_SSL_CA_FILE',
      message: `cannot be read: ${caFile} (DB_SSL=verify-full, the default, needs the RDS CA bundle; set DB_SSL=disable for a local database without TLS)`,
    });
    return undefined;
  }
}

function redisConfig(env: Env, issues: ConfigIssue[]): RedisConfig | undefined {
  if (env.REDIS_URL !== undefined) {
    const conflicting = REDIS_SPLIT_VARIABLES.filter((name) => env[name] !== undefined);
    if (conflicting.length > 0) {
      issues.push({ variable: 'REDIS_URL', message: `must not be combined with ${conflicting.join(', ')}: set one or the other` });
      return undefined;
    }
    const url = parseRedisUrl(env.REDIS_URL);
    if (!url.ok) {
      issues.push({ variable: 'REDIS_URL', message: url.reason });
      return undefined;
    }
    if (url.value.password !== undefined && env.REDIS_AUTH_TOKEN !== undefined) {
      issues.push({ variable: 'REDIS_AUTH_TOKEN', message: 'must not be combined with a password in REDIS_URL: set one or the other' });
      return undefined;
    }
    return { ...url.value, password: url.value.password ?? env.REDIS_AUTH_TOKEN };
  }
  if (env.REDIS_HOST === undefined) {
    issues.push({ variable: 'REDIS_HOST', message: 'is required (or set REDIS_URL instead)' });
    return undefined;
  }
  return {
    host: env.REDIS_HOST,
    port: env.REDIS_PORT ?? 6379,
    tls: env.REDIS_TLS === 'true',
    username: undefined,
    password: env.REDIS_AUTH_TOKEN,
    db: 0,
  };
}
