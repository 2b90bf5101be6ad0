import type { DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult, NetworkInterface, NetworkInterfaceType } from '@aws-sdk/client-ec2';
import { ResourceType, type ElasticIpData, type EniData, type SecurityGroupData, type SubnetData } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { combination, ec2op, kinds, matchingNothing, ownerId, tagList } from './common.js';
import { describeResources } from './describe.js';

/**
 * DescribeNetworkInterfaces: the interfaces other services leave in the VPC (created through src/sandbox/enis.ts),
 * the NAT gateway's, and the caller's own (network-interface-writes.ts). Only the caller's own can be deleted.
 */

function hex(id: string): string {
  return id.slice(id.indexOf('-') + 1);
}

function macOf(id: string): string {
  const h = hex(id).padEnd(10, '0');
  return `02:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}`;
}

function regionDomain(region: string): string {
  return region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
}

function addressOf(world: World, eni: Resource<EniData>): Resource<ElasticIpData> | undefined {
  return world.list<ElasticIpData>(ResourceType.elasticIp).find((e) => e.data.networkInterfaceId === eni.id);
}

export function networkInterfaceOut(world: World, eni: Resource<EniData>): NetworkInterface {
  const d = eni.data;
  const privateDnsName = `ip-${d.privateIpAddress.replace(/\./g, '-')}.${regionDomain(world.config.region)}`;
  const out: NetworkInterface = {
    NetworkInterfaceId: eni.id,
    SubnetId: d.subnetId,
    VpcId: d.vpcId,
    AvailabilityZone: d.availabilityZone,
    Description: d.description,
    Groups: d.groupIds.map((id) => {
      const g = world.get<SecurityGroupData>(ResourceType.securityGroup, id);
      return g ? { GroupId: id, GroupName: g.data.groupName } : { GroupId: id };
    }),
    // The wire value AWS sends for a NAT gateway's interface is `nat_gateway` (the SDK enum spells it natGateway).
    InterfaceType: d.interfaceType as NetworkInterfaceType,
    MacAddress: macOf(eni.id),
    OwnerId: ownerId(world),
    PrivateIpAddress: d.privateIpAddress,
    PrivateDnsName: privateDnsName,
    RequesterManaged: d.requesterManaged,
    SourceDestCheck: d.interfaceType !== 'nat_gateway',
    Status: d.status,
    TagSet: tagList(eni.tags),
    Ipv6Addresses: [],
  };
  if (d.requesterId !== undefined) out.RequesterId = d.requesterId;
  if (d.status === 'in-use') {
    out.Attachment = {
      AttachmentId: `eni-attach-${hex(eni.id)}`,
      AttachTime: new Date(eni.createdAt),
      DeleteOnTermination: false,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
      InstanceOwnerId: d.requesterId ?? 'amazon-aws',
      Status: 'attached',
    };
  }
  let association: NetworkInterface['Association'];
  if (d.publicIp !== undefined) {
    const eip = addressOf(world, eni);
    association = {
      PublicIp: d.publicIp,
      PublicDnsName: `ec2-${d.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`,
      IpOwnerId: eip ? ownerId(world) : 'amazon',
    };
    if (eip) {
      association.AllocationId = eip.id;
      if (eip.data.associationId !== undefined) association.AssociationId = eip.data.associationId;
    }
    out.Association = association;
  }
  out.PrivateIpAddresses = [
    { Primary: true, PrivateIpAddress: d.privateIpAddress, PrivateDnsName: privateDnsName, ...(association ? { Association: association } : {}) },
  ];
  return out;
}

export const networkInterfaceHandlers = {
  DescribeNetworkInterfaces: ec2op<DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult>((input, { world }) => {
    // AWS: "You cannot specify this parameter and the network interface IDs parameter in the same request."
    if ((input.NetworkInterfaceIds?.length ?? 0) > 0 && input.MaxResults !== undefined) {
      throw combination('The parameter networkInterfaceIdSet cannot be used with the parameter maxResults');
    }
    const shown = new Map<string, NetworkInterface>();
    const out = (e: Resource<EniData>): NetworkInterface => {
      let v = shown.get(e.id);
      if (!v) shown.set(e.id, (v = networkInterfaceOut(world, e)));
      return v;
    };
    const { page, NextToken } = describeResources<EniData>(world, kinds.networkInterface, input.NetworkInterfaceIds, input, {
      'network-interface-id': (e) => e.id,
      'vpc-id': (e) => e.data.vpcId,
      'subnet-id': (e) => e.data.subnetId,
      'availability-zone': (e) => e.data.availabilityZone,
      'group-id': (e) => e.data.groupIds,
      'group-name': (e) => e.data.groupIds.map((id) => world.get<SecurityGroupData>(ResourceType.securityGroup, id)?.data.groupName),
      status: (e) => e.data.status,
      'requester-managed': (e) => e.data.requesterManaged,
      'requester-id': (e) => e.data.requesterId,
      description: (e) => e.data.description,
      'interface-type': (e) => e.data.interfaceType,
      'private-ip-address': (e) => e.data.privateIpAddress,
      'addresses.private-ip-address': (e) => e.data.privateIpAddress,
      'association.public-ip': (e) => e.data.publicIp,
      'association.allocation-id': (e) => addressOf(world, e)?.id,
      'attachment.status': (e) => (e.data.status === 'in-use' ? 'attached' : undefined),
      'owner-id': () => ownerId(world),
      // The rest of AWS's documented filters read the interface as DescribeNetworkInterfaces shows it.
      'association.association-id': (e) => out(e).Association?.AssociationId,
      'association.ip-owner-id': (e) => out(e).Association?.IpOwnerId,
      'association.public-dns-name': (e) => out(e).Association?.PublicDnsName,
      'addresses.association.owner-id': (e) => out(e).Association?.IpOwnerId,
      'addresses.association.public-ip': (e) => e.data.publicIp,
      'addresses.primary': () => true,
      'attachment.attach-time': (e) => out(e).Attachment?.AttachTime?.toISOString(),
      'attachment.attachment-id': (e) => out(e).Attachment?.AttachmentId,
      'attachment.delete-on-termination': (e) => out(e).Attachment?.DeleteOnTermination,
      'attachment.device-index': (e) => out(e).Attachment?.DeviceIndex,
      'attachment.instance-owner-id': (e) => out(e).Attachment?.InstanceOwnerId,
      'availability-zone-id': (e) => world.get<SubnetData>(ResourceType.subnet, e.data.subnetId)?.data.availabilityZoneId,
      'mac-address': (e) => out(e).MacAddress,
      'operator.managed': () => false,
      ...matchingNothing('attachment.instance-id', 'ipv6-addresses.ipv6-address', 'operator.principal'),
      'private-dns-name': (e) => out(e).PrivateDnsName,
      'source-dest-check': (e) => out(e).SourceDestCheck,
    });
    return { NetworkInterfaces: page.map(out), NextToken };
  }),
};
