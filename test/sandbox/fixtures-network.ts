import { randomBytes } from 'node:crypto';
import { ResourceType, type InternetGatewayData, type SecurityGroupData, type SubnetData, type VpcData } from '../../src/sandbox/model.js';
import type { World } from '../../src/sandbox/world.js';

/**
 * A VPC with subnets, security groups and an attached internet gateway written straight into a sandbox world, in the model's shapes: what the
 * ELBv2, RDS and ElastiCache tests need without depending on the simulated EC2 API.
 */
export interface Network {
  vpcId: string;
  defaultSecurityGroupId: string;
  /** Two subnets in two AZs (10.x.0.0/24, 10.x.1.0/24). */
  publicSubnets: string[];
  /** Two more in the same two AZs (10.x.10.0/24, 10.x.11.0/24). */
  privateSubnets: string[];
  /** A second subnet in the first AZ (10.x.20.0/24), to test the one-subnet-per-AZ rules. */
  extraSubnetAz1: string;
  securityGroupId: string;
  cidrBlock: string;
}

const id = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

function subnet(world: World, vpcId: string, cidrBlock: string, az: string): string {
  const subnetId = id('subnet');
  const data: SubnetData = {
    vpcId,
    cidrBlock,
    availabilityZone: az,
    availabilityZoneId: `use1-az${az.endsWith('a') ? 1 : az.endsWith('b') ? 2 : 3}`,
    mapPublicIpOnLaunch: false,
    nextHost: 4,
  };
  world.create('ec2', ResourceType.subnet, subnetId, { state: 'available', data });
  return subnetId;
}

function securityGroup(world: World, vpcId: string, groupName: string, isDefault: boolean): string {
  const groupId = id('sg');
  const data: SecurityGroupData = {
    vpcId,
    groupName,
    description: groupName,
    ingress: [],
    egress: [{ ruleId: id('sgr'), ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }],
    isDefault,
  };
  world.create('ec2', ResourceType.securityGroup, groupId, { state: 'available', data });
  return groupId;
}

/** A VPC 10.<octet>.0.0/16 in us-east-1a and us-east-1b. */
export function buildNetwork(world: World, octet = 0): Network {
  const cidrBlock = `10.${octet}.0.0/16`;
  const vpcId = id('vpc');
  const defaultSecurityGroupId = securityGroup(world, vpcId, 'default', true);
  const vpc: VpcData = {
    cidrBlock,
    enableDnsSupport: true,
    enableDnsHostnames: true,
    defaultSecurityGroupId,
    mainRouteTableId: id('rtb'),
  };
  world.create('ec2', ResourceType.vpc, vpcId, { state: 'available', data: vpc });
  // Attached, as an internet-facing load balancer needs (CreateLoadBalancer answers InvalidSubnet without one).
  const igw: InternetGatewayData = { attachments: [{ vpcId, state: 'available' }] };
  world.create('ec2', ResourceType.internetGateway, id('igw'), { state: 'available', data: igw });
  return {
    vpcId,
    cidrBlock,
    defaultSecurityGroupId,
    publicSubnets: [subnet(world, vpcId, `10.${octet}.0.0/24`, 'us-east-1a'), subnet(world, vpcId, `10.${octet}.1.0/24`, 'us-east-1b')],
    privateSubnets: [subnet(world, vpcId, `10.${octet}.10.0/24`, 'us-east-1a'), subnet(world, vpcId, `10.${octet}.11.0/24`, 'us-east-1b')],
    extraSubnetAz1: subnet(world, vpcId, `10.${octet}.20.0/24`, 'us-east-1a'),
    securityGroupId: securityGroup(world, vpcId, 'app', false),
  };
}
