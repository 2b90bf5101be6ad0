import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  waitUntilInternetGatewayExists,
  waitUntilNatGatewayAvailable,
  waitUntilNatGatewayDeleted,
  waitUntilSecurityGroupExists,
  waitUntilSubnetAvailable,
  waitUntilVpcAvailable,
  type ResourceType,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, resources, sandbox } from './helpers.js';

const stack = 'demo';
function tags(type: ResourceType, logicalId: string): TagSpecification[] {
  return [{ ResourceType: type, Tags: [{ Key: 'three-tier:stack', Value: stack }, { Key: 'three-tier:resource', Value: logicalId }] }];
}

/** Retry a call on the errors AWS answers while a dependency is still going away, as the provisioner must. */
async function retrying<T>(call: () => Promise<T>, retryOn: string[], timeoutMs = 5_000): Promise<{ result: T; retries: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let retries = 0; ; retries++) {
    try {
      return { result: await call(), retries };
    } catch (e) {
      if (!retryOn.includes((e as Error).name) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

// timeScale 0.0005: NAT create 45 ms, NAT delete 30 ms, a deleted NAT gateway listed for 1.8 s; interfaces linger 2.5 s
// (a fault setting), longer than the teardown takes to reach the subnets.
describe('sandbox EC2: the three-tier network, built and torn down', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  const wait = { maxWaitTime: 10, minDelay: 1, maxDelay: 1 };
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.0005 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 2_500 });
  });
  after(async () => {
    await sb.close();
  });

  it('builds VPC, 4 subnets over 2 zones, IGW, EIP, NAT, public and private routes and 4 chained groups, then tears it all down in reverse', async () => {
    // --- build
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: tags('vpc', 'vpc') }))).Vpc?.VpcId as string;
    await waitUntilVpcAvailable({ client: ec2, ...wait }, { VpcIds: [vpcId] });
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));

    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }))).AvailabilityZones ?? [];
    const [az1, az2] = [zones[0]?.ZoneName as string, zones[1]?.ZoneName as string];
    const subnetSpecs = [
      ['public-a', '10.0.0.0/20', az1],
      ['public-b', '10.0.16.0/20', az2],
      ['private-a', '10.0.32.0/20', az1],
      ['private-b', '10.0.48.0/20', az2],
    ] as const;
    const subnets: Record<string, string> = {};
    for (const [name, cidr, az] of subnetSpecs) {
      const out = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az, TagSpecifications: tags('subnet', name) }));
      subnets[name] = out.Subnet?.SubnetId as string;
    }
    await waitUntilSubnetAvailable({ client: ec2, ...wait }, { SubnetIds: Object.values(subnets) });

    const igwId = (await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tags('internet-gateway', 'igw') }))).InternetGateway
      ?.InternetGatewayId as string;
    await waitUntilInternetGatewayExists({ client: ec2, ...wait }, { InternetGatewayIds: [igwId] });
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tags('elastic-ip', 'nat-eip') }));
    const natId = (
      await ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: subnets['public-a'],
          AllocationId: eip.AllocationId,
          ClientToken: `${stack}-nat`,
          TagSpecifications: tags('natgateway', 'nat'),
        }),
      )
    ).NatGateway?.NatGatewayId as string;
    await waitUntilNatGatewayAvailable({ client: ec2, ...wait }, { NatGatewayIds: [natId] });

    const publicRt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ClientToken: `${stack}-public-rt`, TagSpecifications: tags('route-table', 'public-rt') })))
      .RouteTable?.RouteTableId as string;
    const privateRt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ClientToken: `${stack}-private-rt`, TagSpecifications: tags('route-table', 'private-rt') })))
      .RouteTable?.RouteTableId as string;
    await ec2.send(new CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
    const associations: string[] = [];
    for (const [name, rt] of [
      ['public-a', publicRt],
      ['public-b', publicRt],
      ['private-a', privateRt],
      ['private-b', privateRt],
    ] as const) {
      associations.push((await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnets[name] }))).AssociationId as string);
    }

    const groups: Record<string, string> = {};
    for (const name of ['alb', 'ecs', 'rds', 'redis']) {
      const out = await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `${stack}-${name}`, Description: `three-tier ${name}`, VpcId: vpcId, TagSpecifications: tags('security-group', `${name}-sg`) }),
      );
      groups[name] = out.GroupId as string;
    }
    await waitUntilSecurityGroupExists({ client: ec2, ...wait }, { GroupIds: Object.values(groups) });
    const ingress = (group: string, port: number, source: { cidr?: string; group?: string }) =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groups[group],
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: port,
              ToPort: port,
              ...(source.cidr ? { IpRanges: [{ CidrIp: source.cidr }] } : { UserIdGroupPairs: [{ GroupId: source.group }] }),
            },
          ],
        }),
      );
    await ingress('alb', 80, { cidr: '0.0.0.0/0' });
    await ingress('ecs', 3000, { group: groups['alb'] });
    await ingress('rds', 5432, { group: groups['ecs'] });
    await ingress('redis', 6379, { group: groups['ecs'] });

    // --- check what was built
    const privateTables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnets['private-b'] as string] }] }));
    assert.deepEqual(
      privateTables.RouteTables?.[0]?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId ?? r.NatGatewayId, r.State]),
      [
        ['10.0.0.0/16', 'local', 'active'],
        ['0.0.0.0/0', natId, 'active'],
      ],
    );
    const stackGroups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: [stack] }] }))).SecurityGroups ?? [];
    assert.equal(stackGroups.length, 4);
    const namingCidr = stackGroups.filter((g) => g.IpPermissions?.some((p) => (p.IpRanges?.length ?? 0) > 0)).map((g) => g.GroupName);
    assert.deepEqual(namingCidr, [`${stack}-alb`], 'no group but the ALB names a CIDR');
    const listed = await resources(sb);
    const tagged = listed.filter((r) => r.tags['three-tier:stack'] === stack);
    assert.equal(tagged.length, 1 + 4 + 1 + 1 + 1 + 2 + 4, 'vpc, subnets, igw, eip, nat, route tables, groups');

    // --- tear down in reverse dependency order
    for (const name of ['rds', 'redis', 'ecs', 'alb']) await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groups[name] }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    await waitUntilNatGatewayDeleted({ client: ec2, ...wait }, { NatGatewayIds: [natId] });
    const natListed = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NatGateways ?? [];
    assert.deepEqual(natListed.map((n) => n.State), ['deleted'], 'the deleted NAT gateway is still listed for a while');
    // Its interface went with it: it does not linger (the 2.5 s linger set above applies to load balancers, RDS and
    // ElastiCache only).
    const natEnis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'interface-type', Values: ['nat_gateway'] }] }))).NetworkInterfaces ?? [];
    assert.deepEqual(natEnis, []);
    await retrying(() => ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId })), ['AuthFailure', 'InvalidNetworkInterfaceID.NotFound']);
    for (const id of associations) await ec2.send(new DisassociateRouteTableCommand({ AssociationId: id }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: publicRt }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: privateRt }));
    await retrying(() => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), ['DependencyViolation']);
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    // The NAT gateway's interface went with the gateway (only load balancer, RDS and ElastiCache interfaces linger;
    // the 2.5 s linger set above does not apply to it), so public-a is free at once.
    for (const name of ['public-a', 'public-b', 'private-a', 'private-b']) await ec2.send(new DeleteSubnetCommand({ SubnetId: subnets[name] }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));

    await eventually(async () => ((await resources(sb)).length === 0 ? true : undefined), 5_000, 'every resource gone');
  });
});
