import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DescribeRouteTablesCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, sandbox, rejectsWith } from './helpers.js';


// timeScale 0.01: NAT create 900 ms (long enough to see a route to a pending gateway), NAT delete 600 ms.
describe('sandbox EC2: route tables', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetId: string;
  let igwId: string;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.01 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId as string;
    igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  });

  async function table(id: string): Promise<RouteTable> {
    return (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables?.[0] as RouteTable;
  }

  async function newTable(token?: string): Promise<string> {
    return (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ...(token ? { ClientToken: token } : {}) }))).RouteTable?.RouteTableId as string;
  }

  it('creates a route table with its local route, idempotent by ClientToken, tagged on create', async () => {
    const out = await ec2.send(
      new CreateRouteTableCommand({
        VpcId: vpcId,
        ClientToken: 'rtb-public-token',
        TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'three-tier:resource', Value: 'public-rt' }] }],
      }),
    );
    const id = out.RouteTable?.RouteTableId as string;
    assert.match(id, /^rtb-[0-9a-f]{17}$/);
    assert.equal(out.ClientToken, 'rtb-public-token');
    assert.deepEqual(out.RouteTable?.Routes, [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);
    assert.deepEqual(out.RouteTable?.Associations, []);
    const again = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ClientToken: 'rtb-public-token' }));
    assert.equal(again.RouteTable?.RouteTableId, id);
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId as string;
    await rejectsWith(ec2.send(new CreateRouteTableCommand({ VpcId: otherVpc, ClientToken: 'rtb-public-token' })), 'IdempotentParameterMismatch');
    const byTag = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:three-tier:resource', Values: ['public-rt'] }] }));
    assert.deepEqual(byTag.RouteTables?.map((t) => t.RouteTableId), [id]);
    await rejectsWith(ec2.send(new CreateRouteTableCommand({ VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound');
    await rejectsWith(ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0123456789abcdef0'] })), 'InvalidRouteTableID.NotFound');
  });

  it('adds a default route to the internet gateway, active while attached, and refuses a second one', async () => {
    const id = await newTable();
    assert.deepEqual(await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })).then((o) => o.Return), true);
    const routes = (await table(id)).Routes;
    assert.deepEqual(routes?.[1], { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId, Origin: 'CreateRoute', State: 'active' });
    await rejectsWith(
      ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })),
      'RouteAlreadyExists',
      /The route identified by 0.0.0.0\/0 already exists/,
    );
    const byGateway = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.gateway-id', Values: [igwId] }] }));
    assert.deepEqual(byGateway.RouteTables?.map((t) => t.RouteTableId), [id]);
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    assert.equal((await table(id)).Routes?.[1]?.State, 'blackhole', 'a detached gateway leaves a blackhole');
  });

  it('validates route targets and destinations', async () => {
    const id = await newTable();
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' })), 'InvalidGatewayID.NotFound');
    const loose = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await rejectsWith(
      ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', GatewayId: loose })),
      'InvalidParameterValue',
      /belong to different networks/,
    );
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '10.0.1.0/24', GatewayId: igwId })), 'InvalidParameterValue', /more specific/);
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/33', GatewayId: igwId })), 'InvalidParameterValue');
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0' })), 'MissingParameter');
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: 'rtb-0123456789abcdef0', DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })), 'InvalidRouteTableID.NotFound');
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123456789abcdef0' })), 'InvalidNatGatewayID.NotFound');
  });

  it('routes to a NAT gateway that is still pending (blackhole until available), and to no deleted one', async () => {
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
    const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway?.NatGatewayId as string;
    const id = await newTable();
    await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
    const pending = (await table(id)).Routes?.[1];
    assert.equal(pending?.NatGatewayId, natId);
    assert.equal(pending?.State, 'blackhole');
    await eventually(async () => ((await table(id)).Routes?.[1]?.State === 'active' ? true : undefined), 3_000, 'NAT route active');
    const byNat = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: [natId] }] }));
    assert.deepEqual(byNat.RouteTables?.map((t) => t.RouteTableId), [id]);

    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    await eventually(async () => ((await table(id)).Routes?.[1]?.State === 'blackhole' ? true : undefined), 3_000, 'NAT route blackhole');
    const other = await newTable();
    await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: other, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId })), 'InvalidNatGatewayID.NotFound');

    await ec2.send(new DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0' }));
    assert.equal((await table(id)).Routes?.length, 1);
    await rejectsWith(ec2.send(new DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0' })), 'InvalidRoute.NotFound');
    await rejectsWith(ec2.send(new DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: '10.0.0.0/16' })), 'InvalidParameterValue', /cannot remove local route/);
  });

  it('replaces an existing route with another target, and only an existing one', async () => {
    const id = await newTable();
    await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
    const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway?.NatGatewayId as string;
    await ec2.send(new ReplaceRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
    const routes = (await table(id)).Routes;
    assert.equal(routes?.length, 2);
    assert.deepEqual([routes?.[1]?.NatGatewayId, routes?.[1]?.GatewayId], [natId, undefined]);
    await rejectsWith(
      ec2.send(new ReplaceRouteCommand({ RouteTableId: id, DestinationCidrBlock: '192.168.0.0/16', GatewayId: igwId })),
      'InvalidParameterValue',
      /Use CreateRoute instead/,
    );
  });

  it('associates subnets, refuses deleting an associated or main table, and disassociates', async () => {
    const id = await newTable();
    const assoc = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    assert.match(assoc.AssociationId ?? '', /^rtbassoc-[0-9a-f]{17}$/);
    assert.equal(assoc.AssociationState?.State, 'associated');
    const bySubnet = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
    assert.deepEqual(bySubnet.RouteTables?.map((t) => t.RouteTableId), [id]);
    assert.deepEqual(bySubnet.RouteTables?.[0]?.Associations?.map((a) => [a.RouteTableAssociationId, a.SubnetId, a.Main]), [[assoc.AssociationId, subnetId, false]]);

    const second = await newTable();
    await rejectsWith(ec2.send(new AssociateRouteTableCommand({ RouteTableId: second, SubnetId: subnetId })), 'Resource.AlreadyAssociated');
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId as string;
    const foreign = (await ec2.send(new CreateSubnetCommand({ VpcId: otherVpc, CidrBlock: '10.1.0.0/20' }))).Subnet?.SubnetId as string;
    await rejectsWith(ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: foreign })), 'InvalidParameterValue', /different networks/);
    await rejectsWith(ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: 'subnet-0123456789abcdef0' })), 'InvalidSubnetID.NotFound');

    await rejectsWith(ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })), 'DependencyViolation', new RegExp(`The routeTable '${id}' has dependencies`));
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables?.[0];
    await rejectsWith(ec2.send(new DeleteRouteTableCommand({ RouteTableId: main?.RouteTableId })), 'DependencyViolation');
    await rejectsWith(
      ec2.send(new DisassociateRouteTableCommand({ AssociationId: main?.Associations?.[0]?.RouteTableAssociationId })),
      'InvalidParameterValue',
      /main route table association/,
    );

    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
    await rejectsWith(ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId })), 'InvalidAssociationID.NotFound');
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }));
    await rejectsWith(ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })), 'InvalidRouteTableID.NotFound');
  });

  it('drops a subnet association when the subnet is deleted', async () => {
    const id = await newTable();
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    assert.deepEqual((await table(id)).Associations, []);
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }));
  });

  it('pages DescribeRouteTables (MaxResults 5..100)', async () => {
    for (let i = 0; i < 6; i++) await newTable();
    const first = await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    assert.equal(first.RouteTables?.length, 5);
    const second = await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.RouteTables?.length, 2, 'six new tables and the main one');
    assert.equal(second.NextToken, undefined);
    await rejectsWith(ec2.send(new DescribeRouteTablesCommand({ MaxResults: 101 })), 'InvalidParameterValue');
  });
});
