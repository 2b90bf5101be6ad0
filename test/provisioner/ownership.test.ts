import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand } from '@aws-sdk/client-elasticache';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../src/aws/clients.js';
import { ThreeTierError } from '../../src/errors.js';
import { iamRoleName, stackNames } from '../../src/names.js';
import { mutatingCalls } from './expect.js';
import { harness, type Harness } from './harness.js';

/**
 * Names are not ownership: a resource that holds one of the stack's derived names without its `three-tier:stack`
 * tag is someone else's. For every kind found by a derived name (src/resources/ownership.ts), one such resource is
 * planted through the SDK, untagged: `up` must refuse naming each of them (NAME_TAKEN, a usage error) before any
 * change, and `destroy` must leave every one of them.
 */
const names = stackNames('demo');
const roleName = iamRoleName('demo', 'us-east-1', 'task-execution');

interface Foreign {
  kind: string;
  /** What the refusal names (the kind, and the name where the identity has one). */
  named: string;
  /** Whether it still exists. */
  exists: (c: AwsClients) => Promise<boolean>;
}

const present = async (p: Promise<unknown[] | undefined>): Promise<boolean> => ((await p.catch(() => [])) ?? []).length > 0;

const FOREIGN: Foreign[] = [
  { kind: 'load-balancer', named: 'load-balancer', exists: (c) => present(c.elbv2.send(new DescribeLoadBalancersCommand({ Names: [names.loadBalancer] })).then((o) => o.LoadBalancers)) },
  { kind: 'target-group', named: 'target-group', exists: (c) => present(c.elbv2.send(new DescribeTargetGroupsCommand({ Names: [names.targetGroup] })).then((o) => o.TargetGroups)) },
  {
    kind: 'listener',
    named: 'listener',
    exists: async (c) => {
      const lb = (await c.elbv2.send(new DescribeLoadBalancersCommand({ Names: [names.loadBalancer] }))).LoadBalancers?.[0];
      return present(c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn })).then((o) => o.Listeners));
    },
  },
  { kind: 'db-instance', named: `db-instance ${names.dbInstance}`, exists: (c) => present(c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.dbInstance })).then((o) => o.DBInstances)) },
  { kind: 'db-subnet-group', named: `db-subnet-group ${names.dbSubnetGroup}`, exists: (c) => present(c.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: names.dbSubnetGroup })).then((o) => o.DBSubnetGroups)) },
  {
    kind: 'cache-subnet-group',
    named: `cache-subnet-group ${names.cacheSubnetGroup}`,
    exists: (c) => present(c.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: names.cacheSubnetGroup })).then((o) => o.CacheSubnetGroups)),
  },
  {
    kind: 'replication-group',
    named: `replication-group ${names.replicationGroup}`,
    exists: (c) => present(c.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: names.replicationGroup })).then((o) => o.ReplicationGroups)),
  },
  { kind: 'ecr-repository', named: `ecr-repository ${names.repository}`, exists: (c) => present(c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.repository] })).then((o) => o.repositories)) },
  {
    kind: 'log-group',
    named: `log-group ${names.logGroup}`,
    exists: (c) => present(c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup })).then((o) => o.logGroups?.filter((g) => g.logGroupName === names.logGroup))),
  },
  { kind: 'secret', named: `secret ${names.secret['api-key']}`, exists: (c) => present(c.secrets.send(new DescribeSecretCommand({ SecretId: names.secret['api-key'] })).then((o) => [o])) },
  { kind: 'iam-role', named: `iam-role ${roleName}`, exists: (c) => present(c.iam.send(new GetRoleCommand({ RoleName: roleName })).then((o) => [o.Role])) },
  {
    kind: 'ecs-cluster',
    named: `ecs-cluster ${names.cluster}`,
    exists: (c) => present(c.ecs.send(new DescribeClustersCommand({ clusters: [names.cluster] })).then((o) => o.clusters?.filter((x) => x.status === 'ACTIVE'))),
  },
  {
    kind: 'task-definition',
    named: 'task-definition',
    exists: (c) => present(c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: names.taskFamily })).then((o) => [o.taskDefinition].filter((t) => t?.status === 'ACTIVE'))),
  },
  {
    kind: 'ecs-service',
    named: `ecs-service ${names.service}`,
    exists: (c) => present(c.ecs.send(new DescribeServicesCommand({ cluster: names.cluster, services: [names.service] })).then((o) => o.services?.filter((s) => s.status === 'ACTIVE'))),
  },
];

/** Someone's own resources under the stack's derived names, made with the SDK and no three-tier tag. */
async function plantForeign(c: AwsClients): Promise<void> {
  const vpcId = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnet = async (cidr: string, zone: string): Promise<string> =>
    (await c.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet?.SubnetId ?? '';
  const subnets = [await subnet('10.9.0.0/24', 'us-east-1a'), await subnet('10.9.1.0/24', 'us-east-1b')];

  const lb = await c.elbv2.send(new CreateLoadBalancerCommand({ Name: names.loadBalancer, Subnets: subnets, Scheme: 'internal', Type: 'application' }));
  const tg = await c.elbv2.send(new CreateTargetGroupCommand({ Name: names.targetGroup, Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip' }));
  await c.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups?.[0]?.TargetGroupArn }],
    }),
  );
  await c.rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: names.dbSubnetGroup, DBSubnetGroupDescription: 'theirs', SubnetIds: subnets }));
  // The README's example: someone's own database called demo-db.
  await c.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: names.dbInstance,
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'owner',
      ManageMasterUserPassword: true,
      DBSubnetGroupName: names.dbSubnetGroup,
    }),
  );
  await c.elasticache.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: names.cacheSubnetGroup, CacheSubnetGroupDescription: 'theirs', SubnetIds: subnets }));
  await c.elasticache.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: names.replicationGroup,
      ReplicationGroupDescription: 'theirs',
      Engine: 'redis',
      CacheNodeType: 'cache.t4g.micro',
      NumCacheClusters: 1,
      CacheSubnetGroupName: names.cacheSubnetGroup,
    }),
  );
  await c.ecr.send(new CreateRepositoryCommand({ repositoryName: names.repository }));
  await c.logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup }));
  await c.secrets.send(new CreateSecretCommand({ Name: names.secret['api-key'], SecretString: 'their own value' }));
  await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
  await c.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: names.taskFamily,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', essential: true }],
    }),
  );
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: names.cluster,
      serviceName: names.service,
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
      desiredCount: 0,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets, assignPublicIp: 'DISABLED' } },
    }),
  );
}

describe("resources with the stack's names that are not the stack's", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    await plantForeign(h.clients);
    for (const f of FOREIGN) assert.equal(await f.exists(h.clients), true, `${f.kind} was planted`);
  });
  after(async () => {
    await h.close();
  });

  it('up refuses with a usage error naming each of them, changes nothing and writes no manifest', async () => {
    const before = await h.calls();
    await assert.rejects(h.up(), (e: unknown) => {
      assert.ok(e instanceof ThreeTierError, String(e));
      assert.equal(e.code, 'NAME_TAKEN');
      assert.equal(e.kind, 'usage');
      for (const f of FOREIGN) assert.ok(e.message.includes(f.named), `names ${f.named}: ${e.message}`);
      return true;
    });
    assert.deepEqual(mutatingCalls(before, await h.calls()), {});
    assert.equal(existsSync(h.manifestPath), false);
  });

  for (const f of FOREIGN) {
    it(`destroy leaves their ${f.kind}`, async () => {
      // The first case runs destroy; the others check what it left.
      // With nothing of the stack there, destroy says there is no such stack.
      if (f === FOREIGN[0]) await assert.rejects(h.destroy(), (err: unknown) => (err as { code?: string }).code === 'NO_SUCH_STACK');
      assert.equal(await f.exists(h.clients), true, `their ${f.kind} is still there`);
    });
  }
});
