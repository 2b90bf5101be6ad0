import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventuallyPast, rejectsWith, sandbox } from './helpers.js';

/**
 * The fresh-id fault: for freshIdWindowMs after a create, a call that names the new resource to change it or to
 * point at it answers the service's NotFound (eventual consistency applies to every call), while describes follow
 * their own window. Through the real EC2 client.
 */
describe('sandbox: calls naming a fresh id', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetId: string;
  before(async () => {
    sb = await sandbox();
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.9.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? '';
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId ?? '';
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await control(sb, 'POST', '/_sandbox/faults', { freshIdWindowMs: 1000 });
    await new Promise((r) => setTimeout(r, 1050)); // the VPC and subnet are no longer fresh
  });
  after(async () => {
    await control(sb, 'POST', '/_sandbox/faults', { freshIdWindowMs: 0 });
    ec2.destroy();
    await sb.close();
  });

  it('AuthorizeSecurityGroupIngress on, or naming, a fresh group answers InvalidGroup.NotFound, then works', async () => {
    const alb = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'alb', VpcId: vpcId }))).GroupId ?? '';
    const app = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))).GroupId ?? '';
    // Describing by id is another matter (its own fault, consistencyWindowMs): it finds the group.
    assert.equal((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [app] }))).SecurityGroups?.[0]?.GroupId, app);
    const rule = { GroupId: app, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: alb }] }] };
    await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand(rule)), 'InvalidGroup.NotFound', new RegExp(`The security group '${app}' does not exist`));
    const out = await eventuallyPast(() => ec2.send(new AuthorizeSecurityGroupIngressCommand(rule)), 'InvalidGroup.NotFound');
    assert.equal(out.Return, true);
  });

  it('CreateRoute to a fresh NAT gateway answers InvalidNatGatewayID.NotFound, then works', async () => {
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId ?? '';
    const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId ?? '';
    await new Promise((r) => setTimeout(r, 1050)); // the address and route table are no longer fresh
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway?.NatGatewayId ?? '';
    const route = { RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat };
    await rejectsWith(ec2.send(new CreateRouteCommand(route)), 'InvalidNatGatewayID.NotFound', new RegExp(`The natGateway ID '${nat}' does not exist`));
    assert.equal((await eventuallyPast(() => ec2.send(new CreateRouteCommand(route)), 'InvalidNatGatewayID.NotFound')).Return, true);
  });
});
