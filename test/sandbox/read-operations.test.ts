import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { notModelled, whyNotModelled } from '../../src/sandbox/unmodelled.js';
import { clientConfig, sandbox } from './helpers.js';
import { buildStack, type StackFixture } from './fixtures-stack.js';

/**
 * Walks every read operation (List*, Describe*, Get*) of each SDK client the sandbox speaks, from the client
 * package's own `*Command` exports. Each is either served, with a minimal valid input below that must succeed on a
 * stack holding every modelled resource type, or deliberately not modelled (src/sandbox/unmodelled.ts, shown in
 * docs/sandbox.md), and must then answer the protocol's unknown-operation error naming it and the reason. A read
 * operation a new SDK release adds fails here until it is served or listed.
 */
type Input = (f: StackFixture) => object;

interface ServiceReads {
  /** The signing name the sandbox knows the service by. */
  service: string;
  /** Its heading in docs/sandbox.md's list of read operations not modelled. */
  title: string;
  pkg: string;
  client: string;
  /** Every read operation the sandbox serves, with a minimal valid input. */
  served: Record<string, Input>;
  /** Served reads whose answer on this stack is an AWS error by design (no such policy can exist in the sandbox). */
  answersError?: Record<string, string>;
}

const none: Input = () => ({});
const account = '123456789012';

const reads: ServiceReads[] = [
  {
    service: 'ec2',
    title: 'EC2',
    pkg: '@aws-sdk/client-ec2',
    client: 'EC2Client',
    served: {
      DescribeAccountAttributes: none,
      DescribeAddresses: none,
      DescribeAvailabilityZones: none,
      DescribeInternetGateways: none,
      DescribeNatGateways: none,
      DescribeNetworkInterfaceAttribute: (f) => ({ NetworkInterfaceId: f.eniId, Attribute: 'description' }),
      DescribeNetworkInterfaces: none,
      DescribeRouteTables: none,
      DescribeSecurityGroupReferences: (f) => ({ GroupId: [f.albSg] }),
      DescribeSecurityGroupRules: none,
      DescribeSecurityGroups: none,
      DescribeStaleSecurityGroups: (f) => ({ VpcId: f.vpcId }),
      DescribeSubnets: none,
      DescribeTags: none,
      DescribeVpcAttribute: (f) => ({ VpcId: f.vpcId, Attribute: 'enableDnsSupport' }),
      DescribeVpcEndpoints: none,
      DescribeVpcs: none,
      GetSecurityGroupsForVpc: (f) => ({ VpcId: f.vpcId }),
    },
  },
  {
    service: 'elasticloadbalancing',
    title: 'ELBv2',
    pkg: '@aws-sdk/client-elastic-load-balancing-v2',
    client: 'ElasticLoadBalancingV2Client',
    served: {
      DescribeListenerCertificates: (f) => ({ ListenerArn: f.listenerArn }),
      DescribeListeners: (f) => ({ LoadBalancerArn: f.lbArn }),
      DescribeLoadBalancerAttributes: (f) => ({ LoadBalancerArn: f.lbArn }),
      DescribeLoadBalancers: none,
      DescribeRules: (f) => ({ ListenerArn: f.listenerArn }),
      DescribeTags: (f) => ({ ResourceArns: [f.lbArn, f.tgArn, f.listenerArn] }),
      DescribeTargetGroupAttributes: (f) => ({ TargetGroupArn: f.tgArn }),
      DescribeTargetGroups: none,
      DescribeTargetHealth: (f) => ({ TargetGroupArn: f.tgArn }),
    },
  },
  {
    service: 'rds',
    title: 'RDS',
    pkg: '@aws-sdk/client-rds',
    client: 'RDSClient',
    served: {
      DescribeDBEngineVersions: () => ({ Engine: 'postgres' }),
      DescribeDBInstances: none,
      DescribeDBSnapshotAttributes: (f) => ({ DBSnapshotIdentifier: f.dbSnapshot }),
      DescribeDBSnapshots: none,
      DescribeDBSubnetGroups: none,
      DescribeOrderableDBInstanceOptions: () => ({ Engine: 'postgres', DBInstanceClass: 'db.t4g.micro' }),
      ListTagsForResource: (f) => ({ ResourceName: `arn:aws:rds:us-east-1:${account}:db:${f.dbInstance}` }),
    },
  },
  {
    service: 'elasticache',
    title: 'ElastiCache',
    pkg: '@aws-sdk/client-elasticache',
    client: 'ElastiCacheClient',
    served: {
      DescribeCacheClusters: () => ({ ShowCacheNodeInfo: true }),
      DescribeCacheEngineVersions: none,
      DescribeCacheSubnetGroups: none,
      DescribeReplicationGroups: none,
      DescribeSnapshots: none,
      ListTagsForResource: (f) => ({ ResourceName: `arn:aws:elasticache:us-east-1:${account}:replicationgroup:${f.replicationGroup}` }),
    },
  },
  {
    service: 'iam',
    title: 'IAM',
    pkg: '@aws-sdk/client-iam',
    client: 'IAMClient',
    served: {
      GetRole: (f) => ({ RoleName: f.roleName }),
      GetRolePolicy: (f) => ({ RoleName: f.roleName, PolicyName: f.policyName }),
      ListAttachedRolePolicies: (f) => ({ RoleName: f.roleName }),
      ListEntitiesForPolicy: (f) => ({ PolicyArn: f.managedPolicyArn }),
      ListInstanceProfilesForRole: (f) => ({ RoleName: f.roleName }),
      ListRolePolicies: (f) => ({ RoleName: f.roleName }),
      ListRoleTags: (f) => ({ RoleName: f.roleName }),
      ListRoles: none,
    },
  },
  {
    service: 'sts',
    title: 'STS',
    pkg: '@aws-sdk/client-sts',
    client: 'STSClient',
    served: {
      GetAccessKeyInfo: () => ({ AccessKeyId: 'AKIASANDBOX000000001' }),
      GetCallerIdentity: none,
    },
  },
  {
    service: 'ecs',
    title: 'ECS',
    pkg: '@aws-sdk/client-ecs',
    client: 'ECSClient',
    served: {
      DescribeClusters: (f) => ({ clusters: [f.cluster] }),
      DescribeContainerInstances: (f) => ({ cluster: f.cluster, containerInstances: ['0123456789abcdef0123456789abcdef'] }),
      DescribeServices: (f) => ({ cluster: f.cluster, services: [f.service] }),
      DescribeTaskDefinition: (f) => ({ taskDefinition: f.taskDefinitionArn }),
      DescribeTasks: (f) => ({ cluster: f.cluster, tasks: [f.taskArn] }),
      GetTaskProtection: (f) => ({ cluster: f.cluster, tasks: [f.taskArn] }),
      ListAttributes: (f) => ({ cluster: f.cluster, targetType: 'container-instance' }),
      ListClusters: none,
      ListContainerInstances: (f) => ({ cluster: f.cluster }),
      ListServices: (f) => ({ cluster: f.cluster }),
      ListTagsForResource: (f) => ({ resourceArn: `arn:aws:ecs:us-east-1:${account}:cluster/${f.cluster}` }),
      ListTaskDefinitionFamilies: none,
      ListTaskDefinitions: none,
      ListTasks: (f) => ({ cluster: f.cluster }),
    },
  },
  {
    service: 'logs',
    title: 'CloudWatch Logs',
    pkg: '@aws-sdk/client-cloudwatch-logs',
    client: 'CloudWatchLogsClient',
    served: {
      DescribeLogGroups: none,
      DescribeLogStreams: (f) => ({ logGroupName: f.logGroup }),
      DescribeMetricFilters: (f) => ({ logGroupName: f.logGroup }),
      DescribeSubscriptionFilters: (f) => ({ logGroupName: f.logGroup }),
      GetLogEvents: (f) => ({ logGroupName: f.logGroup, logStreamName: f.logStream }),
      ListLogGroups: none,
      ListTagsForResource: (f) => ({ resourceArn: `arn:aws:logs:us-east-1:${account}:log-group:${f.logGroup}` }),
      ListTagsLogGroup: (f) => ({ logGroupName: f.logGroup }),
    },
  },
  {
    service: 'ecr',
    title: 'ECR',
    pkg: '@aws-sdk/client-ecr',
    client: 'ECRClient',
    served: {
      DescribeImages: (f) => ({ repositoryName: f.repository }),
      DescribeRegistry: none,
      DescribeRepositories: none,
      GetAuthorizationToken: none,
      GetDownloadUrlForLayer: (f) => ({ repositoryName: f.repository, layerDigest: f.layerDigest }),
      GetLifecyclePolicy: (f) => ({ repositoryName: f.repository }),
      GetRegistryPolicy: none,
      GetRegistryScanningConfiguration: none,
      GetRepositoryPolicy: (f) => ({ repositoryName: f.repository }),
      ListImages: (f) => ({ repositoryName: f.repository }),
      ListTagsForResource: (f) => ({ resourceArn: `arn:aws:ecr:us-east-1:${account}:repository/${f.repository}` }),
    },
    answersError: {
      GetLifecyclePolicy: 'LifecyclePolicyNotFoundException',
      GetRegistryPolicy: 'RegistryPolicyNotFoundException',
      GetRepositoryPolicy: 'RepositoryPolicyNotFoundException',
    },
  },
  {
    service: 'secretsmanager',
    title: 'Secrets Manager',
    pkg: '@aws-sdk/client-secrets-manager',
    client: 'SecretsManagerClient',
    served: {
      DescribeSecret: (f) => ({ SecretId: f.secretArn }),
      GetRandomPassword: none,
      GetResourcePolicy: (f) => ({ SecretId: f.secretArn }),
      GetSecretValue: (f) => ({ SecretId: f.secretArn }),
      ListSecrets: none,
      ListSecretVersionIds: (f) => ({ SecretId: f.secretArn }),
    },
  },
];

type Module = Record<string, unknown>;
type Command = new (input: object) => unknown;
interface Client {
  send(command: unknown): Promise<unknown>;
}

/** The part of docs/sandbox.md that lists a service's read operations not modelled. */
function docsSection(title: string): string {
  const docs = readFileSync(new URL('../../../docs/sandbox.md', import.meta.url), 'utf8');
  const all = docs.slice(docs.indexOf('### Read operations not modelled'));
  const start = all.indexOf(`#### ${title}\n`);
  assert.ok(start >= 0, `docs/sandbox.md has no section #### ${title}`);
  const rest = all.slice(start + 1);
  const end = rest.search(/\n#{1,4} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The read operations a client package exports, by name. */
function readOperations(m: Module): string[] {
  return Object.keys(m)
    .filter((k) => k.endsWith('Command') && k !== 'Command' && typeof m[k] === 'function')
    .map((k) => k.slice(0, -'Command'.length))
    .filter((op) => /^(List|Describe|Get)/.test(op))
    .sort();
}

function clientOf(sb: Sandbox, m: Module, name: string): Client {
  const Ctor = m[name] as new (config: object) => Client;
  // No retries (an unknown operation must not be retried) and no host prefixes (the sandbox is one loopback host).
  return new Ctor({ ...clientConfig(sb, { maxAttempts: 1 }), disableHostPrefix: true });
}

async function call(client: Client, m: Module, op: string, input: object): Promise<Error | undefined> {
  try {
    await client.send(new (m[`${op}Command`] as Command)(input));
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

describe('sandbox read operations, walked from the SDK clients', () => {
  let sb: Sandbox;
  let stack: StackFixture;
  const modules = new Map<string, Module>();
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.001 } });
    stack = await buildStack(sb);
    for (const r of reads) modules.set(r.service, (await import(r.pkg)) as Module);
  });
  after(async () => {
    await sb.close();
  });

  it('knows every service the sandbox speaks', () => {
    assert.deepEqual(reads.map((r) => r.service).sort(), Object.keys(notModelled).sort());
  });

  for (const r of reads) {
    it(`${r.service}: every read operation of ${r.pkg} is either served or listed as not modelled, never both`, () => {
      const ops = readOperations(modules.get(r.service) as Module);
      assert.ok(ops.length > 0);
      const undecided = ops.filter((op) => !(op in r.served) && whyNotModelled(r.service, op) === undefined);
      assert.deepEqual(undecided, [], `read operations neither served nor listed in src/sandbox/unmodelled.ts`);
      const both = Object.keys(r.served).filter((op) => whyNotModelled(r.service, op) !== undefined);
      assert.deepEqual(both, [], 'served operations that unmodelled.ts also lists');
      const unknown = Object.keys(r.served).filter((op) => !ops.includes(op));
      assert.deepEqual(unknown, [], 'served operations the SDK client does not have');
    });

    it(`${r.service}: docs/sandbox.md lists every read operation not modelled, with its reason, and none that is served`, () => {
      const section = docsSection(r.title);
      const named = new Set(section.match(/\b(List|Describe|Get)[A-Za-z0-9]+\b/g) ?? []);
      const ops = readOperations(modules.get(r.service) as Module);
      const missing = ops.filter((op) => !(op in r.served) && !named.has(op));
      assert.deepEqual(missing, [], 'not modelled, yet not in docs/sandbox.md');
      const served = ops.filter((op) => op in r.served && named.has(op));
      assert.deepEqual(served, [], 'served, yet listed as not modelled in docs/sandbox.md');
      for (const entry of notModelled[r.service] ?? []) assert.ok(section.includes(entry.reason.slice(1)), `docs/sandbox.md lacks the reason "${entry.reason}"`);
    });

    it(`${r.service}: every served read operation answers a minimal valid input`, async () => {
      const m = modules.get(r.service) as Module;
      const client = clientOf(sb, m, r.client);
      const failures: string[] = [];
      for (const [op, input] of Object.entries(r.served)) {
        const e = await call(client, m, op, input(stack));
        const expected = r.answersError?.[op];
        if (expected === undefined && e) failures.push(`${op}: ${e.name}: ${e.message}`);
        if (expected !== undefined && e?.name !== expected) failures.push(`${op}: expected ${expected}, got ${e ? `${e.name}: ${e.message}` : 'success'}`);
      }
      assert.deepEqual(failures, []);
    });

    it(`${r.service}: every read operation listed as not modelled answers the unknown-operation error, naming it and why`, async () => {
      const m = modules.get(r.service) as Module;
      const client = clientOf(sb, m, r.client);
      const code = ['ec2', 'elasticloadbalancing', 'rds', 'elasticache', 'iam', 'sts'].includes(r.service) ? 'InvalidAction' : 'UnknownOperationException';
      const failures: string[] = [];
      for (const op of readOperations(m).filter((o) => !(o in r.served))) {
        const e = await call(client, m, op, {});
        const why = whyNotModelled(r.service, op) ?? '';
        const ok = e?.name === code && e.message.startsWith(`${op} is not modelled by the three-tier sandbox (${r.service}): ${why}.`);
        if (!ok) failures.push(`${op}: ${e ? `${e.name}: ${e.message}` : 'success'}`);
      }
      assert.deepEqual(failures, []);
    });
  }
});
