import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DescribeAccountAttributesCommand,
  DescribeNetworkInterfaceAttributeCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupReferencesCommand,
  DescribeSecurityGroupsCommand,
  DescribeStaleSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  GetSecurityGroupsForVpcCommand,
  AuthorizeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { createManagedEni } from '../../src/sandbox/enis.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

/**
 * EC2 reads beyond the describes three-tier uses, the caller's own network interfaces (created and deleted through
 * the API, unlike the requester-managed ones other services leave), and the filters AWS documents for the describes.
 */
describe('sandbox EC2: own network interfaces, account attributes and the other reads', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetId: string;
  let groupId: string;
  let otherVpcGroup: string;

  before(async () => {
    sb = await sandbox();
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId ?? '';
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? '';
    groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))).GroupId ?? '';
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc?.VpcId ?? '';
    otherVpcGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'other', Description: 'other', VpcId: otherVpc }))).GroupId ?? '';
  });
  after(async () => {
    await sb.close();
  });

  it('creates an interface of the caller: available, not requester-managed, in the VPC default group unless told, with the next free address', async () => {
    const out = await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Description: 'mine',
        TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'team', Value: 'a' }] }],
      }),
    );
    const eni = out.NetworkInterface;
    assert.equal(eni?.Status, 'available');
    assert.equal(eni?.RequesterManaged, false);
    assert.equal(eni?.RequesterId, undefined);
    assert.equal(eni?.Attachment, undefined);
    assert.equal(eni?.Description, 'mine');
    assert.equal(eni?.VpcId, vpcId);
    assert.equal(eni?.PrivateIpAddress, '10.1.0.4');
    assert.deepEqual(eni?.TagSet, [{ Key: 'team', Value: 'a' }]);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups;
    assert.deepEqual(eni?.Groups?.map((g) => g.GroupId), [groups?.[0]?.GroupId]);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId ?? '' }));
  });

  it('takes a chosen address, refuses one outside the subnet, reserved or taken, and never hands a taken one out again', async () => {
    const chosen = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.1.0.20', Groups: [groupId] }));
    assert.equal(chosen.NetworkInterface?.PrivateIpAddress, '10.1.0.20');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.1.0.20' })), 'InvalidIPAddress.InUse');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.1.5.20' })), 'InvalidParameterValue', /does not fall within the subnet's address range/);
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.1.0.2' })), 'InvalidParameterValue', /reserved/);
    // The sequential allocation (what other services' interfaces use) skips the caller's address.
    const subnet = sb.world.get<{ nextHost: number }>('subnet', subnetId);
    assert.ok(subnet);
    subnet.data.nextHost = 20;
    const managed = createManagedEni(sb.world, { subnetId, groupIds: [groupId], description: 'svc', requesterId: 'amazon-elb', ownerRef: 'load-balancer:x' });
    assert.equal(managed.data.privateIpAddress, '10.1.0.21');
    sb.world.remove('network-interface', managed.id);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: chosen.NetworkInterface?.NetworkInterfaceId ?? '' }));
  });

  it('is idempotent by ClientToken, refuses groups of another VPC, more than five groups and what it does not model', async () => {
    const first = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, ClientToken: 'token-1', Description: 'x' }));
    const again = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, ClientToken: 'token-1', Description: 'x' }));
    assert.equal(again.NetworkInterface?.NetworkInterfaceId, first.NetworkInterface?.NetworkInterfaceId);
    assert.equal(again.ClientToken, 'token-1');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, ClientToken: 'token-1', Description: 'y' })), 'IdempotentParameterMismatch');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [otherVpcGroup] })), 'InvalidParameterValue', /belong to different networks/);
    const six = [];
    for (let i = 0; i < 6; i++) six.push((await ec2.send(new CreateSecurityGroupCommand({ GroupName: `g${i}`, Description: 'g', VpcId: vpcId }))).GroupId ?? '');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: six })), 'SecurityGroupsPerInterfaceLimitExceeded');
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, SecondaryPrivateIpAddressCount: 2 })), 'InvalidParameterValue', /SecondaryPrivateIpAddressCount/);
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, InterfaceType: 'efa' })), 'InvalidParameterValue', /InterfaceType efa/);
    await rejectsWith(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-0123456789abcdef0' })), 'InvalidSubnetID.NotFound');
    for (const g of six) await ec2.send(new DeleteSecurityGroupCommand({ GroupId: g }));
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: first.NetworkInterface?.NetworkInterfaceId ?? '' }));
  });

  it('an own interface blocks its subnet and group until deleted; a requester-managed one cannot be deleted', async () => {
    const s2 = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24' }))).Subnet?.SubnetId ?? '';
    const g2 = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'blocked', Description: 'b', VpcId: vpcId }))).GroupId ?? '';
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s2, Groups: [g2] }))).NetworkInterface?.NetworkInterfaceId ?? '';
    await rejectsWith(ec2.send(new DeleteSubnetCommand({ SubnetId: s2 })), 'DependencyViolation');
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: g2 })), 'DependencyViolation');
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }));
    await rejectsWith(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })), 'InvalidNetworkInterfaceID.NotFound');
    await rejectsWith(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-zz' })), 'InvalidNetworkInterfaceID.Malformed');
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: g2 }));

    const managed = createManagedEni(sb.world, { subnetId: s2, groupIds: [groupId], description: 'ELB app/x/1', requesterId: 'amazon-elb', ownerRef: 'load-balancer:x' });
    await rejectsWith(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: managed.id })),
      'InvalidParameterValue',
      new RegExp(`^Network interface '${managed.id}' is currently in use\\.$`),
    );
    assert.ok(sb.world.get('network-interface', managed.id));
    sb.world.remove('network-interface', managed.id);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s2 }));
  });

  it('describes one attribute of an interface at a time', async () => {
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [groupId], Description: 'attr' }))).NetworkInterface?.NetworkInterfaceId ?? '';
    const attr = (Attribute: 'description' | 'groupSet' | 'sourceDestCheck' | 'attachment' | 'associatePublicIpAddress') =>
      ec2.send(new DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Attribute }));
    assert.deepEqual((await attr('description')).Description, { Value: 'attr' });
    assert.deepEqual((await attr('groupSet')).Groups, [{ GroupId: groupId, GroupName: 'app' }]);
    assert.deepEqual((await attr('sourceDestCheck')).SourceDestCheck, { Value: true });
    assert.equal((await attr('attachment')).Attachment, undefined);
    assert.equal((await attr('associatePublicIpAddress')).AssociatePublicIpAddress, false);
    const onlyOne = await attr('description');
    assert.equal(onlyOne.Groups, undefined);
    assert.equal(onlyOne.NetworkInterfaceId, eni);
    await rejectsWith(ec2.send(new DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni })), 'MissingParameter');
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }));
  });

  it('refuses interface ids together with MaxResults, as AWS documents', async () => {
    await rejectsWith(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0123456789abcdef0'], MaxResults: 5 })),
      'InvalidParameterCombination',
    );
  });

  it('reports the account as VPC-only without a default VPC, with the quotas the sandbox enforces', async () => {
    const all = (await ec2.send(new DescribeAccountAttributesCommand({}))).AccountAttributes ?? [];
    const values = Object.fromEntries(all.map((a) => [a.AttributeName, a.AttributeValues?.map((v) => v.AttributeValue)]));
    assert.deepEqual(values['supported-platforms'], ['VPC']);
    assert.deepEqual(values['default-vpc'], ['none']);
    assert.deepEqual(values['vpc-max-elastic-ips'], ['5']);
    assert.deepEqual(values['vpc-max-security-groups-per-interface'], ['5']);
    const one = (await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] }))).AccountAttributes ?? [];
    assert.deepEqual(one.map((a) => a.AttributeName), ['default-vpc']);
  });

  it('lists the groups a VPC can use, with filters; references and stale groups are none without peering', async () => {
    const groups = (await ec2.send(new GetSecurityGroupsForVpcCommand({ VpcId: vpcId }))).SecurityGroupForVpcs ?? [];
    assert.ok(groups.some((g) => g.GroupId === groupId && g.GroupName === 'app' && g.PrimaryVpcId === vpcId));
    assert.ok(groups.some((g) => g.GroupName === 'default'));
    assert.ok(!groups.some((g) => g.GroupId === otherVpcGroup));
    const named = (await ec2.send(new GetSecurityGroupsForVpcCommand({ VpcId: vpcId, Filters: [{ Name: 'group-name', Values: ['app'] }] }))).SecurityGroupForVpcs ?? [];
    assert.deepEqual(named.map((g) => g.GroupId), [groupId]);
    await rejectsWith(ec2.send(new GetSecurityGroupsForVpcCommand({ VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound');

    assert.deepEqual((await ec2.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [groupId] }))).SecurityGroupReferenceSet, []);
    await rejectsWith(ec2.send(new DescribeSecurityGroupReferencesCommand({ GroupId: ['sg-0123456789abcdef0'] })), 'InvalidGroup.NotFound');
    assert.deepEqual((await ec2.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId }))).StaleSecurityGroupSet, []);
    await rejectsWith(ec2.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId, MaxResults: 256 })), 'InvalidParameterValue', /between 5 and 255/);
  });

  it('accepts the filters AWS documents for route tables, subnets, groups and interfaces', async () => {
    // Route targets the sandbox never routes to match nothing; a documented name is never refused.
    const byInstance = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: ['i-*'] }] }));
    assert.deepEqual(byInstance.RouteTables, []);
    const main = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    assert.equal(main.RouteTables?.length, 1);
    await rejectsWith(ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.bogus', Values: ['x'] }] })), 'InvalidParameterValue', /route\.bogus/);
    await rejectsWith(ec2.send(new DescribeRouteTablesCommand({ NextToken: 'not-a-token' })), 'InvalidPaginationToken');

    const count = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0]?.AvailableIpAddressCount;
    const byCount = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'available-ip-address-count', Values: [String(count)] }] }));
    assert.deepEqual(byCount.Subnets?.map((s) => s.SubnetId), [subnetId]);
    const dns = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'private-dns-name-options-on-launch.hostname-type', Values: ['resource-name'] }] }));
    assert.deepEqual(dns.Subnets, []);

    const ref = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ref', Description: 'ref', VpcId: vpcId }))).GroupId ?? '';
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ref, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: groupId }] }] }));
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-name', Values: ['app'] }] }));
    assert.deepEqual(byName.SecurityGroups?.map((g) => g.GroupId), [ref]);
    // Groups with a group-reference rule (ref, and each VPC's default group, which admits itself); not `app`.
    const byUser = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.user-id', Values: ['123456789012'] }] }))).SecurityGroups ?? [];
    assert.deepEqual(byUser.map((g) => g.GroupName).sort(), ['default', 'default', 'ref']);

    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface;
    const filter = async (Name: string, value: string | undefined) =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values: [value ?? ''] }] }))).NetworkInterfaces?.map((e) => e.NetworkInterfaceId);
    assert.deepEqual(await filter('mac-address', eni?.MacAddress), [eni?.NetworkInterfaceId]);
    assert.deepEqual(await filter('private-dns-name', eni?.PrivateDnsName), [eni?.NetworkInterfaceId]);
    assert.deepEqual(await filter('availability-zone-id', 'use1-az1'), [eni?.NetworkInterfaceId]);
    assert.deepEqual(await filter('attachment.instance-id', 'i-*'), []);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId ?? '' }));
  });
});
