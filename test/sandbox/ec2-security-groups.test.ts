import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  waitUntilSecurityGroupExists,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, sandbox, rejectsWith } from './helpers.js';


describe('sandbox EC2: security groups', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.001 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
  });

  async function group(name: string, vpc = vpcId): Promise<string> {
    return (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} tier`, VpcId: vpc }))).GroupId as string;
  }

  async function describe1(id: string): Promise<SecurityGroup> {
    return (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups?.[0] as SecurityGroup;
  }

  const tcp = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port });

  it('creates a group with the default allow-all egress rule, tagged on create; waitUntilSecurityGroupExists retries through NotFound', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 400 });
    let id: string;
    try {
      const out = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'demo-alb',
          Description: 'ALB',
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }],
        }),
      );
      id = out.GroupId as string;
      assert.match(id, /^sg-[0-9a-f]{17}$/);
      assert.deepEqual(out.Tags, [{ Key: 'three-tier:stack', Value: 'demo' }]);
      await rejectsWith(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] })), 'InvalidGroup.NotFound', new RegExp(`The security group '${id}' does not exist`));
      const waited = await waitUntilSecurityGroupExists({ client: ec2, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { GroupIds: [id] });
      assert.equal(waited.state, 'SUCCESS');
      assert.ok(Object.keys(waited.observedResponses ?? {}).some((m) => /does not exist/.test(m)), JSON.stringify(waited.observedResponses));
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    }
    const g = await describe1(id);
    assert.equal(g.GroupName, 'demo-alb');
    assert.equal(g.Description, 'ALB');
    assert.equal(g.VpcId, vpcId);
    assert.deepEqual(g.IpPermissions, []);
    assert.deepEqual(g.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges?.map((r) => r.CidrIp), p.FromPort]), [['-1', ['0.0.0.0/0'], undefined]]);
  });

  it('validates CreateSecurityGroup: required parameters, name rules, duplicates per VPC', async () => {
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: undefined, Description: 'd', VpcId: vpcId })), 'MissingParameter', /groupName/);
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: undefined, VpcId: vpcId })), 'MissingParameter', /groupDescription/);
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'a'.repeat(256), Description: 'd', VpcId: vpcId })), 'InvalidParameterValue');
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'sg-web', Description: 'd', VpcId: vpcId })), 'InvalidParameterValue', /sg-\*/);
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'd', VpcId: vpcId })), 'InvalidParameterValue', /reserved/);
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ålb', Description: 'd', VpcId: vpcId })), 'InvalidParameterValue');
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'd' })), 'VPCIdNotSpecified');
    await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'd', VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound');
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'a'.repeat(255), Description: 'd'.repeat(255), VpcId: vpcId }));
    await group('app');
    await rejectsWith(group('app'), 'InvalidGroup.Duplicate', new RegExp(`The security group 'app' already exists for VPC '${vpcId}'`));
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId as string;
    await group('app', otherVpc);
  });

  it('chains groups by reference and refuses duplicates, unknown and malformed groups, bad protocols and ports', async () => {
    const alb = await group('alb');
    const ecs = await group('ecs');
    const albRule = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ ...tcp(80), IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'web' }] }] }),
    );
    assert.equal(albRule.Return, true);
    assert.match(albRule.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? '', /^sgr-/);
    assert.equal(albRule.SecurityGroupRules?.[0]?.CidrIpv4, '0.0.0.0/0');
    const ecsRule = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }] }));
    assert.equal(ecsRule.SecurityGroupRules?.[0]?.ReferencedGroupInfo?.GroupId, alb);

    const g = await describe1(ecs);
    assert.deepEqual(
      g.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.UserIdGroupPairs?.map((u) => u.GroupId), p.IpRanges]),
      [['tcp', 3000, 3000, [alb], []]],
    );
    assert.deepEqual((await describe1(alb)).IpPermissions?.[0]?.IpRanges, [{ CidrIp: '0.0.0.0/0', Description: 'web' }]);

    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ ...tcp(80), IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
      'InvalidPermission.Duplicate',
      /the specified rule "peer: 0.0.0.0\/0, TCP, from port: 80, to port: 80, ALLOW" already exists/,
    );
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }] })),
      'InvalidPermission.Duplicate',
    );
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3001), UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }] }] })),
      'InvalidGroup.NotFound',
    );
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0123456789abcdef0', IpPermissions: [{ ...tcp(1), IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })), 'InvalidGroup.NotFound');
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'alb', IpPermissions: [{ ...tcp(1), IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })), 'InvalidGroupId.Malformed');
    await rejectsWith(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-zzz'] })), 'InvalidGroupId.Malformed');
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ IpProtocol: 'smtp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })), 'InvalidParameterValue');
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })),
      'InvalidParameterValue',
    );
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ ...tcp(81), IpRanges: [{ CidrIp: '10.0.0/8' }] }] })), 'InvalidParameterValue', /malformed/);
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '10.0.0.0/8' }] }] })),
      'InvalidPermission.Duplicate',
    );
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId as string;
    const foreign = await group('foreign', otherVpc);
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3002), UserIdGroupPairs: [{ GroupId: foreign }] }] })), 'InvalidGroup.NotFound');
    assert.equal((await describe1(alb)).IpPermissions?.length, 1, 'failed calls added nothing');
  });

  it('filters groups by name, vpc, tag and referenced group, and pages them', async () => {
    const alb = await group('alb');
    const ecs = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'ecs',
          Description: 'ecs',
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'three-tier:resource', Value: 'ecs-sg' }] }],
        }),
      )
    ).GroupId as string;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }] }));
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['alb'] }, { Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(byName.SecurityGroups?.map((g) => g.GroupId), [alb]);
    const byTag = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:three-tier:resource', Values: ['ecs-sg'] }] }));
    assert.deepEqual(byTag.SecurityGroups?.map((g) => g.GroupId), [ecs]);
    const byRef = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-id', Values: [alb] }] }));
    assert.deepEqual(byRef.SecurityGroups?.map((g) => g.GroupId), [ecs]);
    await rejectsWith(ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['alb'] })), 'VPCIdNotSpecified');

    for (const n of ['a', 'b', 'c', 'd']) await group(n);
    const first = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    assert.equal(first.SecurityGroups?.length, 5);
    const second = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.SecurityGroups?.length, 2, 'the default group and six more');
    assert.equal(second.NextToken, undefined);
  });

  it('lists rules with DescribeSecurityGroupRules, tags them on create, and revokes by permission or by rule id', async () => {
    const alb = await group('alb');
    const ecs = await group('ecs');
    const added = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: ecs,
        IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }, { ...tcp(22), IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'purpose', Value: 'app' }] }],
      }),
    );
    assert.equal(added.SecurityGroupRules?.length, 2);
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [ecs] }] }));
    assert.deepEqual(
      rules.SecurityGroupRules?.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId]).sort(),
      [
        [false, 'tcp', 22, '10.0.0.0/16'],
        [false, 'tcp', 3000, alb],
        [true, '-1', -1, '0.0.0.0/0'],
      ],
    );
    const tagged = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['security-group-rule'] }] }));
    assert.equal(tagged.Tags?.length, 2);
    assert.ok(tagged.Tags?.every((t) => t.Key === 'purpose' && t.ResourceId?.startsWith('sgr-')));

    await rejectsWith(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] })),
      'InvalidPermission.NotFound',
    );
    const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }] }));
    assert.equal(revoked.Return, true);
    assert.equal(revoked.RevokedSecurityGroupRules?.[0]?.ReferencedGroupId, alb);
    const sshRule = added.SecurityGroupRules?.find((r) => r.FromPort === 22)?.SecurityGroupRuleId as string;
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ecs, SecurityGroupRuleIds: [sshRule] }));
    assert.deepEqual((await describe1(ecs)).IpPermissions, []);
    await rejectsWith(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ecs, SecurityGroupRuleIds: [sshRule] })), 'InvalidSecurityGroupRuleId.NotFound');
  });

  it('stops at 60 rules per direction', async () => {
    const app = await group('app');
    const ranges = Array.from({ length: 60 }, (_, i) => ({ CidrIp: `10.${i}.0.0/16` }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: app, IpPermissions: [{ ...tcp(443), IpRanges: ranges }] }));
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: app, IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '10.200.0.0/16' }] }] })),
      'RulesPerSecurityGroupLimitExceeded',
    );
    assert.equal((await describe1(app)).IpPermissions?.[0]?.IpRanges?.length, 60);
  });

  it('authorizes and revokes egress rules', async () => {
    const rds = await group('rds');
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: rds, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.deepEqual((await describe1(rds)).IpPermissionsEgress, []);
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: rds, IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await rejectsWith(
      ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: rds, IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
      'InvalidPermission.Duplicate',
    );
    assert.deepEqual((await describe1(rds)).IpPermissionsEgress?.map((p) => [p.IpProtocol, p.FromPort]), [['tcp', 443]]);
  });

  it('refuses to delete a referenced group or the default group; deletes in reverse order', async () => {
    const alb = await group('alb');
    const ecs = await group('ecs');
    const rds = await group('rds');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ecs, IpPermissions: [{ ...tcp(3000), UserIdGroupPairs: [{ GroupId: alb }] }] }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: rds, IpPermissions: [{ ...tcp(5432), UserIdGroupPairs: [{ GroupId: ecs }] }] }));
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb })), 'DependencyViolation', new RegExp(`resource ${alb} has a dependent object`));
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: ecs })), 'DependencyViolation');
    const defaultGroup = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }))).SecurityGroups?.[0];
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup?.GroupId })), 'CannotDelete');
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupName: 'alb' })), 'VPCIdNotSpecified');

    const out = await ec2.send(new DeleteSecurityGroupCommand({ GroupId: rds }));
    assert.equal(out.GroupId, rds);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: ecs }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb }));
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb })), 'InvalidGroup.NotFound');
    const left = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(left.SecurityGroups?.map((g) => g.GroupName), ['default']);
  });
});
