import type {
  Address,
  AllocateAddressRequest,
  AllocateAddressResult,
  AttachInternetGatewayRequest,
  AttachmentStatus,
  CreateInternetGatewayRequest,
  CreateInternetGatewayResult,
  CreateNatGatewayRequest,
  CreateNatGatewayResult,
  DeleteInternetGatewayRequest,
  DeleteNatGatewayRequest,
  DeleteNatGatewayResult,
  DescribeAddressesRequest,
  DescribeAddressesResult,
  DescribeInternetGatewaysRequest,
  DescribeInternetGatewaysResult,
  DescribeNatGatewaysRequest,
  DescribeNatGatewaysResult,
  DetachInternetGatewayRequest,
  InternetGateway,
  NatGateway,
  NatGatewayAddress,
  ReleaseAddressRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../errors.js';
import { createManagedEni, releaseManagedEnis } from '../../enis.js';
import {
  ResourceType,
  type ElasticIpData,
  type InternetGatewayData,
  type NatGatewayData,
  type SubnetData,
  type VpcData,
} from '../../model.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import {
  applyFilters,
  checkClientToken,
  dependencyViolation,
  ec2op,
  priorByClientToken,
  invalidValue,
  kinds,
  lookup,
  matchingNothing,
  missing,
  ownerId,
  required,
  selectByIds,
  tagList,
  tagsOnCreate,
} from './common.js';
import { describeResources } from './describe.js';
import { enisIn } from './vpcs.js';

/** Default quotas: internet gateways and Elastic IP addresses per region, NAT gateways per availability zone. */
export const internetGatewayLimit = 5;
export const elasticIpLimit = 5;
export const natGatewaysPerZoneLimit = 5;

// ---------------------------------------------------------------------------------------------------------------
// Internet gateways

export function internetGatewayOut(world: World, g: Resource<InternetGatewayData>): InternetGateway {
  return {
    InternetGatewayId: g.id,
    OwnerId: ownerId(world),
    // AWS reports an attached internet gateway's attachment as `available` (not the model's `attached`).
    Attachments: g.data.attachments.map((a) => ({ VpcId: a.vpcId, State: a.state as AttachmentStatus })),
    Tags: tagList(g.tags),
  };
}

/** Public addresses mapped in a VPC: interfaces with a public IP (ALB nodes, NAT) and Elastic IPs associated there. */
/** Whether an internet gateway is attached to the VPC (what internet-facing load balancers and public routes need). */
export function internetGatewayAttached(world: World, vpcId: string, igwId?: string): boolean {
  return world
    .list<InternetGatewayData>(ResourceType.internetGateway)
    .some((g) => (igwId === undefined || g.id === igwId) && g.data.attachments.some((a) => a.vpcId === vpcId && a.state === 'available'));
}

function mappedPublicAddresses(world: World, vpcId: string): string[] {
  const enis = enisIn(world, { vpcId });
  const out = enis.filter((e) => e.data.publicIp !== undefined).map((e) => e.data.publicIp as string);
  for (const eip of world.list<ElasticIpData>(ResourceType.elasticIp)) {
    if (eip.data.networkInterfaceId && enis.some((e) => e.id === eip.data.networkInterfaceId)) out.push(eip.data.publicIp);
  }
  return out;
}

export const internetGatewayHandlers = {
  CreateInternetGateway: ec2op<CreateInternetGatewayRequest, CreateInternetGatewayResult>((input, { world }) => {
    const tags = tagsOnCreate(input.TagSpecifications, kinds.internetGateway.tagType);
    if (world.list(ResourceType.internetGateway).length >= internetGatewayLimit) {
      throw new AwsError('InternetGatewayLimitExceeded', 'The maximum number of internet gateways has been reached.');
    }
    const g = world.create<InternetGatewayData>('ec2', ResourceType.internetGateway, world.newId('igw'), {
      state: 'available',
      tags,
      data: { attachments: [] },
    });
    return { InternetGateway: internetGatewayOut(world, g) };
  }),

  DescribeInternetGateways: ec2op<DescribeInternetGatewaysRequest, DescribeInternetGatewaysResult>((input, { world }) => {
    const { page, NextToken } = describeResources<InternetGatewayData>(world, kinds.internetGateway, input.InternetGatewayIds, input, {
      'internet-gateway-id': (g) => g.id,
      'attachment.vpc-id': (g) => g.data.attachments.map((a) => a.vpcId),
      'attachment.state': (g) => g.data.attachments.map((a) => a.state),
      'owner-id': () => ownerId(world),
    });
    return { InternetGateways: page.map((g) => internetGatewayOut(world, g)), NextToken };
  }),

  AttachInternetGateway: ec2op<AttachInternetGatewayRequest, Record<string, never>>((input, { world }) => {
    const g = lookup<InternetGatewayData>(world, kinds.internetGateway, input.InternetGatewayId, 'internetGatewayId');
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId');
    const current = g.data.attachments[0];
    if (current) throw new AwsError('Resource.AlreadyAssociated', `resource ${g.id} is already attached to network ${current.vpcId}`);
    const other = world.list<InternetGatewayData>(ResourceType.internetGateway).find((x) => x.data.attachments.some((a) => a.vpcId === vpc.id));
    if (other) throw new AwsError('Resource.AlreadyAssociated', `network ${vpc.id} already has an internet gateway attached`);
    // Attaching is immediate on AWS for all practical purposes.
    g.data.attachments.push({ vpcId: vpc.id, state: 'available' });
    return {};
  }),

  DetachInternetGateway: ec2op<DetachInternetGatewayRequest, Record<string, never>>((input, { world }) => {
    const g = lookup<InternetGatewayData>(world, kinds.internetGateway, input.InternetGatewayId, 'internetGatewayId');
    const vpcId = required(input.VpcId, 'vpcId');
    lookup<VpcData>(world, kinds.vpc, vpcId, 'vpcId');
    if (!g.data.attachments.some((a) => a.vpcId === vpcId)) throw new AwsError('Gateway.NotAttached', `resource ${g.id} is not attached to network ${vpcId}`);
    if (mappedPublicAddresses(world, vpcId).length > 0) {
      throw dependencyViolation(
        `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
    }
    g.data.attachments = g.data.attachments.filter((a) => a.vpcId !== vpcId);
    return {};
  }),

  DeleteInternetGateway: ec2op<DeleteInternetGatewayRequest, Record<string, never>>((input, { world }) => {
    const g = lookup<InternetGatewayData>(world, kinds.internetGateway, input.InternetGatewayId, 'internetGatewayId');
    if (g.data.attachments.length > 0) throw dependencyViolation(`The internetGateway '${g.id}' has dependencies and cannot be deleted.`);
    world.remove(ResourceType.internetGateway, g.id);
    return {};
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// Elastic IP addresses

/**
 * Public addresses come from the documentation ranges (RFC 5737): 203.0.113.x, then 198.51.100.x, then 192.0.2.x,
 * never reused while allocated.
 */
function nextPublicIp(world: World): string {
  const pools = ['203.0.113', '198.51.100', '192.0.2'];
  const taken = new Set(world.list<ElasticIpData>(ResourceType.elasticIp).map((e) => e.data.publicIp));
  for (let i = 0; i < 254 * pools.length; i++) {
    const n = (world.nextCounter('ec2-public-ip') - 1) % (254 * pools.length);
    const ip = `${pools[Math.floor(n / 254)]}.${(n % 254) + 1}`;
    if (!taken.has(ip)) return ip;
  }
  throw new AwsError('InsufficientAddressCapacity', 'The sandbox ran out of public addresses.', 500);
}

export function addressOut(world: World, e: Resource<ElasticIpData>): Address {
  const out: Address = {
    AllocationId: e.id,
    PublicIp: e.data.publicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: world.config.region,
    Tags: tagList(e.tags),
  };
  if (e.data.associationId !== undefined) out.AssociationId = e.data.associationId;
  if (e.data.networkInterfaceId !== undefined) {
    out.NetworkInterfaceId = e.data.networkInterfaceId;
    out.NetworkInterfaceOwnerId = ownerId(world);
  }
  if (e.data.privateIpAddress !== undefined) out.PrivateIpAddress = e.data.privateIpAddress;
  return out;
}

export const addressHandlers = {
  AllocateAddress: ec2op<AllocateAddressRequest, AllocateAddressResult>((input, { world }) => {
    if (input.Domain !== undefined && input.Domain !== 'vpc') throw invalidValue(`Value (${input.Domain}) for parameter domain is invalid. Only 'vpc' is supported.`);
    if (input.Address !== undefined || input.PublicIpv4Pool !== undefined || input.IpamPoolId !== undefined) {
      throw invalidValue('The sandbox allocates Amazon-pool addresses only (no Address, PublicIpv4Pool or IpamPoolId).');
    }
    const tags = tagsOnCreate(input.TagSpecifications, kinds.elasticIp.tagType);
    if (world.list(ResourceType.elasticIp).length >= elasticIpLimit) throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
    const e = world.create<ElasticIpData>('ec2', ResourceType.elasticIp, world.newId('eipalloc'), {
      state: 'allocated',
      tags,
      data: { publicIp: nextPublicIp(world), domain: 'vpc' },
    });
    return { AllocationId: e.id, PublicIp: e.data.publicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: world.config.region };
  }),

  DescribeAddresses: ec2op<DescribeAddressesRequest, DescribeAddressesResult>((input, { world }) => {
    let list = selectByIds<ElasticIpData>(world, kinds.elasticIp, input.AllocationIds);
    if (input.PublicIps && input.PublicIps.length > 0) {
      const ips = input.PublicIps;
      for (const ip of ips) {
        if (!list.some((e) => e.data.publicIp === ip)) throw new AwsError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
      }
      list = list.filter((e) => ips.includes(e.data.publicIp));
    }
    list = applyFilters(
      list,
      input.Filters,
      {
        'allocation-id': (e) => e.id,
        'association-id': (e) => e.data.associationId,
        domain: () => 'vpc',
        'network-interface-id': (e) => e.data.networkInterfaceId,
        'network-interface-owner-id': (e) => (e.data.networkInterfaceId ? ownerId(world) : undefined),
        'private-ip-address': (e) => e.data.privateIpAddress,
        'public-ip': (e) => e.data.publicIp,
        'network-border-group': () => world.config.region,
        ...matchingNothing('instance-id'),
      },
      (e) => e.tags,
    );
    // DescribeAddresses is not paginated on AWS.
    return { Addresses: list.map((e) => addressOut(world, e)) };
  }),

  ReleaseAddress: ec2op<ReleaseAddressRequest, Record<string, never>>((input, { world }) => {
    if (input.AllocationId === undefined && input.PublicIp !== undefined) {
      throw invalidValue('PublicIp is only supported for EC2-Classic; use AllocationId in a VPC.');
    }
    const e = lookup<ElasticIpData>(world, kinds.elasticIp, input.AllocationId, 'allocationId');
    if (e.data.associationId !== undefined) throw new AwsError('InvalidIPAddress.InUse', `Address ${e.data.publicIp} is in use.`);
    // The trap: for a short while after the NAT gateway that used it is deleted, AWS refuses with a misleading text.
    if (e.data.releaseBlockedUntil !== undefined && world.now() < e.data.releaseBlockedUntil) {
      throw new AwsError('AuthFailure', 'You do not have permission to access the specified resource.');
    }
    world.remove(ResourceType.elasticIp, e.id);
    return {};
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// NAT gateways

function natOut(world: World, n: Resource<NatGatewayData>): NatGateway {
  const out: NatGateway = {
    NatGatewayId: n.id,
    SubnetId: n.data.subnetId,
    VpcId: n.data.vpcId,
    State: n.state as NatGateway['State'],
    CreateTime: new Date(n.createdAt),
    ConnectivityType: n.data.connectivityType,
    Tags: tagList(n.tags),
  };
  if (n.data.deleteTime !== undefined) out.DeleteTime = new Date(n.data.deleteTime);
  if (n.data.failureCode !== undefined) out.FailureCode = n.data.failureCode;
  if (n.data.failureMessage !== undefined) out.FailureMessage = n.data.failureMessage;
  const address: NatGatewayAddress = { IsPrimary: true };
  if (n.data.allocationId) address.AllocationId = n.data.allocationId;
  if (n.data.networkInterfaceId) address.NetworkInterfaceId = n.data.networkInterfaceId;
  if (n.data.privateIp) address.PrivateIp = n.data.privateIp;
  if (n.data.publicIp) address.PublicIp = n.data.publicIp;
  const eip = n.data.allocationId ? world.get<ElasticIpData>(ResourceType.elasticIp, n.data.allocationId) : undefined;
  if (eip?.data.associationId !== undefined && eip.data.networkInterfaceId === n.data.networkInterfaceId) address.AssociationId = eip.data.associationId;
  address.Status =
    n.state === 'pending' ? 'associating' : n.state === 'deleting' ? 'disassociating' : n.state === 'failed' ? 'failed' : 'succeeded';
  if (n.state !== 'failed' || n.data.networkInterfaceId) out.NatGatewayAddresses = [address];
  else out.NatGatewayAddresses = [{ AllocationId: n.data.allocationId }];
  return out;
}

function ownerRef(id: string): string {
  return `${ResourceType.natGateway}:${id}`;
}

/** The NAT gateway lets go of its interface and its address (failed or deleted). */
function releaseNatResources(world: World, nat: Resource<NatGatewayData>, blockRelease: boolean): void {
  releaseManagedEnis(world, ownerRef(nat.id), 'with-owner');
  const eip = nat.data.allocationId ? world.get<ElasticIpData>(ResourceType.elasticIp, nat.data.allocationId) : undefined;
  if (eip && eip.data.networkInterfaceId !== undefined && eip.data.networkInterfaceId === nat.data.networkInterfaceId) {
    delete eip.data.associationId;
    delete eip.data.networkInterfaceId;
    delete eip.data.privateIpAddress;
    world.setState(eip, 'allocated');
    if (blockRelease) eip.data.releaseBlockedUntil = world.now() + world.scaled(awsDurations.eipReleaseBlocked);
  }
}

function failNat(world: World, nat: Resource<NatGatewayData>, code: string, message: string): void {
  world.clearTransitions(nat);
  world.setState(nat, 'failed');
  nat.data.failureCode = code;
  nat.data.failureMessage = message;
  releaseNatResources(world, nat, false);
  // Failed gateways stay listed for about an hour, like deleted ones.
  world.schedule(nat, awsDurations.natDeletedListed, 'gone', 'nat-gone');
}

function hasAttachedIgw(world: World, vpcId: string): boolean {
  return world.list<InternetGatewayData>(ResourceType.internetGateway).some((g) => g.data.attachments.some((a) => a.vpcId === vpcId));
}

export const natGatewayHandlers = {
  CreateNatGateway: ec2op<CreateNatGatewayRequest, CreateNatGatewayResult>((input, { world }) => {
    checkClientToken(input.ClientToken);
    const connectivityType = input.ConnectivityType ?? 'public';
    if (connectivityType !== 'public' && connectivityType !== 'private') throw invalidValue(`Value (${connectivityType}) for parameter connectivityType is invalid.`);
    const subnetId = required(input.SubnetId, 'subnetId');
    const prior = priorByClientToken<NatGatewayData>(
      world,
      ResourceType.natGateway,
      input.ClientToken,
      (d) => d.subnetId === subnetId && d.allocationId === (input.AllocationId ?? '') && d.connectivityType === connectivityType,
    );
    if (prior) return { NatGateway: natOut(world, prior), ClientToken: input.ClientToken };
    const subnet = lookup<SubnetData>(world, kinds.subnet, subnetId, 'subnetId');
    let eip: Resource<ElasticIpData> | undefined;
    if (connectivityType === 'public') {
      if (input.AllocationId === undefined) throw missing('allocationId');
      eip = lookup<ElasticIpData>(world, kinds.elasticIp, input.AllocationId, 'allocationId');
    } else if (input.AllocationId !== undefined) {
      throw invalidValue('AllocationId is not supported for a private NAT gateway.');
    }
    const tags = tagsOnCreate(input.TagSpecifications, kinds.natGateway.tagType);
    const inZone = world
      .list<NatGatewayData>(ResourceType.natGateway)
      .filter((n) => ['pending', 'available'].includes(n.state) && world.get<SubnetData>(ResourceType.subnet, n.data.subnetId)?.data.availabilityZone === subnet.data.availabilityZone);
    if (inZone.length >= natGatewaysPerZoneLimit) throw new AwsError('NatGatewayLimitExceeded', 'The maximum number of NAT Gateways has been reached.');

    const id = world.newId('nat');
    const data: NatGatewayData = {
      subnetId: subnet.id,
      vpcId: subnet.data.vpcId,
      allocationId: eip?.id ?? '',
      connectivityType,
      networkInterfaceId: '',
      publicIp: '',
      privateIp: '',
    };
    if (input.ClientToken !== undefined) data.clientToken = input.ClientToken;
    const answer = (nat: Resource<NatGatewayData>): CreateNatGatewayResult => ({
      NatGateway: natOut(world, nat),
      ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}),
    });

    if (eip && eip.data.associationId !== undefined) {
      // AWS accepts the call and the gateway fails shortly after.
      const nat = world.create<NatGatewayData>('ec2', ResourceType.natGateway, id, { state: 'pending', data, tags });
      world.schedule(nat, awsDurations.seconds, 'failed', 'nat-address-taken');
      return answer(nat);
    }
    // The interface first: when the subnet has no free address the call fails and leaves nothing behind.
    const eni = createManagedEni(world, {
      subnetId: subnet.id,
      groupIds: [],
      description: `Interface for NAT Gateway ${id}`,
      interfaceType: 'nat_gateway',
      requesterId: 'amazon-vpc',
      ownerRef: ownerRef(id),
      ...(eip ? { publicIp: eip.data.publicIp } : {}),
    });
    data.networkInterfaceId = eni.id;
    data.privateIp = eni.data.privateIpAddress;
    const nat = world.create<NatGatewayData>('ec2', ResourceType.natGateway, id, { state: 'pending', data, tags });
    if (eip) {
      data.publicIp = eip.data.publicIp;
      eip.data.associationId = world.newId('eipassoc');
      eip.data.networkInterfaceId = eni.id;
      eip.data.privateIpAddress = eni.data.privateIpAddress;
      world.setState(eip, 'associated');
    }
    world.schedule(nat, awsDurations.natCreate, 'available', 'nat-available');
    return answer(nat);
  }),

  DescribeNatGateways: ec2op<DescribeNatGatewaysRequest, DescribeNatGatewaysResult>((input, { world }) => {
    const { page, NextToken } = describeResources<NatGatewayData>(world, kinds.natGateway, input.NatGatewayIds, input, {
      'nat-gateway-id': (n) => n.id,
      state: (n) => n.state,
      'subnet-id': (n) => n.data.subnetId,
      'vpc-id': (n) => n.data.vpcId,
    });
    return { NatGateways: page.map((n) => natOut(world, n)), NextToken };
  }),

  DeleteNatGateway: ec2op<DeleteNatGatewayRequest, DeleteNatGatewayResult>((input, { world }) => {
    const nat = lookup<NatGatewayData>(world, kinds.natGateway, input.NatGatewayId, 'natGatewayId');
    if (nat.state === 'deleted') throw kinds.natGateway.notFound(nat.id);
    if (nat.state === 'deleting') return { NatGatewayId: nat.id };
    world.clearTransitions(nat);
    world.setState(nat, 'deleting');
    world.schedule(nat, awsDurations.natDelete, 'deleted', 'nat-deleted');
    return { NatGatewayId: nat.id };
  }),
};

export function installNatGateways(world: World): void {
  world.onTransition(ResourceType.natGateway, 'nat-available', (w, r) => {
    const nat = r as Resource<NatGatewayData>;
    // A public NAT gateway needs an internet gateway attached to its VPC (a route to it is not required).
    if (nat.data.connectivityType === 'public' && !hasAttachedIgw(w, nat.data.vpcId)) {
      failNat(w, nat, 'Gateway.NotAttached', `Network ${nat.data.vpcId} has no Internet gateway attached`);
    }
  });
  world.onTransition(ResourceType.natGateway, 'nat-address-taken', (w, r) => {
    const nat = r as Resource<NatGatewayData>;
    failNat(w, nat, 'Resource.AlreadyAssociated', `Elastic IP address [${nat.data.allocationId}] is already associated`);
  });
  world.onTransition(ResourceType.natGateway, 'nat-deleted', (w, r) => {
    const nat = r as Resource<NatGatewayData>;
    nat.data.deleteTime = w.now();
    releaseNatResources(w, nat, true);
    w.schedule(nat, awsDurations.natDeletedListed, 'gone', 'nat-gone');
  });
  world.onTransition(ResourceType.natGateway, 'nat-gone', (w, r) => w.remove(ResourceType.natGateway, r.id));
}
