import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { AllocateAddressCommand, CreateSecurityGroupCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeLoadBalancersCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeReplicationGroupsCommand } from '@aws-sdk/client-elasticache';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { readManifest } from '../../src/engine/manifest.js';
import { subnetCidrs } from '../../src/config.js';
import { RESOURCE_TAG, STACK_TAG } from '../../src/engine/kind.js';
import type { UpResult } from '../../src/provisioner.js';
import { harness, type Harness } from './harness.js';
import { assertCompleteStack, live } from './expect.js';

/**
 * The whole life of a stack against the sandbox: up creates exactly the expected resources, wired as DESIGN.md
 * says and tagged; a second up is a no-op; the DB password never reaches the manifest; destroy leaves nothing.
 */
describe('up and destroy', () => {
  let h: Harness;
  let result: UpResult;

  before(async () => {
    h = await harness({ stack: 'demo' });
    result = await h.up();
  });
  after(async () => h.close());

  it('creates exactly the stack, every resource tagged, and returns the URL', async () => {
    assertCompleteStack(await h.tagged());
    assert.match(result.url, /^http:\/\/demo-alb-.*\.elb\.amazonaws\.com$/);
    assert.equal(result.created.length, 31);
    for (const r of await h.tagged()) assert.ok(r.tags[RESOURCE_TAG], `${r.type} ${r.id} has a ${RESOURCE_TAG} tag`);
    const manifest = readManifest(h.manifestPath);
    assert.ok(manifest);
    assert.equal(statSync(h.manifestPath).mode & 0o777, 0o600);
    for (const [id, r] of Object.entries(manifest.resources)) assert.equal(r.status, 'ready', `${id} is ready in the manifest`);
  });

  it('lays out the network: two zones, four subnets, public via the IGW, private via the NAT, DNS on', async () => {
    const manifest = readManifest(h.manifestPath);
    const zones = manifest?.config.availabilityZones ?? [];
    assert.equal(zones.length, 2);
    const vpcId = result.outputs['vpc']?.['vpcId'] ?? '';
    const subnets = (await h.clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? [];
    const cidrs = subnetCidrs(h.config.vpcCidr);
    assert.deepEqual(subnets.map((s) => s.CidrBlock).sort(), [...cidrs.public, ...cidrs.private].sort());
    assert.deepEqual([...new Set(subnets.map((s) => s.AvailabilityZone))].sort(), [...zones].sort());
    for (const s of subnets) assert.equal(s.Tags?.find((t) => t.Key === STACK_TAG)?.Value, 'demo');

    const tables = (await h.clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: ['demo'] }] }))).RouteTables ?? [];
    const byTier = (tier: string) => tables.find((t) => t.Tags?.some((x) => x.Key === RESOURCE_TAG && x.Value === `route-table-${tier}`));
    const publicRt = byTier('public');
    const privateRt = byTier('private');
    assert.equal(publicRt?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.GatewayId, result.outputs['internet-gateway']?.['internetGatewayId']);
    assert.equal(privateRt?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId, result.outputs['nat-gateway']?.['natGatewayId']);
    const assoc = (rt: typeof publicRt) => (rt?.Associations ?? []).filter((a) => !a.Main).map((a) => a.SubnetId).sort();
    assert.deepEqual(assoc(publicRt), [result.outputs['subnet-public-a']?.['subnetId'], result.outputs['subnet-public-b']?.['subnetId']].sort());
    assert.deepEqual(assoc(privateRt), [result.outputs['subnet-private-a']?.['subnetId'], result.outputs['subnet-private-b']?.['subnetId']].sort());
    // The association ids are in the manifest.
    assert.ok(readManifest(h.manifestPath)?.resources['route-table-private']?.identity?.['associationA']?.startsWith('rtbassoc-'));

    const dns = await h.clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
    assert.equal(dns.EnableDnsHostnames?.Value, true);
  });

  it('chains the security groups by group id; only the ALB group names a CIDR; egress only where a tier sends', async () => {
    const groups = (await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: ['demo'] }] }))).SecurityGroups ?? [];
    const id = (role: string) => result.outputs[`sg-${role}`]?.['groupId'];
    const ingress = (role: string) => groups.find((g) => g.GroupId === id(role))?.IpPermissions ?? [];
    assert.equal(groups.length, 4);
    const alb = ingress('alb');
    assert.equal(alb.length, 1);
    assert.equal(alb[0]?.FromPort, 80);
    assert.deepEqual(alb[0]?.IpRanges?.map((r) => r.CidrIp), ['0.0.0.0/0']);
    const expectFrom = (role: string, port: number, source: string) => {
      const rules = ingress(role);
      assert.equal(rules.length, 1, `${role} has one ingress rule`);
      assert.equal(rules[0]?.FromPort, port);
      assert.deepEqual(rules[0]?.UserIdGroupPairs?.map((p) => p.GroupId), [id(source)]);
      assert.equal(rules[0]?.IpRanges?.length ?? 0, 0, `${role} names no CIDR`);
    };
    expectFrom('ecs', 3000, 'alb');
    expectFrom('rds', 5432, 'ecs');
    expectFrom('redis', 6379, 'ecs');
    // Egress: exactly what each tier needs; AWS's allow-all rule is gone from every group.
    const egress = (role: string): string[] =>
      (groups.find((g) => g.GroupId === id(role))?.IpPermissionsEgress ?? [])
        .flatMap((p) => [...(p.IpRanges ?? []).map((r) => `${p.IpProtocol} ${p.FromPort} ${r.CidrIp}`), ...(p.UserIdGroupPairs ?? []).map((g) => `${p.IpProtocol} ${p.FromPort} ${g.GroupId}`)])
        .sort();
    assert.deepEqual(egress('alb'), [`tcp 3000 ${id('ecs')}`]);
    assert.deepEqual(egress('ecs'), [`tcp 443 0.0.0.0/0`, `tcp 5432 ${id('rds')}`, `tcp 6379 ${id('redis')}`].sort());
    assert.deepEqual(egress('rds'), []);
    assert.deepEqual(egress('redis'), []);
  });

  it('configures the load balancer, target group and listener', async () => {
    const lb = (await h.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['demo-alb'] }))).LoadBalancers?.[0];
    assert.equal(lb?.Scheme, 'internet-facing');
    assert.deepEqual(lb?.SecurityGroups, [result.outputs['sg-alb']?.['groupId']]);
    const tg = (await h.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['demo-tg'] }))).TargetGroups?.[0];
    assert.equal(tg?.TargetType, 'ip');
    assert.equal(tg?.HealthCheckPath, '/health');
    assert.equal(tg?.Port, 3000);
    const attrs = (await h.clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn }))).Attributes ?? [];
    assert.equal(attrs.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value, '30');
    const listeners = (await h.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).Listeners ?? [];
    assert.equal(listeners.length, 1);
    assert.equal(listeners[0]?.Port, 80);
    assert.equal(listeners[0]?.DefaultActions?.[0]?.TargetGroupArn, tg?.TargetGroupArn);
  });

  it('encrypts the database and the cache, keeps them private, and manages the password in Secrets Manager', async () => {
    const db = (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'demo-db' }))).DBInstances?.[0];
    assert.equal(db?.Engine, 'postgres');
    assert.equal(db?.StorageEncrypted, true);
    assert.equal(db?.PubliclyAccessible, false);
    assert.equal(db?.StorageType, 'gp3');
    assert.equal(db?.AllocatedStorage, 20);
    assert.ok(db?.MasterUserSecret?.SecretArn);
    assert.deepEqual(db?.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId), [result.outputs['sg-rds']?.['groupId']]);
    const rg = (await h.clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'demo-redis' }))).ReplicationGroups?.[0];
    assert.equal(rg?.TransitEncryptionEnabled, true);
    assert.equal(rg?.AtRestEncryptionEnabled, true);
    assert.equal(rg?.AutomaticFailover, 'disabled');
    assert.equal(rg?.AuthTokenEnabled, true, 'clients must AUTH with the token');
    assert.equal(result.outputs['cache']?.['host'], rg?.NodeGroups?.[0]?.PrimaryEndpoint?.Address);
  });

  it('wires the task definition and the service', async () => {
    const secretArn = result.outputs['database']?.['secretArn'] ?? '';
    const td = (await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition']?.['arn'] }))).taskDefinition;
    const c = td?.containerDefinitions?.[0];
    assert.equal(td?.networkMode, 'awsvpc');
    assert.equal(td?.cpu, '256');
    assert.equal(td?.memory, '512');
    assert.equal(td?.runtimePlatform?.cpuArchitecture, 'X86_64');
    assert.equal(td?.executionRoleArn, result.outputs['execution-role']?.['arn']);
    assert.equal(c?.name, 'api');
    const apiKeyArn = result.outputs['api-key']?.['arn'] ?? '';
    assert.match(apiKeyArn, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:demo\/api-key-[A-Za-z0-9]{6}$/);
    const redisAuthArn = result.outputs['redis-auth']?.['arn'] ?? '';
    assert.match(redisAuthArn, /:secret:demo\/redis-auth-token-[A-Za-z0-9]{6}$/);
    assert.deepEqual(c?.secrets, [
      { name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` },
      { name: 'API_KEY', valueFrom: apiKeyArn },
      { name: 'REDIS_AUTH_TOKEN', valueFrom: redisAuthArn },
    ]);
    const env = Object.fromEntries((c?.environment ?? []).map((e) => [e.name, e.value]));
    assert.equal(env['DB_HOST'], result.outputs['database']?.['address']);
    assert.equal(env['DB_SSL'], 'verify-full');
    assert.equal(env['REDIS_TLS'], 'true');
    assert.equal(env['REDIS_HOST'], result.outputs['cache']?.['host']);
    assert.equal(c?.logConfiguration?.options?.['awslogs-group'], '/three-tier/demo/api');
    assert.match(c?.image ?? '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/demo-api@sha256:[0-9a-f]{64}$/, 'deployed by digest');

    // The task role: the API's own identity, which may read only the database secret (to follow its rotation).
    assert.equal(td?.taskRoleArn, result.outputs['task-role']?.['arn']);
    assert.equal(td?.taskRoleArn, 'arn:aws:iam::123456789012:role/demo-us-east-1-task');
    assert.equal(Object.fromEntries((c?.environment ?? []).map((e) => [e.name, e.value]))['DB_SECRET_ARN'], secretArn);
    const taskPolicy = await h.clients.iam.send(new GetRolePolicyCommand({ RoleName: 'demo-us-east-1-task', PolicyName: 'demo-api-read-db-secret' }));
    const taskDoc = JSON.parse(decodeURIComponent(taskPolicy.PolicyDocument ?? '')) as { Statement: { Effect: string; Action: string; Resource: string }[] };
    assert.deepEqual(taskDoc.Statement.map((s) => [s.Effect, s.Action, s.Resource]), [['Allow', 'secretsmanager:GetSecretValue', secretArn]]);
    assert.deepEqual((await h.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'demo-us-east-1-task' }))).AttachedPolicies, []);
    assert.deepEqual((await h.clients.iam.send(new ListRolePoliciesCommand({ RoleName: 'demo-us-east-1-task' }))).PolicyNames, ['demo-api-read-db-secret']);

    // The execution role: only this account's ECS tasks may assume it; it may pull the stack's image, write its
    // logs and read its secrets, nothing else (no AWS managed policy).
    const exec = 'demo-us-east-1-task-execution';
    const policy = await h.clients.iam.send(new GetRolePolicyCommand({ RoleName: exec, PolicyName: 'demo-task-execution' }));
    const doc = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '')) as { Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[] };
    assert.deepEqual(
      doc.Statement.map((s) => [s.Effect, s.Action, s.Resource]),
      [
        ['Allow', ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], ['arn:aws:ecr:us-east-1:123456789012:repository/demo-api']],
        ['Allow', 'ecr:GetAuthorizationToken', '*'],
        ['Allow', ['logs:CreateLogStream', 'logs:PutLogEvents'], 'arn:aws:logs:us-east-1:123456789012:log-group:/three-tier/demo/api:*'],
        ['Allow', 'secretsmanager:GetSecretValue', [secretArn, apiKeyArn, redisAuthArn]],
      ],
    );
    assert.deepEqual((await h.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: exec }))).AttachedPolicies, []);
    assert.deepEqual((await h.clients.iam.send(new ListRolePoliciesCommand({ RoleName: exec }))).PolicyNames, ['demo-task-execution']);
    for (const role of [exec, 'demo-us-east-1-task']) {
      const got = (await h.clients.iam.send(new GetRoleCommand({ RoleName: role }))).Role;
      const trust = JSON.parse(decodeURIComponent(got?.AssumeRolePolicyDocument ?? '')) as { Statement: { Principal: unknown; Condition: unknown }[] };
      assert.deepEqual(trust.Statement.map((s) => [s.Principal, s.Condition]), [
        [
          { Service: 'ecs-tasks.amazonaws.com' },
          { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:123456789012:*' } },
        ],
      ], `${role} trusts only this account's ECS tasks`);
    }

    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['demo-api'] }))).services?.[0];
    assert.deepEqual(svc?.deploymentConfiguration?.deploymentCircuitBreaker, { enable: true, rollback: true });
    assert.equal(svc?.networkConfiguration?.awsvpcConfiguration?.assignPublicIp, 'DISABLED');
    assert.deepEqual(svc?.networkConfiguration?.awsvpcConfiguration?.securityGroups, [result.outputs['sg-ecs']?.['groupId']]);
    assert.deepEqual(
      [...(svc?.networkConfiguration?.awsvpcConfiguration?.subnets ?? [])].sort(),
      [result.outputs['subnet-private-a']?.['subnetId'], result.outputs['subnet-private-b']?.['subnetId']].sort(),
    );
    assert.equal(svc?.loadBalancers?.[0]?.containerPort, 3000);
    assert.equal(svc?.loadBalancers?.[0]?.targetGroupArn, result.outputs['target-group']?.['arn']);
    assert.equal(svc?.runningCount, 1);
    assert.equal(svc?.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState, 'COMPLETED');
  });

  it('never writes the DB password to the manifest or the events', async () => {
    const secretArn = result.outputs['database']?.['secretArn'] ?? '';
    const secret = await h.clients.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const password = (JSON.parse(secret.SecretString ?? '{}') as { password?: string }).password ?? '';
    assert.ok(password.length >= 8, 'the secret has a password');
    assert.ok(!readFileSync(h.manifestPath, 'utf8').includes(password), 'manifest');
    assert.ok(!JSON.stringify(h.sink.events).includes(password), 'events');
    assert.ok(readFileSync(h.manifestPath, 'utf8').includes(secretArn), 'the secret ARN is recorded as an output');
  });

  for (const [id, name] of [['api-key', 'demo/api-key'], ['redis-auth', 'demo/redis-auth-token']] as const) {
    it(`generates ${id} in a secret tagged with the stack, and never writes its value to the manifest or the events`, async () => {
      const arn = result.outputs[id]?.['arn'] ?? '';
      const described = await h.clients.secrets.send(new DescribeSecretCommand({ SecretId: name }));
      assert.equal(described.ARN, arn);
      assert.deepEqual(
        (described.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
        [`${RESOURCE_TAG}=${id}`, `${STACK_TAG}=demo`],
      );
      const value = (await h.clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '';
      // What both take: the API's key (16-512, no spaces) and ElastiCache's AUTH token (16-128 printable, no @ " /).
      assert.match(value, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!readFileSync(h.manifestPath, 'utf8').includes(value), 'manifest');
      assert.ok(!JSON.stringify(h.sink.events).includes(value), 'events');
      assert.ok(readFileSync(h.manifestPath, 'utf8').includes(arn), 'the secret ARN is recorded as an output');
    });
  }

  it('reports every phase with timings', () => {
    const events = h.resourceEvents();
    for (const phase of ['planned', 'creating', 'waiting', 'ready'] as const) assert.ok(events.some((e) => e.phase === phase), phase);
    assert.ok(events.filter((e) => e.phase === 'ready').every((e) => typeof e.elapsedMs === 'number'));
    assert.ok(events.some((e) => e.id === 'database' && e.phase === 'waiting' && /database demo-db to be available: creating/.test(e.detail ?? '')), 'says what it waits for');
    assert.ok(events.some((e) => e.id === 'ecs-service' && e.phase === 'waiting' && /healthy task/.test(e.detail ?? '')));
  });

  it('names the AWS id in every event of a resource once it is known (progress rows show it in every phase)', () => {
    const events = h.resourceEvents();
    for (const node of new Set(events.map((e) => e.id))) {
      const mine = events.filter((e) => e.id === node);
      const known = mine.findIndex((e) => e.awsId);
      assert.ok(known >= 0, `${node} is named`);
      for (const e of mine.slice(known)) assert.ok(e.awsId, `${node} ${e.phase} ${e.detail ?? ''} names its AWS id`);
      // A wait's progress (what it waits for) comes after the id is recorded and names it too.
      assert.ok(mine.slice(known).some((e) => e.phase === 'waiting'), `${node} waited`);
    }
    const ids = Object.fromEntries(events.filter((e) => e.phase === 'ready').map((e) => [e.id, e.awsId]));
    assert.match(ids['vpc'] ?? '', /^vpc-/);
    assert.match(ids['nat-eip'] ?? '', /^eipalloc-/);
    assert.equal(ids['ecr-repository'], 'demo-api');
    assert.equal(ids['log-group'], '/three-tier/demo/api');
    assert.equal(ids['ecs-cluster'], 'demo');
  });

  it('up again changes nothing: every node unchanged, only Describe/Get/List calls', async () => {
    const beforeCalls = await h.calls();
    h.sink.events.length = 0;
    const again = await h.up();
    const afterCalls = await h.calls();
    assert.equal(again.unchanged.length, 31);
    assert.deepEqual(again.created, []);
    assert.deepEqual(again.adopted, []);
    assert.equal(again.url, result.url);
    const made = Object.keys(afterCalls.operations).filter((k) => (afterCalls.operations[k] ?? 0) > (beforeCalls.operations[k] ?? 0));
    assert.ok(made.length > 0);
    for (const op of made) assert.match(op.split(':')[1] ?? '', /^(Describe|Get|List)/, `${op} is read-only`);
    const phases = new Set(h.resourceEvents().filter((e) => e.phase !== 'planned').map((e) => e.phase));
    assert.deepEqual([...phases], ['unchanged']);
    // The plan already knows every id: the rows name them before any work starts.
    for (const e of h.resourceEvents().filter((x) => x.phase === 'planned')) assert.ok(e.awsId, `${e.id} planned names its AWS id`);
  });

  it('one command at a time: up and destroy on a stack another run is changing fail with STACK_LOCKED', async () => {
    const first = h.up();
    for (const second of [h.up(), h.destroy()]) {
      await assert.rejects(second, (e: unknown) => (e as { code?: string }).code === 'STACK_LOCKED');
    }
    assert.equal((await first).unchanged.length, 31, 'the first run was not disturbed');
    assert.equal(existsSync(`${h.manifestPath}.lock`), false, 'and released the lock');
    assertCompleteStack(await h.tagged());
  });

  it('destroy leaves nothing of the stack (lingering interfaces waited out, strays swept) and removes the manifest', async () => {
    // Strays: tagged with the stack, unknown to the manifest and the graph. The group sits in the VPC, so it must
    // go before the VPC can.
    const vpcId = result.outputs['vpc']?.['vpcId'] ?? '';
    const stray = await h.clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'legacy',
        Description: 'made by hand',
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: STACK_TAG, Value: 'demo' }, { Key: RESOURCE_TAG, Value: 'legacy-sg' }] }],
      }),
    );
    const eip = await h.clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: STACK_TAG, Value: 'demo' }] }] }));
    h.sink.events.length = 0;
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    assert.ok(summary.deleted.includes(`stray:security-group:${stray.GroupId}`), summary.deleted.join(', '));
    assert.ok(summary.deleted.includes(`stray:elastic-ip:${eip.AllocationId}`));
    assert.equal(summary.deleted.filter((d) => !d.startsWith('stray:')).length, 31);
    assert.deepEqual(live(await h.tagged()), []);
    // Deleted for good, not scheduled for deletion: the name is free for the next up.
    for (const role of ['demo-us-east-1-task-execution', 'demo-us-east-1-task']) {
      await assert.rejects(h.clients.iam.send(new GetRoleCommand({ RoleName: role })), (e: unknown) => (e as Error).name === 'NoSuchEntityException');
    }
    for (const name of ['demo/api-key', 'demo/redis-auth-token']) {
      await assert.rejects(h.clients.secrets.send(new DescribeSecretCommand({ SecretId: name })), (e: unknown) => (e as Error).name === 'ResourceNotFoundException');
    }
    assert.equal(existsSync(h.manifestPath), false);
    assert.equal(existsSync(`${h.manifestPath}.lock`), false);
    const enis = (await h.clients.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    assert.deepEqual(enis.map((e) => e.Description), []);
    // The lingering interfaces were named while they blocked.
    const retrying = h.resourceEvents().filter((e) => e.phase === 'retrying');
    assert.ok(retrying.some((e) => /eni-[0-9a-f]+ \(/.test(e.detail ?? '')), 'a retry names the blocking interfaces');
    // The deleted load balancer's interfaces keep their public addresses while they linger: the gateway's detach
    // was refused ("has some mapped public address(es)") and retried until they had gone, and destroy completed.
    assert.ok(
      retrying.some((e) => e.id === 'internet-gateway' && /mapped public address/.test(e.detail ?? '')),
      retrying.map((e) => `${e.id}: ${e.detail ?? ''}`).join('\n'),
    );
    // Deletion order: the service first, the VPC last, the NAT gone before its address is released.
    const gone = h.resourceEvents().filter((e) => e.phase === 'gone' && !e.id.startsWith('stray:')).map((e) => e.id);
    assert.equal(gone[0], 'ecs-service');
    assert.equal(gone.at(-1), 'vpc');
    assert.ok(gone.indexOf('nat-gateway') < gone.indexOf('nat-eip'));
    assert.ok(gone.indexOf('sg-rds') < gone.indexOf('sg-ecs') && gone.indexOf('sg-ecs') < gone.indexOf('sg-alb'));
  });

  it('destroy again says there is no such stack (a typo must not look like success), and deletes nothing', async () => {
    const before = (await h.calls()).operations;
    await assert.rejects(h.destroy(), (err: unknown) => (err as { code?: string; kind?: string }).code === 'NO_SUCH_STACK' && (err as { kind?: string }).kind === 'usage');
    const after = (await h.calls()).operations;
    const mutations = Object.keys(after).filter((op) => !/:(Describe|List|Get)/.test(op) && after[op] !== before[op]);
    assert.deepEqual(mutations, []);
  });
});
