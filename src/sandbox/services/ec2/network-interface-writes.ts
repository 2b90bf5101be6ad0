import type {
  CreateNetworkInterfaceRequest,
  CreateNetworkInterfaceResult,
  DeleteNetworkInterfaceRequest,
} from '@aws-sdk/client-ec2';
import { containsIp, intToIp, ipToInt, network, parseCidr, size } from '../../cidr.js';
import { AwsError } from '../../errors.js';
import { addressesIn, allocatePrivateIp } from '../../enis.js';
import { ResourceType, type EniData, type SecurityGroupData, type SubnetData, type VpcData } from '../../model.js';
import type { World } from '../../world.js';
import { checkClientToken, ec2op, invalidValue, kinds, lookup, priorByClientToken, tagsOnCreate } from './common.js';
import { networkInterfaceOut } from './network-interfaces.js';

/**
 * The network interfaces a caller makes and deletes itself (CreateNetworkInterface / DeleteNetworkInterface). They
 * are not requester-managed, start `available` (the sandbox runs no instance to attach them to) and block the
 * deletion of their subnet, VPC and security groups like any other interface. Interfaces another service made
 * (load balancer nodes, RDS, ElastiCache, NAT gateways, Fargate tasks) are requester-managed: AWS refuses to
 * delete them, and so does the sandbox.
 */

/** Default quota: security groups per network interface. */
export const groupsPerInterfaceLimit = 5;

function unsupported(input: CreateNetworkInterfaceRequest): string[] {
  const given: [string, unknown][] = [
    ['PrivateIpAddresses', input.PrivateIpAddresses],
    ['SecondaryPrivateIpAddressCount', input.SecondaryPrivateIpAddressCount],
    ['Ipv6Addresses', input.Ipv6Addresses],
    ['Ipv6AddressCount', input.Ipv6AddressCount],
    ['Ipv4Prefixes', input.Ipv4Prefixes],
    ['Ipv4PrefixCount', input.Ipv4PrefixCount],
    ['Ipv6Prefixes', input.Ipv6Prefixes],
    ['Ipv6PrefixCount', input.Ipv6PrefixCount],
    ['EnablePrimaryIpv6', input.EnablePrimaryIpv6],
    ['Operator', input.Operator],
  ];
  return given.filter(([, v]) => v !== undefined).map(([k]) => k);
}

/** The caller's own address: inside the subnet, not one of the five AWS reserves, not taken. */
function chosenAddress(world: World, subnetId: string, cidrBlock: string, ip: string): string {
  const cidr = parseCidr(cidrBlock);
  const n = ipToInt(ip);
  if (!cidr || n === undefined || !containsIp(cidr, ip)) {
    throw invalidValue(`Address ${ip} does not fall within the subnet's address range`);
  }
  const host = n - network(cidr);
  if (host < 4 || host === size(cidr) - 1) throw invalidValue(`Address ${ip} is in subnet's reserved address range`);
  if (addressesIn(world, subnetId).has(intToIp(n))) throw new AwsError('InvalidIPAddress.InUse', 'The specified address is already in use.');
  return intToIp(n);
}

function groupsFor(world: World, vpc: string, subnetId: string, ids: string[] | undefined): string[] {
  const vpcData = world.get<VpcData>(ResourceType.vpc, vpc);
  const groups = [...new Set(ids ?? (vpcData ? [vpcData.data.defaultSecurityGroupId] : []))];
  if (groups.length > groupsPerInterfaceLimit) {
    throw new AwsError('SecurityGroupsPerInterfaceLimitExceeded', 'You have exceeded the maximum number of security groups allowed per network interface.');
  }
  for (const id of groups) {
    const g = lookup<SecurityGroupData>(world, kinds.securityGroup, id, 'groupId');
    if (g.data.vpcId !== vpc) throw invalidValue(`Security group ${id} and subnet ${subnetId} belong to different networks.`);
  }
  return groups;
}

function sameRequest(e: EniData, input: CreateNetworkInterfaceRequest): boolean {
  return e.subnetId === input.SubnetId && (input.Description ?? '') === e.description && (input.PrivateIpAddress === undefined || input.PrivateIpAddress === e.privateIpAddress);
}

export const networkInterfaceWriteHandlers = {
  CreateNetworkInterface: ec2op<CreateNetworkInterfaceRequest, CreateNetworkInterfaceResult>((input, { world }) => {
    checkClientToken(input.ClientToken);
    const subnet = lookup<SubnetData>(world, kinds.subnet, input.SubnetId, 'subnetId');
    const prior = priorByClientToken<EniData>(world, ResourceType.networkInterface, input.ClientToken, (d) => sameRequest(d, input));
    if (prior) return { NetworkInterface: networkInterfaceOut(world, prior), ClientToken: input.ClientToken };
    const extra = unsupported(input);
    if (extra.length > 0) throw invalidValue(`The sandbox models one private IPv4 address per interface; it does not model ${extra.join(', ')}.`);
    if (input.InterfaceType !== undefined) {
      throw invalidValue(`The sandbox models standard interfaces only; InterfaceType ${input.InterfaceType} is not modelled.`);
    }
    const description = input.Description ?? '';
    if (description.length > 255) throw invalidValue(`Value (${description}) for parameter description is invalid. Length exceeds maximum of 255.`);
    const groupIds = groupsFor(world, subnet.data.vpcId, subnet.id, input.Groups);
    const tags = tagsOnCreate(input.TagSpecifications, kinds.networkInterface.tagType);
    const privateIpAddress =
      input.PrivateIpAddress !== undefined
        ? chosenAddress(world, subnet.id, subnet.data.cidrBlock, input.PrivateIpAddress)
        : allocatePrivateIp(subnet, addressesIn(world, subnet.id));
    const data: EniData = {
      subnetId: subnet.id,
      vpcId: subnet.data.vpcId,
      availabilityZone: subnet.data.availabilityZone,
      description,
      groupIds,
      privateIpAddress,
      interfaceType: 'interface',
      requesterManaged: false,
      status: 'available',
    };
    if (input.ClientToken !== undefined) data.clientToken = input.ClientToken;
    const eni = world.create<EniData>('ec2', ResourceType.networkInterface, world.newId('eni'), { state: 'available', data, tags });
    const out: CreateNetworkInterfaceResult = { NetworkInterface: networkInterfaceOut(world, eni) };
    if (input.ClientToken !== undefined) out.ClientToken = input.ClientToken;
    return out;
  }),

  DeleteNetworkInterface: ec2op<DeleteNetworkInterfaceRequest, Record<string, never>>((input, { world }) => {
    const eni = lookup<EniData>(world, kinds.networkInterface, input.NetworkInterfaceId, 'networkInterfaceId');
    // What AWS answers for a load balancer's (requester-managed, attached) interface; the sandbox also refuses a
    // lingering one, which only its owner's service removes.
    if (eni.data.requesterManaged || eni.data.status === 'in-use') {
      throw invalidValue(`Network interface '${eni.id}' is currently in use.`);
    }
    world.remove(ResourceType.networkInterface, eni.id);
    return {};
  }),
};
