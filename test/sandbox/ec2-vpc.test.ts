import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DescribeNetworkAclsCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  waitUntilSubnetAvailable,
  waitUntilVpcAvailable,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { zonesOf } from '../../src/sandbox/services/ec2/zones.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';


const stackTag = (stack: string) => [{ ResourceType: 'vpc' as const, Tags: [{ Key: 'three-tier:stack', Value: stack }] }];

describe('sandbox EC2: VPCs, subnets, zones, tags', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.001 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    await control(sb, 'POST', '/_sandbox/reset');
  });

  async function vpc(cidr = '10.0.0.0/16', stack = 'demo'): Promise<string> {
    const out = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: stackTag(stack) }));
    return out.Vpc?.VpcId as string;
  }

  it('creates a VPC pending, with its default security group and main route table, and waitUntilVpcAvailable sees it available', async () => {
    const out = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: stackTag('demo') }));
    const vpcId = out.Vpc?.VpcId as string;
    assert.match(vpcId, /^vpc-[0-9a-f]{17}$/);
    assert.equal(out.Vpc?.State, 'pending');
    assert.equal(out.Vpc?.CidrBlock, '10.0.0.0/16');
    assert.equal(out.Vpc?.IsDefault, false);
    assert.deepEqual(out.Vpc?.Tags, [{ Key: 'three-tier:stack', Value: 'demo' }]);

    const waited = await waitUntilVpcAvailable({ client: ec2, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { VpcIds: [vpcId] });
    assert.equal(waited.state, 'SUCCESS');
    const described = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    assert.equal(described.Vpcs?.[0]?.State, 'available');

    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.equal(groups.SecurityGroups?.length, 1);
    assert.equal(groups.SecurityGroups?.[0]?.GroupName, 'default');
    const defaultGroup = groups.SecurityGroups?.[0];
    assert.deepEqual(
      defaultGroup?.IpPermissions?.map((p) => [p.IpProtocol, p.UserIdGroupPairs?.map((u) => u.GroupId)]),
      [['-1', [defaultGroup?.GroupId]]],
      'the default group lets in all traffic from itself',
    );
    assert.deepEqual(defaultGroup?.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges?.map((r) => r.CidrIp)]), [['-1', ['0.0.0.0/0']]]);

    const tables = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }),
    );
    assert.equal(tables.RouteTables?.length, 1);
    assert.deepEqual(tables.RouteTables?.[0]?.Routes, [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);

    const listed = await resources(sb);
    assert.deepEqual(listed.filter((r) => r.type === 'vpc').map((r) => r.tags), [{ 'three-tier:stack': 'demo' }]);
  });

  it('rejects bad VPC CIDRs the way AWS does', async () => {
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', /The CIDR '10.0.0.0\/8' is invalid/);
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/29' })), 'InvalidVpc.Range');
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.1/16' })), 'InvalidParameterValue', /not a valid CIDR block/);
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.300.0/16' })), 'InvalidParameterValue');
    await rejectsWith(ec2.send(new CreateVpcCommand({})), 'MissingParameter');
    await rejectsWith(
      ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue',
      /'subnet' is not a valid taggable resource type/,
    );
    await rejectsWith(
      ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'aws:x', Value: 'b' }] }] })),
      'InvalidParameterValue',
    );
    assert.equal((await resources(sb)).length, 0, 'nothing was created by a failed call');
  });

  it('stops at the VPC quota of 5 per region', async () => {
    for (let i = 0; i < 5; i++) await vpc(`10.${i}.0.0/16`);
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })), 'VpcLimitExceeded');
  });

  it('answers InvalidVpcID.NotFound and InvalidVpcID.Malformed', async () => {
    await rejectsWith(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })), 'InvalidVpcID.NotFound', /vpc-0123456789abcdef0/);
    await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound');
    await rejectsWith(ec2.send(new DescribeVpcsCommand({ VpcIds: ['banana'] })), 'InvalidVpcID.Malformed');
  });

  it('modifies one VPC attribute per call and describes it', async () => {
    const vpcId = await vpc();
    const before = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
    assert.equal(before.EnableDnsHostnames?.Value, false);
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const afterwards = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
    assert.equal(afterwards.EnableDnsHostnames?.Value, true);
    const support = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }));
    assert.equal(support.EnableDnsSupport?.Value, true);
    await rejectsWith(
      ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } })),
      'InvalidParameterCombination',
    );
    await rejectsWith(ec2.send(new ModifyVpcAttributeCommand({ VpcId: 'vpc-0123456789abcdef0', EnableDnsSupport: { Value: true } })), 'InvalidVpcID.NotFound');
  });

  it('filters VPCs by tag, tag-key, cidr and state, with wildcards, and rejects unknown filters', async () => {
    const a = await vpc('10.0.0.0/16', 'alpha');
    const b = await vpc('10.1.0.0/16', 'beta');
    const byTag = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['alpha'] }] }));
    assert.deepEqual(byTag.Vpcs?.map((v) => v.VpcId), [a]);
    const wildcard = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['b*'] }] }));
    assert.deepEqual(wildcard.Vpcs?.map((v) => v.VpcId), [b]);
    const byKey = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['three-tier:stack'] }] }));
    assert.equal(byKey.Vpcs?.length, 2);
    const noKey = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['other'] }] }));
    assert.equal(noKey.Vpcs?.length, 0);
    const byCidr = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.1.0.0/16'] }] }));
    assert.deepEqual(byCidr.Vpcs?.map((v) => v.VpcId), [b]);
    await eventually(async () => {
      const out = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }));
      return out.Vpcs?.length === 2 ? true : undefined;
    });
    await rejectsWith(ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })), 'InvalidParameterValue', /filter 'colour' is invalid/);
  });

  it('creates subnets pending then available (waitUntilSubnetAvailable), in the named zone', async () => {
    const vpcId = await vpc();
    const out = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.0.0.0/20',
        AvailabilityZone: 'us-east-1b',
        TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'three-tier:resource', Value: 'public-a' }] }],
      }),
    );
    const subnetId = out.Subnet?.SubnetId as string;
    assert.match(subnetId, /^subnet-[0-9a-f]{17}$/);
    assert.equal(out.Subnet?.State, 'pending');
    assert.equal(out.Subnet?.AvailabilityZone, 'us-east-1b');
    assert.equal(out.Subnet?.AvailabilityZoneId, 'use1-az2');
    assert.equal(out.Subnet?.AvailableIpAddressCount, 4096 - 5);
    const waited = await waitUntilSubnetAvailable({ client: ec2, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { SubnetIds: [subnetId] });
    assert.equal(waited.state, 'SUCCESS');
    const byTag = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:three-tier:resource', Values: ['public-a'] }, { Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(byTag.Subnets?.map((s) => [s.SubnetId, s.State]), [[subnetId, 'available']]);
    const byZone = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1a'] }] }));
    assert.equal(byZone.Subnets?.length, 0);
  });

  it('enforces subnet CIDR range, conflict and zone rules', async () => {
    const vpcId = await vpc();
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20', AvailabilityZone: 'us-east-1a' }));
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.0.0/24' })), 'InvalidSubnet.Range', /The CIDR '10.1.0.0\/24' is invalid/);
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.64.0/29' })), 'InvalidSubnet.Range');
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/15' })), 'InvalidSubnet.Range');
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.8.0/24' })), 'InvalidSubnet.Conflict', /conflicts with another subnet/);
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/16' })), 'InvalidSubnet.Conflict');
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.16.5/20' })), 'InvalidParameterValue', /not a valid CIDR block/);
    await rejectsWith(
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.16.0/20', AvailabilityZone: 'us-east-1z' })),
      'InvalidParameterValue',
      /availabilityZone is invalid.*us-east-1a, us-east-1b/,
    );
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.16.0/20' })), 'InvalidVpcID.NotFound');
    await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: undefined, CidrBlock: '10.0.16.0/20' })), 'MissingParameter');
    await rejectsWith(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] })), 'InvalidSubnetID.NotFound');
    await rejectsWith(ec2.send(new DeleteSubnetCommand({ SubnetId: 'subnet-0123456789abcdef0' })), 'InvalidSubnetID.NotFound');
  });

  it('modifies MapPublicIpOnLaunch, one attribute at a time', async () => {
    const vpcId = await vpc();
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20' }))).Subnet?.SubnetId as string;
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
    const out = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'map-public-ip-on-launch', Values: ['true'] }] }));
    assert.deepEqual(out.Subnets?.map((s) => s.SubnetId), [subnetId]);
    await rejectsWith(
      ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true }, MapCustomerOwnedIpOnLaunch: { Value: false } })),
      'InvalidParameterCombination',
    );
    await rejectsWith(ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, EnableResourceNameDnsARecordOnLaunch: { Value: true } })), 'InvalidParameterValue');
  });

  it('pages DescribeSubnets with MaxResults and NextToken, and validates both', async () => {
    const vpcId = await vpc();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24` }))).Subnet?.SubnetId as string);
    }
    const first = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    assert.equal(first.Subnets?.length, 5);
    assert.ok(first.NextToken);
    const second = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Subnets?.length, 2);
    assert.equal(second.NextToken, undefined);
    assert.deepEqual([...(first.Subnets ?? []), ...(second.Subnets ?? [])].map((s) => s.SubnetId), created);
    await rejectsWith(ec2.send(new DescribeSubnetsCommand({ MaxResults: 3 })), 'InvalidParameterValue', /between 5 and 1000/);
    await rejectsWith(ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: 'not-a-token' })), 'InvalidPaginationToken');
    // Zones are spread round-robin when none is named.
    const zones = new Set([...(first.Subnets ?? []), ...(second.Subnets ?? [])].map((s) => s.AvailabilityZone));
    assert.ok(zones.size > 1);
  });

  it('refuses DeleteVpc while subnets, an attached gateway, groups or route tables remain; takes the default group and main table with it', async () => {
    const vpcId = await vpc();
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20' }))).Subnet?.SubnetId as string;
    const blocked = () => rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', new RegExp(`The vpc '${vpcId}' has dependencies and cannot be deleted`));
    await blocked();
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));

    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await blocked();
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));

    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'app', Description: 'app' }))).GroupId as string;
    await blocked();
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }));

    const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string;
    await blocked();
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtb }));

    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    assert.deepEqual(await resources(sb), [], 'the default security group and the main route table went with the VPC');
    await rejectsWith(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })), 'InvalidVpcID.NotFound');
  });

  it('describes the availability zones of the region, with filters', async () => {
    const all = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(all.AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    assert.deepEqual(all.AvailabilityZones?.map((z) => z.ZoneId), ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6']);
    assert.ok(all.AvailabilityZones?.every((z) => z.State === 'available' && z.RegionName === 'us-east-1'));
    const some = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['us-east-1a', 'us-east-1c'] }, { Name: 'state', Values: ['available'] }] }),
    );
    assert.deepEqual(some.AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1a', 'us-east-1c']);
    const region = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'region-name', Values: ['eu-west-1'] }] }));
    assert.equal(region.AvailabilityZones?.length, 0);
    await rejectsWith(ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })), 'InvalidParameterValue');
    assert.deepEqual(zonesOf('eu-west-1'), [
      { name: 'eu-west-1a', id: 'euw1-az1' },
      { name: 'eu-west-1b', id: 'euw1-az2' },
      { name: 'eu-west-1c', id: 'euw1-az3' },
    ]);
    assert.equal(zonesOf('ap-southeast-2')[0]?.id, 'apse2-az1');
  });

  it('creates, deletes and describes tags', async () => {
    const vpcId = await vpc();
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20' }))).Subnet?.SubnetId as string;
    await ec2.send(new CreateTagsCommand({ Resources: [vpcId, subnetId], Tags: [{ Key: 'Name', Value: 'demo' }, { Key: 'env', Value: 'test' }] }));
    const forVpc = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }] }));
    assert.deepEqual(
      forVpc.Tags?.map((t) => [t.Key, t.Value, t.ResourceType]).sort(),
      [
        ['Name', 'demo', 'vpc'],
        ['env', 'test', 'vpc'],
        ['three-tier:stack', 'demo', 'vpc'],
      ],
    );
    const subnets = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['subnet'] }, { Name: 'key', Values: ['env'] }] }));
    assert.deepEqual(subnets.Tags?.map((t) => t.ResourceId), [subnetId]);

    // A value that does not match keeps the tag; no value removes it.
    await ec2.send(new DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'Name' }] }));
    const left = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    assert.deepEqual(left.Vpcs?.[0]?.Tags?.map((t) => t.Key).sort(), ['env', 'three-tier:stack']);
    const listed = (await resources(sb)).find((r) => r.id === vpcId);
    assert.deepEqual(listed?.tags, { 'three-tier:stack': 'demo', env: 'test' });

    await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: ['vpc-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidVpcID.NotFound');
    await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: ['thing-123'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidID');
    await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'aws:cloudformation', Value: 'b' }] })), 'InvalidParameterValue');
    await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'k'.repeat(129), Value: 'b' }] })), 'InvalidParameterValue');
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: many })), 'TagLimitExceeded');
  });

  it('answers NotFound for a fresh VPC inside the eventual-consistency window, then finds it', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 400 });
    try {
      const vpcId = await vpc();
      await rejectsWith(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })), 'InvalidVpcID.NotFound');
      await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'late', Value: 'tag' }] })), 'InvalidVpcID.NotFound');
      const listed = await ec2.send(new DescribeVpcsCommand({}));
      assert.equal(listed.Vpcs?.length, 0, 'a list without ids may omit it too');
      const found = await eventually(async () => {
        try {
          return (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs;
        } catch (e) {
          if ((e as Error).name === 'InvalidVpcID.NotFound') return undefined;
          throw e;
        }
      }, 3_000);
      assert.equal(found[0]?.VpcId, vpcId);
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    }
  });

  it('answers DryRunOperation for DryRun without changing anything, and InvalidAction for an operation it does not serve', async () => {
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', DryRun: true })), 'DryRunOperation');
    assert.equal((await resources(sb)).length, 0);
    await rejectsWith(ec2.send(new DescribeNetworkAclsCommand({})), 'InvalidAction', /^DescribeNetworkAcls is not modelled by the three-tier sandbox \(ec2\): network ACLs \(including the default one AWS creates with each VPC\)/);
  });
});
