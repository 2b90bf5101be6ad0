import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, eventuallyPast, rejectsWith, sandbox } from './helpers.js';
import { addGuardDuty } from './fixtures-guardduty.js';

/**
 * VPC endpoints, made as GuardDuty Runtime Monitoring makes its own (an Interface endpoint to guardduty-data in the
 * VPC's subnets, with a security group of its own, both tagged GuardDutyManaged): their interfaces, states and
 * filters, and the deletions they block until they are gone. Through the real EC2 client.
 */
describe('sandbox EC2: VPC endpoints', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  let subnets: string[];

  before(async () => {
    // Slow enough that a call made right after another sees the state between them (deleting lasts 0.6 s here).
    sb = await sandbox({ world: { timeScale: 0.02 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 0 });
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
    subnets = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: az }))).Subnet?.SubnetId ?? '');
    }
  });
  after(async () => {
    ec2.destroy();
    await sb.close();
  });

  it('refuses an unknown service and two subnets in one zone, and makes nothing', async () => {
    await rejectsWith(
      ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.nothing', VpcEndpointType: 'Interface', SubnetIds: [subnets[0] ?? ''] })),
      'InvalidServiceName',
      /^The Vpc Endpoint Service 'com\.amazonaws\.us-east-1\.nothing' does not exist$/,
    );
    const extra = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.9.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? '';
    await rejectsWith(
      ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.logs', VpcEndpointType: 'Interface', SubnetIds: [subnets[0] ?? '', extra] })),
      'DuplicateSubnetsInSameZone',
    );
    await ec2.send(new DeleteSubnetCommand({ SubnetId: extra }));
    assert.deepEqual((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints, []);
  });

  it('a Gateway endpoint has no interface, yet its VPC cannot be deleted while it exists', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId ?? '';
    const id = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: 'com.amazonaws.us-east-1.s3' }))).VpcEndpoint?.VpcEndpointId ?? '';
    assert.equal((await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints?.[0]?.VpcEndpointType, 'Gateway');
    await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpc })), 'DependencyViolation', new RegExp(`The vpc '${vpc}' has dependencies and cannot be deleted`));
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    await eventuallyPast(() => ec2.send(new DeleteVpcCommand({ VpcId: vpc })), 'DependencyViolation');
  });

  it("an Interface endpoint holds an interface per subnet with its groups; it blocks the VPC, its subnets and its group until it is gone", async () => {
    const { endpointId, state } = await addGuardDuty(ec2, 'us-east-1', vpcId, subnets);
    const made = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    const endpoint = made.VpcEndpoints?.[0];
    const id = endpoint?.VpcEndpointId ?? '';
    assert.match(id, /^vpce-[0-9a-f]{17}$/);
    // On the wire the states are lowercase (pending, available, deleting), though the SDK's enum spells them Pending, ...
    assert.equal(state, 'pending');
    const groupId = endpoint?.Groups?.[0]?.GroupId ?? '';
    assert.match(endpoint?.Groups?.[0]?.GroupName ?? '', /^GuardDutyManagedSecurityGroup-vpc-/);
    assert.equal(endpoint?.NetworkInterfaceIds?.length, 2);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NetworkInterfaces ?? [];
    assert.deepEqual(enis.map((e) => e.NetworkInterfaceId).sort(), [...(endpoint?.NetworkInterfaceIds ?? [])].sort());
    for (const e of enis) {
      assert.equal(e.InterfaceType, 'vpc_endpoint');
      assert.equal(e.RequesterManaged, true);
      assert.equal(e.Description, `VPC Endpoint Interface ${id}`);
      assert.deepEqual(e.Groups?.map((g) => g.GroupId), [groupId]);
    }
    await eventually(async () => (((await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints?.[0]?.State as string) === 'available' ? true : undefined));
    const byFilter = async (name: string, value: string) =>
      ((await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: name, Values: [value] }] }))).VpcEndpoints ?? []).map((e) => e.VpcEndpointId);
    assert.deepEqual(await byFilter('vpc-id', vpcId), [id]);
    assert.deepEqual(await byFilter('service-name', 'com.amazonaws.us-east-1.guardduty-data'), [id]);
    assert.deepEqual(await byFilter('tag:GuardDutyManaged', 'true'), [id]);
    assert.deepEqual(await byFilter('vpc-id', 'vpc-00000000000000000'), []);

    await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', /has dependencies and cannot be deleted/);
    await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), 'DependencyViolation');
    await rejectsWith(ec2.send(new DeleteSubnetCommand({ SubnetId: subnets[0] ?? '' })), 'DependencyViolation');

    const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id, 'vpce-0123456789abcdef0'] }));
    assert.deepEqual(deleted.Unsuccessful, [
      { ResourceId: 'vpce-0123456789abcdef0', Error: { Code: 'InvalidVpcEndpointId.NotFound', Message: "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist" } },
    ]);
    assert.equal(String((await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints?.[0]?.State), 'deleting');
    await eventually(async () => {
      try {
        await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
        return undefined;
      } catch (e) {
        return (e as Error).name === 'InvalidVpcEndpointId.NotFound' ? true : undefined;
      }
    });
    // Gone with its interfaces: the group, the subnets and the VPC can go.
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    for (const s of subnets) await ec2.send(new DeleteSubnetCommand({ SubnetId: s }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });
});
