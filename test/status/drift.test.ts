import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AssociateRouteTableCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateLogGroupCommand, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { UpResult } from '../../src/provisioner.js';
import type { StackStatus } from '../../src/status/index.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { resource, statusOf, statusWhen } from './support.js';

/**
 * Changes made outside three-tier, each reported in words with its fix: a rule opening the database to the
 * internet, a deleted default route, a changed desired count, a deleted resource, and a rule removed so that the
 * targets turn unhealthy (with the diagnosis `up` gives). Each case puts the stack back as it found it.
 */
describe('status reports drift', () => {
  let h: Harness;
  let up: UpResult;
  const out = (id: string, key: string): string => up.outputs[id]?.[key] ?? '';
  before(async () => {
    h = await harness({ stack: 'drift' });
    up = await h.up();
  });
  after(async () => h.close());

  it('a rule that opens the database group to 0.0.0.0/0', async () => {
    const rds = out('sg-rds', 'groupId');
    const perm = { GroupId: rds, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    await h.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(perm));
    try {
      const s = await statusOf(h);
      assert.equal(s.verdict, 'drifted', s.reasons.join('; '));
      const d = s.drift.find((x) => x.resource === 'sg-rds');
      assert.equal(d?.change, 'rule-added');
      assert.equal(d?.what, `the database's security group (${rds}) admits TCP 5432 from anywhere (0.0.0.0/0): a rule three-tier did not make`);
      assert.match(d?.fix ?? '', new RegExp(`aws ec2 revoke-security-group-ingress --group-id ${rds} --protocol tcp --port 5432 --cidr 0\\.0\\.0\\.0/0`));
      assert.equal(s.drift.length, 1, 'nothing else drifted');
    } finally {
      await h.clients.ec2.send(new RevokeSecurityGroupIngressCommand(perm));
    }
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });

  it('an egress rule that lets the database group send anything to 0.0.0.0/0; up takes it away', async () => {
    const rds = out('sg-rds', 'groupId');
    await h.clients.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: rds, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const s = await statusOf(h);
    assert.equal(s.verdict, 'drifted', s.reasons.join('; '));
    const d = s.drift.find((x) => x.resource === 'sg-rds');
    assert.equal(d?.change, 'rule-added');
    assert.equal(d?.what, `the database's security group (${rds}) sends all traffic to anywhere (0.0.0.0/0): an egress rule three-tier did not make`);
    assert.match(d?.fix ?? '', new RegExp(`aws ec2 revoke-security-group-egress --group-id ${rds} --protocol -1 --cidr 0\\.0\\.0\\.0/0`));
    assert.equal(s.drift.length, 1, 'nothing else drifted');
    // The allow-all rule is the one up removes (AWS gives it to every new group).
    await h.up();
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });

  it('a missing egress rule of the tasks (to the cache) is drift, and up puts it back', async () => {
    const ecs = out('sg-ecs', 'groupId');
    const redis = out('sg-redis', 'groupId');
    await h.clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: ecs, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, UserIdGroupPairs: [{ GroupId: redis }] }] }));
    const s = await statusOf(h);
    const d = s.drift.find((x) => x.resource === 'sg-ecs');
    assert.equal(d?.change, 'rule-removed');
    assert.equal(d?.what, `the API tasks' security group (${ecs}) no longer sends TCP 6379 to the cache's group (${redis})`);
    await h.up();
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });

  it('a deleted default route of the private subnets', async () => {
    const rt = out('route-table-private', 'routeTableId');
    await h.clients.ec2.send(new DeleteRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0' }));
    try {
      const s = await statusOf(h);
      assert.equal(s.verdict, 'degraded', 'the tasks lost their way out');
      const d = s.drift.find((x) => x.resource === 'route-table-private');
      assert.equal(d?.change, 'route-missing');
      assert.match(d?.what ?? '', new RegExp(`the private route table \\(${rt}\\) has no default route \\(0\\.0\\.0\\.0/0\\): the tasks cannot reach ECR`));
      assert.match(d?.fix ?? '', /three-tier up/);
      assert.equal(resource(s, 'route-table-private').health, 'failed');
      assert.equal(s.tiers.ecs, 'failed');
    } finally {
      await h.clients.ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: out('nat-gateway', 'natGatewayId') }));
    }
  });

  it('a desired count changed outside three-tier', async () => {
    const svc = { cluster: 'drift', service: 'drift-api' };
    await h.clients.ecs.send(new UpdateServiceCommand({ ...svc, desiredCount: 2 }));
    try {
      const s = await statusOf(h);
      const d = s.drift.find((x) => x.resource === 'ecs-service');
      assert.equal(d?.what, "the service's desired count is 2; the stack says 1");
      assert.match(d?.fix ?? '', /three-tier up --tasks 1/);
      assert.equal(s.service?.desired, 2);
      assert.equal(s.verdict, 'drifted');
    } finally {
      await h.clients.ecs.send(new UpdateServiceCommand({ ...svc, desiredCount: 1 }));
    }
  });

  it('a resource deleted outside three-tier', async () => {
    await h.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: '/three-tier/drift/api' }));
    try {
      const s = await statusOf(h);
      assert.equal(resource(s, 'log-group').health, 'missing');
      assert.equal(resource(s, 'log-group').state, 'deleted');
      const d = s.drift.find((x) => x.resource === 'log-group');
      assert.equal(d?.change, 'deleted');
      assert.match(d?.what ?? '', /the log-group \/three-tier\/drift\/api \(log group\) was deleted outside three-tier/);
      assert.equal(s.verdict, 'degraded');
    } finally {
      await h.clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/three-tier/drift/api' }));
    }
  });

  it('a missing association is drift on a finished route table, and work to do on one whose create did not finish', async () => {
    const rt = out('route-table-public', 'routeTableId');
    const subnet = out('subnet-public-b', 'subnetId');
    const tables = await h.clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }));
    const association = tables.RouteTables?.[0]?.Associations?.find((a) => a.SubnetId === subnet)?.RouteTableAssociationId ?? '';
    await h.clients.ec2.send(new DisassociateRouteTableCommand({ AssociationId: association }));
    const saved = readFileSync(h.manifestPath, 'utf8');
    try {
      const drifted = await statusOf(h);
      assert.deepEqual(
        drifted.drift.map((d) => [d.resource, d.change]),
        [['route-table-public', 'association-missing']],
      );
      // As a run killed between CreateRouteTable and its associations leaves it: recorded, status creating.
      const manifest = JSON.parse(saved) as { resources: Record<string, { status: string }> };
      const record = manifest.resources['route-table-public'];
      assert.ok(record);
      record.status = 'creating';
      writeFileSync(h.manifestPath, JSON.stringify(manifest));
      const s = await statusOf(h);
      assert.deepEqual(s.drift, [], 'what a create has not done yet is not a change made outside three-tier');
      assert.equal(resource(s, 'route-table-public').health, 'pending');
      assert.match(resource(s, 'route-table-public').detail ?? '', /its create did not finish: `three-tier up` finishes it/);
    } finally {
      writeFileSync(h.manifestPath, saved);
      await h.clients.ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnet }));
    }
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });

  /**
   * Remove an ingress rule and read status once a target is unhealthy, then put the rule back. A long grace period
   * keeps ECS from replacing the unhealthy task at once, so the unhealthy target stays in view.
   */
  async function unhealthyWithout(perm: { GroupId: string; IpPermissions: IpPermission[] }, check: (s: StackStatus) => void): Promise<void> {
    const svc = { cluster: 'drift', service: 'drift-api' };
    await h.clients.ecs.send(new UpdateServiceCommand({ ...svc, healthCheckGracePeriodSeconds: 600 }));
    await h.clients.ec2.send(new RevokeSecurityGroupIngressCommand(perm));
    try {
      const s = await statusWhen(h, (x) => x.targets.some((t) => t.state === 'unhealthy'), 'an unhealthy target');
      assert.equal(s.verdict, 'degraded');
      check(s);
    } finally {
      await h.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(perm));
      await h.clients.ecs.send(new UpdateServiceCommand({ ...svc, healthCheckGracePeriodSeconds: 60 }));
    }
  }

  it("unhealthy targets after the database group stops admitting the tasks: the API's /health answers 503", async () => {
    const perm = { GroupId: out('sg-rds', 'groupId'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: out('sg-ecs', 'groupId') }] }] };
    await unhealthyWithout(perm, (s) => {
      assert.equal(s.targets.find((x) => x.state === 'unhealthy')?.reason, 'Target.ResponseCodeMismatch');
      assert.equal(s.drift.find((x) => x.resource === 'sg-rds')?.change, 'rule-removed');
    });
    await statusWhen(h, (x) => x.verdict === 'healthy', 'the stack healthy again');
  });

  it('unhealthy targets after the tasks group stops admitting the load balancer, with the diagnosis up gives', async () => {
    const ecs = out('sg-ecs', 'groupId');
    const perm = { GroupId: ecs, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: out('sg-alb', 'groupId') }] }] };
    await unhealthyWithout(perm, (s) => {
      const t = s.targets.find((x) => x.state === 'unhealthy');
      assert.equal(t?.reason, 'Target.Timeout');
      assert.equal(t?.diagnosis?.code, 'SG_CHAIN');
      assert.ok(s.diagnoses.some((d) => d.code === 'SG_CHAIN'));
      assert.ok(s.reasons.some((r) => /target\(s\) unhealthy/.test(r)));
      const d = s.drift.find((x) => x.resource === 'sg-ecs');
      assert.equal(d?.change, 'rule-removed');
      assert.equal(d?.what, `the API tasks' security group (${ecs}) no longer admits TCP 3000 from the load balancer's group (${out('sg-alb', 'groupId')})`);
    });
  });
});
