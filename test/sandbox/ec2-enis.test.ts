import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { createManagedEni, releaseManagedEnis } from '../../src/sandbox/enis.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';


describe('sandbox EC2: network interfaces other services leave behind', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetId: string;
  let sgId: string;
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
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId as string;
    sgId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'alb', VpcId: vpcId }))).GroupId as string;
  });

  it('describes requester-managed interfaces with their owner, attachment and public address, and filters them', async () => {
    const alb = createManagedEni(sb.world, {
      subnetId,
      groupIds: [sgId],
      description: 'ELB app/demo-alb/50dc6c495c0c9188',
      requesterId: 'amazon-elb',
      ownerRef: 'load-balancer:arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188',
      publicIp: '203.0.113.200',
    });
    const rds = createManagedEni(sb.world, { subnetId, groupIds: [], description: 'RDSNetworkInterface', requesterId: 'amazon-rds', ownerRef: 'db-instance:demo-db' });

    const all = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(all.NetworkInterfaces?.map((e) => e.NetworkInterfaceId), [alb.id, rds.id]);
    const one = all.NetworkInterfaces?.[0];
    assert.equal(one?.RequesterManaged, true);
    assert.equal(one?.RequesterId, 'amazon-elb');
    assert.equal(one?.Status, 'in-use');
    assert.equal(one?.Attachment?.Status, 'attached');
    assert.equal(one?.Association?.PublicIp, '203.0.113.200');
    assert.deepEqual(one?.Groups, [{ GroupId: sgId, GroupName: 'alb' }]);
    assert.equal(one?.PrivateIpAddress, '10.0.0.4', 'the first four addresses are reserved');
    assert.equal(all.NetworkInterfaces?.[1]?.Association, undefined);

    for (const [name, values, expected] of [
      ['subnet-id', [subnetId], [alb.id, rds.id]],
      ['group-id', [sgId], [alb.id]],
      ['status', ['in-use'], [alb.id, rds.id]],
      ['requester-managed', ['true'], [alb.id, rds.id]],
      ['requester-managed', ['false'], []],
      ['description', ['ELB *'], [alb.id]],
      ['association.public-ip', ['203.0.113.200'], [alb.id]],
    ] as const) {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: name, Values: [...values] }] }));
      assert.deepEqual(out.NetworkInterfaces?.map((e) => e.NetworkInterfaceId), expected, `filter ${name}=${values.join(',')}`);
    }
    const byId = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [rds.id] }));
    assert.equal(byId.NetworkInterfaces?.[0]?.Description, 'RDSNetworkInterface');
    await rejectsWith(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0123456789abcdef0'] })), 'InvalidNetworkInterfaceID.NotFound');
    await rejectsWith(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['nic-1'] })), 'InvalidNetworkInterfaceID.Malformed');
    const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0];
    assert.equal(subnet?.AvailableIpAddressCount, 256 - 5 - 2);
  });

  it('a lingering interface blocks DeleteSubnet, DeleteSecurityGroup and DeleteVpc until it is gone', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 400 });
    try {
      const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
      const ownerRef = 'load-balancer:demo-alb';
      const eni = createManagedEni(sb.world, { subnetId, groupIds: [sgId], description: 'ELB app/demo-alb/1', requesterId: 'amazon-elb', ownerRef, publicIp: '203.0.113.201' });

      const blocked = async () => {
        await rejectsWith(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation', new RegExp(`The subnet '${subnetId}' has dependencies`));
        await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: sgId })), 'DependencyViolation', new RegExp(`resource ${sgId} has a dependent object`));
        await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
      };
      await blocked();
      await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'DependencyViolation', /mapped public address/);

      // The owner is deleted: the interface turns available, detached, keeps its public address, and lingers.
      releaseManagedEnis(sb.world, ownerRef, 'linger');
      const lingering = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.id] }));
      assert.equal(lingering.NetworkInterfaces?.[0]?.Status, 'available');
      assert.equal(lingering.NetworkInterfaces?.[0]?.Association?.PublicIp, '203.0.113.201');
      assert.equal(lingering.NetworkInterfaces?.[0]?.Attachment, undefined);
      const available = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }));
      assert.equal(available.NetworkInterfaces?.length, 1);
      // Its address stays mapped while it lingers: the gateway cannot be detached yet.
      await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'DependencyViolation', /mapped public address/);
      await blocked();

      await eventually(async () => {
        const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
        return out.NetworkInterfaces?.length === 0 ? true : undefined;
      }, 3_000, 'the interface to go');
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sgId }));
      await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
      await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
      await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
      assert.deepEqual(await resources(sb), []);
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
    }
  });

  it('pages DescribeNetworkInterfaces', async () => {
    for (let i = 0; i < 6; i++) createManagedEni(sb.world, { subnetId, groupIds: [], description: `Fargate task ${i}`, requesterId: 'ecs', ownerRef: `ecs-task:${i}` });
    const first = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    assert.equal(first.NetworkInterfaces?.length, 5);
    const second = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.NetworkInterfaces?.length, 1);
    assert.equal(second.NextToken, undefined);
    const ips = new Set([...(first.NetworkInterfaces ?? []), ...(second.NetworkInterfaces ?? [])].map((e) => e.PrivateIpAddress));
    assert.equal(ips.size, 6, 'every interface has its own private address');
  });
});
