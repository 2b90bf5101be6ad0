import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, RDSClient, StartDBInstanceCommand, StopDBInstanceCommand } from '@aws-sdk/client-rds';
import { CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, eventually, sandbox } from './helpers.js';
import { apiService, apiTaskDefinition, ecsFixture, fixtureClients, stageImage, targetsOf, type EcsFixture } from './fixtures-ecs.js';

/**
 * The health of a task's targets follows the task's own connections, as on AWS where three-tier's API answers GET
 * /health with 503 when it cannot reach PostgreSQL or Redis: the database and cache groups must admit the task's
 * group (and the task's group let it out), and REDIS_TLS must match the replication group's transit encryption.
 * Everything is made and changed through the SDK.
 */
describe('sandbox ECS: target health follows the task to its database and cache', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let fx: EcsFixture;
  let image: string;
  let dbSg: string;
  let cacheSg: string;
  let env: Record<string, string>;
  let plainCacheHost: string;
  let n = 0;
  const ec2 = () => fixtureClients(sb).ec2;
  const fromEcs = (port: number): IpPermission[] => [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: fx.ecsSg }] }];

  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.002 } });
    const cfg = clientConfig(sb, { maxAttempts: 1 });
    ecs = new ECSClient(cfg);
    const rds = new RDSClient(cfg);
    const cache = new ElastiCacheClient(cfg);
    image = await stageImage(sb, 'v1', 'amd64');
    fx = await ecsFixture(sb, 'deps');
    await ecs.send(new CreateClusterCommand({ clusterName: 'deps' }));
    const group = async (name: string, port: number): Promise<string> => {
      const id = (await ec2().send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: fx.vpcId }))).GroupId ?? '';
      await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: fromEcs(port) }));
      return id;
    };
    dbSg = await group('deps-db', 5432);
    cacheSg = await group('deps-cache', 6379);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'deps', DBSubnetGroupDescription: 'deps', SubnetIds: fx.privateSubnets }));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'deps-db',
        Engine: 'postgres',
        EngineVersion: '16',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        ManageMasterUserPassword: true,
        DBSubnetGroupName: 'deps',
        VpcSecurityGroupIds: [dbSg],
        StorageEncrypted: true,
      }),
    );
    await cache.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'deps', CacheSubnetGroupDescription: 'deps', SubnetIds: fx.privateSubnets }));
    const replicationGroup = (id: string, tls: boolean) =>
      cache.send(
        new CreateReplicationGroupCommand({
          ReplicationGroupId: id,
          ReplicationGroupDescription: id,
          Engine: 'redis',
          CacheNodeType: 'cache.t4g.micro',
          NumCacheClusters: 1,
          CacheSubnetGroupName: 'deps',
          SecurityGroupIds: [cacheSg],
          TransitEncryptionEnabled: tls,
          AtRestEncryptionEnabled: true,
        }),
      );
    await replicationGroup('deps-cache', true);
    await replicationGroup('deps-plain', false);
    const dbHost = await eventually(async () => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'deps-db' }))).DBInstances?.[0]?.Endpoint?.Address, 10_000, 'the database endpoint');
    const primary = (id: string) =>
      eventually(async () => (await cache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0]?.NodeGroups?.[0]?.PrimaryEndpoint?.Address, 10_000, `${id}'s endpoint`);
    env = { DB_HOST: dbHost, DB_PORT: '5432', DB_USER: 'app', DB_NAME: 'app', DB_SSL: 'verify-full', REDIS_HOST: await primary('deps-cache'), REDIS_PORT: '6379', REDIS_TLS: 'true' };
    plainCacheHost = await primary('deps-plain');
  });
  after(async () => {
    await sb.close();
  });

  /** One task of a new service with this environment; ECS would replace an unhealthy task only after an hour. */
  async function deploy(overrides: Record<string, string> = {}): Promise<string> {
    n++;
    const td = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { family: `deps${n}` }, { ...env, ...overrides })));
    const name = `svc${n}`;
    await ecs.send(new CreateServiceCommand(apiService(fx, 'deps', name, td.taskDefinition?.taskDefinitionArn ?? '', { healthCheckGracePeriodSeconds: 3600 })));
    return name;
  }

  /** The target of the service's task once it is in `state`. */
  async function targetIn(name: string, state: 'healthy' | 'unhealthy') {
    const arn = await eventually(async () => (await ecs.send(new ListTasksCommand({ cluster: 'deps', serviceName: name }))).taskArns?.[0], 5_000, `a task of ${name}`);
    const ip = await eventually(async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: 'deps', tasks: [arn] }))).tasks?.[0];
      return t?.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;
    }, 5_000, 'the task address');
    return eventually(async () => (await targetsOf(sb, fx.tgArn)).find((t) => t.id === ip && t.state === state), 8_000, `${name}'s target ${state}`);
  }

  async function cacheLogLines(): Promise<string[]> {
    const logs = new CloudWatchLogsClient(clientConfig(sb));
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: fx.logGroup, filterPattern: '"health check failed"' }));
    return (out.events ?? []).map((e) => e.message ?? '');
  }

  it('turns healthy when the database and cache groups admit the task and the TLS settings match', async () => {
    const target = await targetIn(await deploy(), 'healthy');
    assert.equal(target.port, 3000);
  });

  it("the database group's ingress from the task group removed: /health answers 503, the target turns unhealthy", async () => {
    const name = await deploy();
    await targetIn(name, 'healthy');
    await ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: fromEcs(5432) }));
    try {
      const target = await targetIn(name, 'unhealthy');
      assert.equal(target.reason, 'Target.ResponseCodeMismatch');
      assert.equal(target.description, 'Health checks failed with these codes: [503]');
      assert.ok((await cacheLogLines()).some((l) => JSON.parse(l).service === 'database'), 'the API logs why');
    } finally {
      await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: fromEcs(5432) }));
    }
    await targetIn(name, 'healthy');
  });

  it('the database stopped: it takes no connections, /health answers 503, the target turns unhealthy until it is started', async () => {
    const name = await deploy();
    await targetIn(name, 'healthy');
    const rds = new RDSClient(clientConfig(sb));
    await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'deps-db' }));
    try {
      const target = await targetIn(name, 'unhealthy');
      assert.equal(target.description, 'Health checks failed with these codes: [503]');
    } finally {
      await eventually(async () => ((await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'deps-db' }))).DBInstances?.[0]?.DBInstanceStatus === 'stopped' ? true : undefined), 10_000, 'the database stopped');
      await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'deps-db' }));
    }
    await targetIn(name, 'healthy');
  });

  it("the cache group's ingress from the task group removed: the target turns unhealthy", async () => {
    const name = await deploy();
    await targetIn(name, 'healthy');
    await ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: cacheSg, IpPermissions: fromEcs(6379) }));
    try {
      assert.equal((await targetIn(name, 'unhealthy')).reason, 'Target.ResponseCodeMismatch');
    } finally {
      await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: cacheSg, IpPermissions: fromEcs(6379) }));
    }
    await targetIn(name, 'healthy');
  });

  it("the task group's egress limited to the load balancer: it cannot reach the database, the target turns unhealthy", async () => {
    const name = await deploy();
    await targetIn(name, 'healthy');
    const all: IpPermission[] = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    await ec2().send(new RevokeSecurityGroupEgressCommand({ GroupId: fx.ecsSg, IpPermissions: all }));
    try {
      assert.equal((await targetIn(name, 'unhealthy')).reason, 'Target.ResponseCodeMismatch');
      await ec2().send(new AuthorizeSecurityGroupEgressCommand({ GroupId: fx.ecsSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: dbSg }] }, { IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, UserIdGroupPairs: [{ GroupId: cacheSg }] }] }));
      await targetIn(name, 'healthy');
    } finally {
      await ec2().send(new AuthorizeSecurityGroupEgressCommand({ GroupId: fx.ecsSg, IpPermissions: all }));
    }
  });

  it('REDIS_TLS=false against a replication group with transit encryption: the target turns unhealthy', async () => {
    const target = await targetIn(await deploy({ REDIS_TLS: 'false' }), 'unhealthy');
    assert.equal(target.reason, 'Target.ResponseCodeMismatch');
    assert.ok((await cacheLogLines()).some((l) => JSON.parse(l).service === 'cache'));
  });

  it('REDIS_TLS=true against a replication group without transit encryption: unhealthy; REDIS_TLS=false: healthy', async () => {
    await targetIn(await deploy({ REDIS_HOST: plainCacheHost }), 'unhealthy');
    await targetIn(await deploy({ REDIS_HOST: plainCacheHost, REDIS_TLS: 'false' }), 'healthy');
  });
});
