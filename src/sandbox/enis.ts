import { intToIp, network, parseCidr, size } from './cidr.js';
import { ResourceType, type EniData, type SubnetData } from './model.js';
import { awsDurations, type Resource, type World } from './world.js';
import { AwsError } from './errors.js';

/**
 * Network interfaces that other services leave in a VPC: the ALB's nodes, RDS and ElastiCache endpoints, the NAT
 * gateway, Fargate tasks. They are requester-managed (the caller cannot delete them) and, like on AWS, they linger
 * after their owner is gone, which is what blocks subnet, security group and VPC deletion.
 */
export interface ManagedEniRequest {
  subnetId: string;
  groupIds: string[];
  description: string;
  interfaceType?: EniData['interfaceType'];
  requesterId: string;
  /** `type:id` of the owner. */
  ownerRef: string;
  /** Map a public address to it (internet-facing ALB nodes). */
  publicIp?: string;
  /** Use this exact private address (the NAT gateway keeps its own). */
  privateIpAddress?: string;
}

/** The private addresses the interfaces of a subnet hold. */
export function addressesIn(world: World, subnetId: string): Set<string> {
  return new Set(world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.subnetId === subnetId).map((e) => e.data.privateIpAddress));
}

/**
 * Hand out the next free private address of a subnet (skipping the 4 addresses AWS reserves, and addresses a caller
 * chose for its own interface).
 */
export function allocatePrivateIp(subnet: Resource<SubnetData>, taken: ReadonlySet<string> = new Set()): string {
  const cidr = parseCidr(subnet.data.cidrBlock);
  if (!cidr) throw new AwsError('InternalError', `subnet ${subnet.id} has an invalid CIDR`, 500);
  let host = Math.max(4, subnet.data.nextHost);
  while (host < size(cidr) - 1 && taken.has(intToIp(network(cidr) + host))) host++;
  if (host >= size(cidr) - 1) {
    throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`);
  }
  subnet.data.nextHost = host + 1;
  return intToIp(network(cidr) + host);
}

export function createManagedEni(world: World, req: ManagedEniRequest): Resource<EniData> {
  const subnet = world.get<SubnetData>(ResourceType.subnet, req.subnetId);
  if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${req.subnetId}' does not exist`);
  const id = world.newId('eni');
  const data: EniData = {
    subnetId: subnet.id,
    vpcId: subnet.data.vpcId,
    availabilityZone: subnet.data.availabilityZone,
    description: req.description,
    groupIds: [...req.groupIds],
    privateIpAddress: req.privateIpAddress ?? allocatePrivateIp(subnet, addressesIn(world, subnet.id)),
    interfaceType: req.interfaceType ?? 'interface',
    requesterManaged: true,
    requesterId: req.requesterId,
    ownerRef: req.ownerRef,
    status: 'in-use',
  };
  if (req.publicIp !== undefined) data.publicIp = req.publicIp;
  return world.create('ec2', ResourceType.networkInterface, id, { state: 'in-use', data });
}

/** Wall ms an interface lingers after its owner is gone. */
export function lingerMs(world: World): number {
  return world.config.faults.eniLingerMs ?? world.scaled(awsDurations.eniLinger);
}

/**
 * What becomes of an owner's interfaces when the owner is gone. `linger`: the services that delete their interfaces
 * on their own schedule (a load balancer's nodes, RDS, ElastiCache, Lambda-like ones) leave them behind for minutes,
 * still holding their public addresses, which is why DetachInternetGateway keeps answering "has some mapped public
 * address(es)" after a load balancer is deleted. `with-owner`: a NAT gateway's interface is deleted with the
 * gateway and a Fargate task's when the task is deprovisioned.
 */
export type EniRelease = 'linger' | 'with-owner';

/**
 * The owner is gone: its interfaces go at once (`with-owner`, or a linger of 0), or turn `available`, detached and
 * keeping any public address, and disappear after the linger time.
 */
export function releaseManagedEnis(world: World, ownerRef: string, release: EniRelease): void {
  const linger = release === 'linger' ? lingerMs(world) : 0;
  for (const eni of world.list<EniData>(ResourceType.networkInterface)) {
    if (eni.data.ownerRef !== ownerRef || eni.data.status === 'available') continue;
    if (linger <= 0) {
      world.remove(ResourceType.networkInterface, eni.id);
      continue;
    }
    eni.data.status = 'available';
    world.setState(eni, 'available');
    world.scheduleAt(eni, world.now() + linger, 'deleted', 'eni-gone');
  }
}

export function enisOf(world: World, ownerRef: string): Resource<EniData>[] {
  return world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.ownerRef === ownerRef);
}

export function installEnis(world: World): void {
  world.onTransition(ResourceType.networkInterface, 'eni-gone', (w, eni) => w.remove(ResourceType.networkInterface, eni.id));
}

/** A subnet's free addresses: AWS reserves five per subnet; every interface in it uses one more. */
export function freeAddresses(world: World, subnet: Resource<SubnetData>): number {
  const cidr = parseCidr(subnet.data.cidrBlock);
  const used = world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.subnetId === subnet.id).length;
  return Math.max(0, (cidr ? size(cidr) : 0) - 5 - used);
}
