import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { Manifest } from '../../src/engine/manifest.js';
import { createClients } from '../../src/aws/clients.js';
import { apiKeyOf, verifyStack } from '../../src/verify.js';
import { clientConfig, control, eventually } from '../sandbox/helpers.js';
import { apiService, apiTaskDefinition, ecsFixture, stageImage, targetsOf, type EcsFixture } from '../sandbox/fixtures-ecs.js';
import { runCli, scratchDir } from './cli.js';
import { closedPort, dataPlane, dataPlaneSandbox, dropCacheKeys, freshDatabase, type FreshDatabase } from './data-plane-support.js';

/**
 * verify names the tier that fails, through a sandbox's data plane: PostgreSQL or Redis unreachable for the API
 * (the data plane points at a closed port; the shared servers keep running), no target behind the load balancer,
 * nothing at the URL. And it sends the stack's API key from Secrets Manager, by the ARN the manifest records.
 * The services are built through the SDK (fixtures-ecs.ts), with a long grace period so that ECS keeps the
 * unhealthy task serving (the load balancer fails open to it) while verify looks.
 */
const TIME_SCALE = 0.01;
const RDS_ENV = {
  DB_HOST: 'tiers-db.c9akciq32.us-east-1.rds.amazonaws.com',
  DB_PORT: '5432',
  DB_NAME: 'threetier',
  DB_USER: 'threetier',
  DB_SSL: 'verify-full',
  REDIS_HOST: 'master.tiers-redis.abc123.use1.cache.amazonaws.com',
  REDIS_PORT: '6379',
  REDIS_TLS: 'true',
};

interface Served {
  sb: Sandbox;
  fx: EcsFixture;
  url: string;
  prefix: string;
}

/** A sandbox whose service runs the API (staged image) behind the fixture's load balancer; its loopback URL. */
async function served(over: { postgresPort?: number; redisPort?: number; database: string }, apiKey?: string): Promise<Served> {
  const config = dataPlane(over);
  const sb = await dataPlaneSandbox(config, TIME_SCALE);
  const fx = await ecsFixture(sb, 'tiers');
  const image = await stageImage(sb, 'v1', 'amd64');
  const cfg = clientConfig(sb);
  const ecs = new ECSClient(cfg);
  const td = apiTaskDefinition(fx, image, {}, RDS_ENV);
  if (apiKey !== undefined) {
    const arn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'tiers/api-key', SecretString: apiKey, Tags: [{ Key: 'three-tier:stack', Value: 'tiers' }] }))).ARN ?? '';
    td.containerDefinitions?.[0]?.secrets?.push({ name: 'API_KEY', valueFrom: arn });
    await new IAMClient(cfg).send(
      new PutRolePolicyCommand({
        RoleName: fx.execRole,
        PolicyName: fx.secretPolicy,
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [fx.secretArn, arn] }] }),
      }),
    );
  }
  await ecs.send(new CreateClusterCommand({ clusterName: 'tiers' }));
  const tdArn = (await ecs.send(new RegisterTaskDefinitionCommand(td))).taskDefinition?.taskDefinitionArn ?? '';
  await ecs.send(new CreateServiceCommand(apiService(fx, 'tiers', 'api', tdArn, { healthCheckGracePeriodSeconds: 1_000_000 })));
  const url = await eventually(async () => {
    const plane = await control<{ loadBalancers: { loadBalancerArn: string; url: string }[] }>(sb, 'GET', '/_sandbox/data-plane');
    return plane.body.loadBalancers.find((l) => l.loadBalancerArn === fx.lbArn)?.url;
  }, 30_000, 'the load balancer on a local port');
  return { sb, fx, url, prefix: config.cacheKeyPrefix ?? '' };
}

async function targetState(s: Served, state: string): Promise<void> {
  await eventually(async () => ((await targetsOf(s.sb, s.fx.tgArn)).some((t) => t.state === state) ? true : undefined), 60_000, `a ${state} target`);
}

interface Report {
  ok: boolean;
  failed?: { tier: string; step: string; reason: string };
}

async function verifyUrl(url: string, cwd: string): Promise<{ code: number | null; report: Report }> {
  const r = await runCli(['verify', '--url', url, '--json'], { cwd });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe('verify names the tier that fails', () => {
  const dir = scratchDir('verify-tiers');
  let db: FreshDatabase;
  let noCache: Served;
  let noDatabase: Served;
  let keyed: Served;
  const KEY = 'verify-test-key-0123456789abcdef';

  before(async () => {
    db = await freshDatabase();
    [noCache, noDatabase, keyed] = await Promise.all([
      closedPort().then((redisPort) => served({ database: db.name, redisPort })),
      closedPort().then((postgresPort) => served({ database: db.name, postgresPort })),
      served({ database: db.name }, KEY),
    ]);
  });
  after(async () => {
    await Promise.all([noCache, noDatabase, keyed].map((s) => s?.sb.close()));
    await db?.drop();
    await Promise.all([noCache, noDatabase, keyed].map((s) => (s ? dropCacheKeys(s.prefix) : undefined)));
  });

  it('Redis unreachable for the API: exit 3, the cache tier', async () => {
    await targetState(noCache, 'unhealthy');
    const { code, report } = await verifyUrl(noCache.url, dir);
    assert.equal(code, 3);
    assert.equal(report.ok, false);
    assert.equal(report.failed?.tier, 'cache', JSON.stringify(report));
    assert.equal(report.failed?.step, 'health');
  });

  it('PostgreSQL unreachable for the API: exit 3, the database tier', async () => {
    await targetState(noDatabase, 'unhealthy');
    const { code, report } = await verifyUrl(noDatabase.url, dir);
    assert.equal(code, 3);
    assert.equal(report.failed?.tier, 'database', JSON.stringify(report));
  });

  it('writes carry the API key read from the secret the manifest records; without it the API tier refuses them', async () => {
    await targetState(keyed, 'healthy');
    const clients = createClients({ region: 'us-east-1', endpoint: keyed.sb.endpoint, credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
    const secretArn = (await new SecretsManagerClient(clientConfig(keyed.sb)).send(new DescribeSecretCommand({ SecretId: 'tiers/api-key' }))).ARN ?? '';
    const config = { stack: 'tiers', region: 'us-east-1' };
    const manifest = { config, resources: { 'api-key': { kind: 'secret', status: 'ready', identity: { arn: secretArn }, createdAt: '', updatedAt: '' } } } as unknown as Manifest;
    const apiKey = await apiKeyOf(clients, manifest);
    assert.equal(apiKey, KEY);
    const withKey = await verifyStack({ url: keyed.url, apiKey });
    assert.equal(withKey.ok, true, JSON.stringify(withKey.failed));
    assert.equal(withKey.usedApiKey, true);
    assert.equal(await apiKeyOf(clients, { config, resources: {} } as unknown as Manifest), undefined, 'no key recorded, none sent');
    const without = await verifyStack({ url: keyed.url });
    assert.equal(without.ok, false);
    assert.equal(without.failed?.step, 'write');
    assert.equal(without.failed?.tier, 'API');
    assert.match(without.failed?.reason ?? '', /401.*records no API key/);
  });

  it('no target behind the load balancer: exit 3, the API tier (503 from the load balancer)', async () => {
    await new ECSClient(clientConfig(keyed.sb)).send(new UpdateServiceCommand({ cluster: 'tiers', service: 'api', desiredCount: 0 }));
    await eventually(async () => ((await fetch(`${keyed.url}/health`)).status === 503 ? true : undefined), 30_000, 'the load balancer to answer 503');
    const page = await fetch(`${keyed.url}/items`);
    assert.equal(page.headers.get('server'), 'awselb/2.0');
    assert.match(await page.text(), /503 Service Temporarily Unavailable/);
    const { code, report } = await verifyUrl(keyed.url, dir);
    assert.equal(code, 3);
    assert.equal(report.failed?.tier, 'API');
    assert.match(report.failed?.reason ?? '', /no target/);
  });

  it('nothing at the URL: exit 3, the load balancer tier', async () => {
    const { code, report } = await verifyUrl(`http://127.0.0.1:${await closedPort()}`, dir);
    assert.equal(code, 3);
    assert.equal(report.failed?.tier, 'load balancer');
  });
});
