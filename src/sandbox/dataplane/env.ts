/**
 * The environment a data-plane task's process starts with: what ECS would give the container (the task
 * definition's environment, its secrets resolved from Secrets Manager as the ECS agent resolves them, the region
 * variables Fargate sets), with the endpoints that only exist on AWS mapped to this machine:
 * - an RDS endpoint (DB_HOST ... .rds.amazonaws.com, or the host of DATABASE_URL) becomes the user's PostgreSQL, with
 *   its database and user (they do not exist locally under the RDS names) and DB_SSL=disable: the local server is
 *   plain TCP, where RDS forces TLS; DB_SECRET_ARN goes (the RDS secret's credentials are not the local ones);
 * - an ElastiCache endpoint (REDIS_HOST ... .cache.amazonaws.com, or the host of REDIS_URL) becomes the user's Redis,
 *   REDIS_TLS=false for the same reason;
 * - PORT is a free port on 127.0.0.1 and HOST=127.0.0.1, so the process listens on loopback only;
 * - AWS SDK calls the workload makes (reading a secret at run time) go to the sandbox (AWS_ENDPOINT_URL), signed with
 *   stand-in keys where the task role's credentials would be.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { World } from '../world.js';
import { secretRef } from '../services/ecs/startup.js';
import type { DataPlaneConfig } from './config.js';

const RDS_HOST = /\.rds\.amazonaws\.com$/;
const CACHE_HOST = /\.cache\.amazonaws\.com$/;

/** A secret's value as ECS injects it: the whole SecretString, or one key of its JSON (`arn:json-key:stage:version`). */
export function secretValue(world: World, valueFrom: string): string | undefined {
  const ref = secretRef(world, valueFrom);
  const secret = ref?.secret?.data.secretString;
  if (secret === undefined || ref === undefined) return undefined;
  if (ref.jsonKey === undefined) return secret;
  try {
    const value = (JSON.parse(secret) as Record<string, unknown>)[ref.jsonKey];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function hostOfUrl(raw: string): string | undefined {
  try {
    return new URL(raw).hostname;
  } catch {
    return undefined;
  }
}

function postgresUrl(c: DataPlaneConfig): string {
  const pg = c.postgres;
  const auth = `${encodeURIComponent(pg.user)}${pg.password === undefined ? '' : `:${encodeURIComponent(pg.password)}`}`;
  return `postgres://${auth}@${pg.host.includes(':') ? `[${pg.host}]` : pg.host}:${pg.port}/${encodeURIComponent(pg.database)}?sslmode=disable`;
}

function redisUrl(c: DataPlaneConfig): string {
  const r = c.redis;
  return `redis://${r.password === undefined ? '' : `:${encodeURIComponent(r.password)}@`}${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
}

export interface ProcessEnvironmentInput {
  world: World;
  container: ContainerDefinition;
  config: DataPlaneConfig;
  /** The free loopback port the process listens on. */
  port: number;
  /** The sandbox's endpoint, for the workload's own AWS calls. */
  endpoint: string;
}

export function processEnvironment(i: ProcessEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    // Fargate sets these for every container.
    AWS_REGION: i.world.config.region,
    AWS_DEFAULT_REGION: i.world.config.region,
    AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
  };
  for (const e of i.container.environment ?? []) if (e.name) env[e.name] = e.value ?? '';
  for (const s of i.container.secrets ?? []) {
    // planStart checked every secret before the task could run; one that went away since reads as empty.
    if (s.name) env[s.name] = secretValue(i.world, s.valueFrom ?? '') ?? '';
  }
  const { config } = i;
  if (env['DB_HOST'] !== undefined && RDS_HOST.test(env['DB_HOST'])) {
    env['DB_HOST'] = config.postgres.host;
    env['DB_PORT'] = String(config.postgres.port);
    env['DB_NAME'] = config.postgres.database;
    env['DB_USER'] = config.postgres.user;
    if (config.postgres.password !== undefined) env['DB_PASSWORD'] = config.postgres.password;
    env['DB_SSL'] = 'disable';
    // The RDS-managed secret names the RDS master user and password, which do not exist on the local server: the
    // API would read them at start (DB_SECRET_ARN) and connect with them instead of the mapped user.
    delete env['DB_SECRET_ARN'];
  }
  if (env['DATABASE_URL'] !== undefined && RDS_HOST.test(hostOfUrl(env['DATABASE_URL']) ?? '')) env['DATABASE_URL'] = postgresUrl(config);
  if (env['REDIS_HOST'] !== undefined && CACHE_HOST.test(env['REDIS_HOST'])) {
    env['REDIS_HOST'] = config.redis.host;
    env['REDIS_PORT'] = String(config.redis.port);
    env['REDIS_TLS'] = 'false';
    if (config.redis.password !== undefined) env['REDIS_AUTH_TOKEN'] = config.redis.password;
    else delete env['REDIS_AUTH_TOKEN'];
  }
  if (env['REDIS_URL'] !== undefined && CACHE_HOST.test(hostOfUrl(env['REDIS_URL']) ?? '')) {
    env['REDIS_URL'] = redisUrl(config);
    delete env['REDIS_AUTH_TOKEN'];
  }
  if (config.cacheKeyPrefix !== undefined) env['CACHE_KEY_PREFIX'] = `${config.cacheKeyPrefix}${env['CACHE_KEY_PREFIX'] ?? 'three-tier:'}`;
  env['PORT'] = String(i.port);
  env['HOST'] = '127.0.0.1';
  env['AWS_ENDPOINT_URL'] = i.endpoint;
  env['AWS_ACCESS_KEY_ID'] = 'SANDBOXTASKROLE';
  env['AWS_SECRET_ACCESS_KEY'] = 'sandbox-task-role';
  return env;
}
