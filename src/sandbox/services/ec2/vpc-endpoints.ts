import type {
  CreateVpcEndpointRequest,
  CreateVpcEndpointResult,
  DeleteVpcEndpointsRequest,
  DeleteVpcEndpointsResult,
  DescribeVpcEndpointsRequest,
  DescribeVpcEndpointsResult,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../errors.js';
import { createManagedEni, releaseManagedEnis } from '../../enis.js';
import { ResourceType, type SecurityGroupData, type SubnetData, type VpcData } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { checkClientToken, ec2op, invalidValue, kinds, lookup, ownerId, priorByClientToken, required, tagList, tagsOnCreate } from './common.js';
import { describeResources } from './describe.js';

/**
 * VPC endpoints (type `vpc-endpoint`, id vpce-...): what a user, or a service on the user's behalf (GuardDuty
 * Runtime Monitoring adds `com.amazonaws.<region>.guardduty-data` with its own security group to every VPC with
 * Fargate tasks), puts in a VPC. An Interface endpoint holds one requester-managed interface per subnet (type
 * `vpc_endpoint`) with its security groups; a Gateway endpoint none. States: pending -> available; deleting -> gone,
 * with its interfaces (they go with the endpoint, unlike a load balancer's, which linger). A VPC with an endpoint
 * cannot be deleted (DependencyViolation), nor can the subnets and groups its interfaces use. See
 * docs/sandbox/ec2.md.
 */
export interface VpcEndpointData {
  vpcId: string;
  serviceName: string;
  type: 'Interface' | 'Gateway';
  subnetIds: string[];
  groupIds: string[];
  routeTableIds: string[];
  networkInterfaceIds: string[];
  privateDnsEnabled: boolean;
  policyDocument?: string;
  clientToken?: string;
}

/** AWS durations of an endpoint's state changes (unconfirmed: about a minute each way). */
const CREATE_MS = 60_000;
const DELETE_MS = 30_000;

const vpcEndpointKind = kinds.vpcEndpoint;

/** AWS services that offer endpoints, by the last part of `com.amazonaws.<region>.<service>`; Gateway ones marked. */
const SERVICES: Record<string, 'Interface' | 'Gateway' | 'both'> = {
  s3: 'both',
  dynamodb: 'both',
  'guardduty-data': 'Interface',
  'ecr.api': 'Interface',
  'ecr.dkr': 'Interface',
  logs: 'Interface',
  secretsmanager: 'Interface',
  ssm: 'Interface',
  ssmmessages: 'Interface',
  ec2messages: 'Interface',
  sts: 'Interface',
  ecs: 'Interface',
  'ecs-agent': 'Interface',
  'ecs-telemetry': 'Interface',
  elasticloadbalancing: 'Interface',
  rds: 'Interface',
  elasticache: 'Interface',
  kms: 'Interface',
  monitoring: 'Interface',
  sqs: 'Interface',
  sns: 'Interface',
  'execute-api': 'Interface',
};

const ownerRef = (id: string): string => `vpc-endpoint:${id}`;

export function endpointsIn(world: World, vpcId: string): Resource<VpcEndpointData>[] {
  return world.list<VpcEndpointData>(vpcEndpointKind.type).filter((e) => e.data.vpcId === vpcId);
}

function out(world: World, e: Resource<VpcEndpointData>): VpcEndpoint {
  const d = e.data;
  const groups = d.groupIds.map((id) => ({ GroupId: id, GroupName: world.get<SecurityGroupData>(ResourceType.securityGroup, id)?.data.groupName ?? '' }));
  const dns = d.type === 'Interface' ? [{ DnsName: `${e.id}-${world.config.accountId.slice(-8)}.${d.serviceName.split('.').slice(3).join('.')}.${world.config.region}.vpce.amazonaws.com`, HostedZoneId: 'Z7HUB22UULQXV' }] : [];
  return {
    VpcEndpointId: e.id,
    VpcEndpointType: d.type,
    VpcId: d.vpcId,
    ServiceName: d.serviceName,
    State: e.state as VpcEndpoint['State'],
    ...(d.policyDocument !== undefined ? { PolicyDocument: d.policyDocument } : {}),
    RouteTableIds: [...d.routeTableIds],
    SubnetIds: [...d.subnetIds],
    Groups: groups,
    IpAddressType: 'ipv4',
    DnsOptions: { DnsRecordIpType: 'ipv4' },
    PrivateDnsEnabled: d.privateDnsEnabled,
    RequesterManaged: false,
    NetworkInterfaceIds: [...d.networkInterfaceIds],
    DnsEntries: dns,
    CreationTimestamp: new Date(e.createdAt),
    Tags: tagList(e.tags),
    OwnerId: ownerId(world),
  };
}

export const vpcEndpointHandlers = {
  CreateVpcEndpoint: ec2op<CreateVpcEndpointRequest, CreateVpcEndpointResult>((input, { world }) => {
    checkClientToken(input.ClientToken);
    const serviceName = required(input.ServiceName, 'ServiceName');
    const type = input.VpcEndpointType ?? 'Gateway';
    if (type !== 'Interface' && type !== 'Gateway') throw invalidValue(`The sandbox models Interface and Gateway endpoints only; got ${type}.`);
    const prior = priorByClientToken<VpcEndpointData>(world, vpcEndpointKind.type, input.ClientToken, (d) => d.serviceName === serviceName && d.vpcId === input.VpcId);
    if (prior) return { VpcEndpoint: out(world, prior), ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}) };
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'VpcId');
    const prefix = `com.amazonaws.${world.config.region}.`;
    const offered = serviceName.startsWith(prefix) ? SERVICES[serviceName.slice(prefix.length)] : undefined;
    if (!offered) throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`);
    if (offered !== 'both' && offered !== type) throw invalidValue(`The Vpc Endpoint Service '${serviceName}' does not support the ${type} endpoint type.`);
    const tags = tagsOnCreate(input.TagSpecifications, vpcEndpointKind.tagType);

    const subnets = (input.SubnetIds ?? []).map((id) => lookup<SubnetData>(world, kinds.subnet, id, 'SubnetId'));
    const groupIds = type === 'Interface' ? [...new Set(input.SecurityGroupIds ?? [vpc.data.defaultSecurityGroupId])] : [];
    if (type === 'Gateway' && (subnets.length > 0 || input.SecurityGroupIds !== undefined)) {
      throw invalidValue('SubnetIds and SecurityGroupIds apply to Interface endpoints only.');
    }
    const zones = new Set<string>();
    for (const s of subnets) {
      if (s.data.vpcId !== vpc.id) throw invalidValue(`The subnet ${s.id} does not belong to the VPC ${vpc.id}.`);
      if (zones.has(s.data.availabilityZone)) throw new AwsError('DuplicateSubnetsInSameZone', `Found another VPC endpoint subnet in the availability zone of ${s.id}`);
      zones.add(s.data.availabilityZone);
    }
    for (const id of groupIds) {
      const g = lookup<SecurityGroupData>(world, kinds.securityGroup, id, 'SecurityGroupId');
      if (g.data.vpcId !== vpc.id) throw invalidValue(`The security group ${id} does not belong to the VPC ${vpc.id}.`);
    }
    const routeTableIds = [...new Set(input.RouteTableIds ?? [])];
    for (const id of routeTableIds) lookup(world, kinds.routeTable, id, 'RouteTableId');

    const id = world.newId('vpce');
    // The interfaces first: a subnet without a free address fails the call and leaves nothing behind.
    const made: string[] = [];
    try {
      for (const s of subnets) {
        made.push(
          createManagedEni(world, {
            subnetId: s.id,
            groupIds,
            description: `VPC Endpoint Interface ${id}`,
            interfaceType: 'vpc_endpoint',
            requesterId: 'amazon-aws',
            ownerRef: ownerRef(id),
          }).id,
        );
      }
    } catch (e) {
      for (const eni of made) world.remove(ResourceType.networkInterface, eni);
      throw e;
    }
    const data: VpcEndpointData = {
      vpcId: vpc.id,
      serviceName,
      type,
      subnetIds: subnets.map((s) => s.id),
      groupIds,
      routeTableIds,
      networkInterfaceIds: made,
      privateDnsEnabled: input.PrivateDnsEnabled ?? type === 'Interface',
    };
    if (input.PolicyDocument !== undefined) data.policyDocument = input.PolicyDocument;
    if (input.ClientToken !== undefined) data.clientToken = input.ClientToken;
    const endpoint = world.create<VpcEndpointData>('ec2', vpcEndpointKind.type, id, { state: 'pending', data, tags });
    world.schedule(endpoint, CREATE_MS, 'available');
    return { VpcEndpoint: out(world, endpoint), ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}) };
  }),

  DescribeVpcEndpoints: ec2op<DescribeVpcEndpointsRequest, DescribeVpcEndpointsResult>((input, { world }) => {
    const { page, NextToken } = describeResources<VpcEndpointData>(world, vpcEndpointKind, input.VpcEndpointIds, input, {
      'vpc-id': (e) => e.data.vpcId,
      'service-name': (e) => e.data.serviceName,
      'vpc-endpoint-id': (e) => e.id,
      'vpc-endpoint-state': (e) => e.state,
      'vpc-endpoint-type': (e) => e.data.type,
      'ip-address-type': () => 'ipv4',
    });
    return { VpcEndpoints: page.map((e) => out(world, e)), ...(NextToken ? { NextToken } : {}) };
  }),

  DeleteVpcEndpoints: ec2op<DeleteVpcEndpointsRequest, DeleteVpcEndpointsResult>((input, { world }) => {
    const ids = required(input.VpcEndpointIds, 'VpcEndpointId');
    const unsuccessful: NonNullable<DeleteVpcEndpointsResult['Unsuccessful']> = [];
    for (const id of ids) {
      const e = world.get<VpcEndpointData>(vpcEndpointKind.type, id);
      if (!e) {
        const err = vpcEndpointKind.notFound(id);
        unsuccessful.push({ ResourceId: id, Error: { Code: err.code, Message: err.message } });
        continue;
      }
      if (e.state === 'deleting') continue;
      world.clearTransitions(e);
      world.setState(e, 'deleting');
      world.schedule(e, DELETE_MS, 'deleted', 'vpc-endpoint-deleted');
    }
    return { Unsuccessful: unsuccessful };
  }),
};

export function installVpcEndpoints(world: World): void {
  world.onTransition(vpcEndpointKind.type, 'vpc-endpoint-deleted', (w, e) => {
    releaseManagedEnis(w, ownerRef(e.id), 'with-owner');
    w.remove(vpcEndpointKind.type, e.id);
  });
}
