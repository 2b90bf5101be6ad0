import type {
  CreateSubnetRequest,
  CreateSubnetResult,
  CreateVpcRequest,
  CreateVpcResult,
  DeleteSubnetRequest,
  DeleteVpcRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  ModifySubnetAttributeRequest,
  ModifyVpcAttributeRequest,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { endpointsIn } from './vpc-endpoints.js';
import { contains, hasHostBits, overlaps, parseCidr, size, type Cidr } from '../../cidr.js';
import { freeAddresses } from '../../enis.js';
import { AwsError } from '../../errors.js';
import {
  ResourceType,
  type EniData,
  type InternetGatewayData,
  type RouteTableData,
  type SecurityGroupData,
  type SubnetData,
  type VpcData,
} from '../../model.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import {
  combination,
  dependencyViolation,
  ec2Arn,
  ec2op,
  invalidValue,
  kinds,
  lookup,
  matchingNothing,
  missing,
  ownerId,
  required,
  tagList,
  tagsOnCreate,
} from './common.js';
import { describeResources } from './describe.js';
import { createMainRouteTable } from './routes.js';
import { createDefaultSecurityGroup } from './security-groups.js';
import { zones } from './zones.js';

/** Default quotas (Amazon VPC quotas page): VPCs per region, subnets per VPC. */
export const vpcLimit = 5;
export const subnetsPerVpcLimit = 200;

/** The default DHCP options set every new VPC gets (one per account and region on AWS). */
const defaultDhcpOptionsId = 'dopt-0a1b2c3d4e5f60718';

function parseOrInvalid(text: string | undefined, parameter: string): Cidr {
  const value = required(text, parameter);
  const cidr = parseCidr(value);
  if (!cidr || hasHostBits(cidr)) throw invalidValue(`Value (${value}) for parameter ${parameter} is invalid. This is not a valid CIDR block.`);
  return cidr;
}

export function vpcOut(world: World, r: Resource<VpcData>): Vpc {
  return {
    VpcId: r.id,
    CidrBlock: r.data.cidrBlock,
    State: r.state === 'available' ? 'available' : 'pending',
    DhcpOptionsId: defaultDhcpOptionsId,
    InstanceTenancy: 'default',
    IsDefault: false,
    OwnerId: ownerId(world),
    CidrBlockAssociationSet: [
      { AssociationId: `vpc-cidr-assoc-${r.id.slice(4)}`, CidrBlock: r.data.cidrBlock, CidrBlockState: { State: 'associated' } },
    ],
    Tags: tagList(r.tags),
  };
}

export function subnetsOf(world: World, vpcId: string): Resource<SubnetData>[] {
  return world.list<SubnetData>(ResourceType.subnet).filter((s) => s.data.vpcId === vpcId);
}

export function enisIn(world: World, where: { vpcId?: string; subnetId?: string }): Resource<EniData>[] {
  return world
    .list<EniData>(ResourceType.networkInterface)
    .filter((e) => (where.vpcId === undefined || e.data.vpcId === where.vpcId) && (where.subnetId === undefined || e.data.subnetId === where.subnetId));
}

export function subnetOut(world: World, r: Resource<SubnetData>): Subnet {
  const available = freeAddresses(world, r);
  return {
    SubnetId: r.id,
    SubnetArn: ec2Arn(world, `subnet/${r.id}`),
    VpcId: r.data.vpcId,
    CidrBlock: r.data.cidrBlock,
    AvailabilityZone: r.data.availabilityZone,
    AvailabilityZoneId: r.data.availabilityZoneId,
    AvailableIpAddressCount: available,
    State: r.state === 'available' ? 'available' : 'pending',
    OwnerId: ownerId(world),
    DefaultForAz: false,
    MapPublicIpOnLaunch: r.data.mapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    Tags: tagList(r.tags),
  };
}

function vpcAttributeChange(input: ModifyVpcAttributeRequest): ['enableDnsSupport' | 'enableDnsHostnames' | 'enableNetworkAddressUsageMetrics', boolean] {
  const given = (
    [
      ['enableDnsHostnames', input.EnableDnsHostnames],
      ['enableDnsSupport', input.EnableDnsSupport],
      ['enableNetworkAddressUsageMetrics', input.EnableNetworkAddressUsageMetrics],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length === 0) throw missing('attribute');
  if (given.length > 1) throw combination(`Fields for multiple attribute types specified: ${given.map(([n]) => n).join(', ')}`);
  const [name, value] = given[0] as (typeof given)[number];
  if (value?.Value === undefined) throw missing(`${name}.value`);
  return [name, value.Value];
}

/** VPC-scoped metrics flag is not in VpcData (shared shape); kept beside it. */
interface VpcExtras {
  enableNetworkAddressUsageMetrics?: boolean;
}

export const vpcHandlers = {
  CreateVpc: ec2op<CreateVpcRequest, CreateVpcResult>((input, { world }) => {
    if (input.CidrBlock === undefined) throw missing('cidrBlock');
    const raw = input.CidrBlock;
    const cidr = parseCidr(raw);
    if (!cidr || hasHostBits(cidr)) throw invalidValue(`Value (${raw}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    if (cidr.prefix < 16 || cidr.prefix > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${raw}' is invalid.`);
    const tags = tagsOnCreate(input.TagSpecifications, kinds.vpc.tagType);
    if (world.list(ResourceType.vpc).length >= vpcLimit) throw new AwsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.');
    const id = world.newId('vpc');
    const data: VpcData = {
      cidrBlock: raw,
      enableDnsSupport: true,
      enableDnsHostnames: false,
      defaultSecurityGroupId: '',
      mainRouteTableId: '',
    };
    const vpc = world.create<VpcData>('ec2', ResourceType.vpc, id, { state: 'pending', data, tags });
    data.defaultSecurityGroupId = createDefaultSecurityGroup(world, vpc).id;
    data.mainRouteTableId = createMainRouteTable(world, vpc).id;
    world.schedule(vpc, awsDurations.seconds, 'available');
    return { Vpc: vpcOut(world, vpc) };
  }),

  DescribeVpcs: ec2op<DescribeVpcsRequest, DescribeVpcsResult>((input, { world }) => {
    const { page, NextToken } = describeResources<VpcData>(world, kinds.vpc, input.VpcIds, input, {
      'vpc-id': (r) => r.id,
      'cidr': (r) => r.data.cidrBlock,
      'cidr-block-association.cidr-block': (r) => r.data.cidrBlock,
      'cidr-block-association.association-id': (r) => `vpc-cidr-assoc-${r.id.slice(4)}`,
      'cidr-block-association.state': () => 'associated',
      'dhcp-options-id': () => defaultDhcpOptionsId,
      'is-default': () => false,
      'owner-id': () => ownerId(world),
      state: (r) => r.state,
      // VPCs have no IPv6 block in the sandbox.
      ...matchingNothing(
        'ipv6-cidr-block-association.ipv6-cidr-block',
        'ipv6-cidr-block-association.ipv6-pool',
        'ipv6-cidr-block-association.association-id',
        'ipv6-cidr-block-association.state',
      ),
    });
    return { Vpcs: page.map((r) => vpcOut(world, r)), NextToken };
  }),

  DeleteVpc: ec2op<DeleteVpcRequest, Record<string, never>>((input, { world }) => {
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId');
    const blocked =
      subnetsOf(world, vpc.id).length > 0 ||
      world.list<InternetGatewayData>(ResourceType.internetGateway).some((g) => g.data.attachments.some((a) => a.vpcId === vpc.id)) ||
      world.list<SecurityGroupData>(ResourceType.securityGroup).some((g) => g.data.vpcId === vpc.id && g.id !== vpc.data.defaultSecurityGroupId) ||
      world.list<RouteTableData>(ResourceType.routeTable).some((t) => t.data.vpcId === vpc.id && t.id !== vpc.data.mainRouteTableId) ||
      enisIn(world, { vpcId: vpc.id }).length > 0 ||
      endpointsIn(world, vpc.id).length > 0;
    if (blocked) throw dependencyViolation(`The vpc '${vpc.id}' has dependencies and cannot be deleted.`);
    // The default security group and the main route table go with the VPC.
    world.remove(ResourceType.securityGroup, vpc.data.defaultSecurityGroupId);
    world.remove(ResourceType.routeTable, vpc.data.mainRouteTableId);
    world.remove(ResourceType.vpc, vpc.id);
    return {};
  }),

  ModifyVpcAttribute: ec2op<ModifyVpcAttributeRequest, Record<string, never>>((input, { world }) => {
    const vpc = lookup<VpcData & VpcExtras>(world, kinds.vpc, input.VpcId, 'vpcId');
    const [name, value] = vpcAttributeChange(input);
    vpc.data[name] = value;
    return {};
  }),

  DescribeVpcAttribute: ec2op<DescribeVpcAttributeRequest, DescribeVpcAttributeResult>((input, { world }) => {
    const attribute = required(input.Attribute, 'attribute');
    const vpc = lookup<VpcData & VpcExtras>(world, kinds.vpc, input.VpcId, 'vpcId');
    switch (attribute) {
      case 'enableDnsSupport':
        return { VpcId: vpc.id, EnableDnsSupport: { Value: vpc.data.enableDnsSupport } };
      case 'enableDnsHostnames':
        return { VpcId: vpc.id, EnableDnsHostnames: { Value: vpc.data.enableDnsHostnames } };
      case 'enableNetworkAddressUsageMetrics':
        return { VpcId: vpc.id, EnableNetworkAddressUsageMetrics: { Value: vpc.data.enableNetworkAddressUsageMetrics ?? false } };
      default:
        throw invalidValue(`Value (${String(attribute)}) for parameter attribute is invalid. Unknown attribute.`);
    }
  }),
};

export const subnetHandlers = {
  CreateSubnet: ec2op<CreateSubnetRequest, CreateSubnetResult>((input, { world }) => {
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId');
    const raw = required(input.CidrBlock, 'cidrBlock');
    const cidr = parseOrInvalid(raw, 'cidrBlock');
    const vpcCidr = parseCidr(vpc.data.cidrBlock) as Cidr;
    if (cidr.prefix < 16 || cidr.prefix > 28 || !contains(vpcCidr, cidr)) throw new AwsError('InvalidSubnet.Range', `The CIDR '${raw}' is invalid.`);
    const all = zones(world);
    let zone = all[world.nextCounter('ec2-subnet-zone') % all.length];
    if (input.AvailabilityZone !== undefined || input.AvailabilityZoneId !== undefined) {
      zone = all.find((z) => (input.AvailabilityZone === undefined || z.name === input.AvailabilityZone) && (input.AvailabilityZoneId === undefined || z.id === input.AvailabilityZoneId));
      if (!zone) {
        const [param, value] = input.AvailabilityZone !== undefined ? ['availabilityZone', input.AvailabilityZone] : ['availabilityZoneId', input.AvailabilityZoneId];
        throw invalidValue(
          `Value (${value}) for parameter ${param} is invalid. Subnets can currently only be created in the following availability zones: ${all.map((z) => z.name).join(', ')}.`,
        );
      }
    }
    const siblings = subnetsOf(world, vpc.id);
    if (siblings.some((s) => overlaps(parseCidr(s.data.cidrBlock) as Cidr, cidr))) {
      throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${raw}' conflicts with another subnet`);
    }
    if (siblings.length >= subnetsPerVpcLimit) throw new AwsError('SubnetLimitExceeded', `The maximum number of subnets for VPC '${vpc.id}' has been reached.`);
    const tags = tagsOnCreate(input.TagSpecifications, kinds.subnet.tagType);
    const z = zone as { name: string; id: string };
    const data: SubnetData = {
      vpcId: vpc.id,
      cidrBlock: raw,
      availabilityZone: z.name,
      availabilityZoneId: z.id,
      mapPublicIpOnLaunch: false,
      nextHost: 4,
    };
    const subnet = world.create<SubnetData>('ec2', ResourceType.subnet, world.newId('subnet'), { state: 'pending', data, tags });
    world.schedule(subnet, awsDurations.seconds, 'available');
    return { Subnet: subnetOut(world, subnet) };
  }),

  DescribeSubnets: ec2op<DescribeSubnetsRequest, DescribeSubnetsResult>((input, { world }) => {
    const { page, NextToken } = describeResources<SubnetData>(world, kinds.subnet, input.SubnetIds, input, {
      'subnet-id': (r) => r.id,
      'subnet-arn': (r) => ec2Arn(world, `subnet/${r.id}`),
      'vpc-id': (r) => r.data.vpcId,
      'availability-zone': (r) => r.data.availabilityZone,
      'availability-zone-id': (r) => r.data.availabilityZoneId,
      'availabilityZone': (r) => r.data.availabilityZone,
      'cidr-block': (r) => r.data.cidrBlock,
      'cidrBlock': (r) => r.data.cidrBlock,
      'cidr': (r) => r.data.cidrBlock,
      'default-for-az': () => false,
      'defaultForAz': () => false,
      'map-public-ip-on-launch': (r) => r.data.mapPublicIpOnLaunch,
      'owner-id': () => ownerId(world),
      state: (r) => r.state,
      'available-ip-address-count': (r) => subnetOut(world, r).AvailableIpAddressCount,
      'enable-dns64': () => false,
      'ipv6-native': () => false,
      'map-customer-owned-ip-on-launch': () => false,
      ...matchingNothing(
        'customer-owned-ipv4-pool',
        'enable-lni-at-device-index',
        'ipv6-cidr-block-association.ipv6-cidr-block',
        'ipv6-cidr-block-association.association-id',
        'ipv6-cidr-block-association.state',
        'outpost-arn',
      ),
      'private-dns-name-options-on-launch.hostname-type': () => 'ip-name',
    });
    return { Subnets: page.map((r) => subnetOut(world, r)), NextToken };
  }),

  DeleteSubnet: ec2op<DeleteSubnetRequest, Record<string, never>>((input, { world }) => {
    const subnet = lookup<SubnetData>(world, kinds.subnet, input.SubnetId, 'subnetId');
    if (enisIn(world, { subnetId: subnet.id }).length > 0) {
      throw dependencyViolation(`The subnet '${subnet.id}' has dependencies and cannot be deleted.`);
    }
    // Its explicit route table association goes with it.
    for (const t of world.list<RouteTableData>(ResourceType.routeTable)) {
      t.data.associations = t.data.associations.filter((a) => a.subnetId !== subnet.id);
    }
    world.remove(ResourceType.subnet, subnet.id);
    return {};
  }),

  ModifySubnetAttribute: ec2op<ModifySubnetAttributeRequest, Record<string, never>>((input, { world }) => {
    const subnet = lookup<SubnetData>(world, kinds.subnet, input.SubnetId, 'subnetId');
    const { SubnetId: _id, ...attributes } = input;
    const given = Object.entries(attributes).filter(([, v]) => v !== undefined);
    if (given.length === 0) throw missing('attribute');
    if (given.length > 1) throw combination('You can only modify one attribute at a time.');
    if (input.MapPublicIpOnLaunch === undefined) {
      throw invalidValue(`The sandbox supports only the MapPublicIpOnLaunch subnet attribute; got ${given.map(([k]) => k).join(', ')}.`);
    }
    if (input.MapPublicIpOnLaunch.Value === undefined) throw missing('mapPublicIpOnLaunch.value');
    subnet.data.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
    return {};
  }),
};
