import type {
  AccountAttribute,
  DescribeAccountAttributesRequest,
  DescribeAccountAttributesResult,
  DescribeNetworkInterfaceAttributeRequest,
  DescribeNetworkInterfaceAttributeResult,
  DescribeSecurityGroupReferencesRequest,
  DescribeSecurityGroupReferencesResult,
  DescribeStaleSecurityGroupsRequest,
  DescribeStaleSecurityGroupsResult,
  GetSecurityGroupsForVpcRequest,
  GetSecurityGroupsForVpcResult,
} from '@aws-sdk/client-ec2';
import { ResourceType, type EniData, type SecurityGroupData, type VpcData } from '../../model.js';
import { applyFilters, ec2op, invalidValue, kinds, lookup, missing, ownerId, paginate, required, tagList } from './common.js';
import { elasticIpLimit } from './gateways.js';
import { groupsPerInterfaceLimit } from './network-interface-writes.js';
import { networkInterfaceOut } from './network-interfaces.js';

/**
 * EC2 reads about the modelled kinds beyond their Describe* (the account's attributes, one attribute of an
 * interface, which groups a VPC may use, cross-VPC group references). See docs/sandbox/ec2.md.
 */

/** What DescribeAccountAttributes reports: the quotas the sandbox enforces, a VPC-only account without a default VPC. */
function accountAttributes(): Record<string, string[]> {
  return {
    'supported-platforms': ['VPC'],
    'vpc-max-security-groups-per-interface': [String(groupsPerInterfaceLimit)],
    'max-elastic-ips': [String(elasticIpLimit)],
    // AWS still answers 20 here; the value no longer reflects any limit (the sandbox runs no instances).
    'max-instances': ['20'],
    'vpc-max-elastic-ips': [String(elasticIpLimit)],
    'default-vpc': ['none'],
  };
}

const NETWORK_INTERFACE_ATTRIBUTES = ['description', 'groupSet', 'sourceDestCheck', 'attachment', 'associatePublicIpAddress'];

export const ec2ReadHandlers = {
  DescribeAccountAttributes: ec2op<DescribeAccountAttributesRequest, DescribeAccountAttributesResult>((input) => {
    const all = accountAttributes();
    const names = input.AttributeNames?.length ? input.AttributeNames : Object.keys(all);
    const out: AccountAttribute[] = names.map((name) => {
      const values = all[name];
      if (!values) throw invalidValue(`Value (${name}) for parameter attributeName is invalid. Unknown attribute.`);
      return { AttributeName: name, AttributeValues: values.map((AttributeValue) => ({ AttributeValue })) };
    });
    return { AccountAttributes: out };
  }),

  DescribeNetworkInterfaceAttribute: ec2op<DescribeNetworkInterfaceAttributeRequest, DescribeNetworkInterfaceAttributeResult>((input, { world }) => {
    const eni = lookup<EniData>(world, kinds.networkInterface, input.NetworkInterfaceId, 'networkInterfaceId', { consistent: false });
    const attribute = required(input.Attribute, 'attribute');
    if (!NETWORK_INTERFACE_ATTRIBUTES.includes(attribute)) {
      throw invalidValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
    }
    const described = networkInterfaceOut(world, eni);
    const out: DescribeNetworkInterfaceAttributeResult = { NetworkInterfaceId: eni.id };
    if (attribute === 'description') out.Description = { Value: described.Description ?? '' };
    if (attribute === 'groupSet') out.Groups = described.Groups ?? [];
    if (attribute === 'sourceDestCheck') out.SourceDestCheck = { Value: described.SourceDestCheck ?? true };
    if (attribute === 'attachment' && described.Attachment) out.Attachment = described.Attachment;
    if (attribute === 'associatePublicIpAddress') out.AssociatePublicIpAddress = described.Association !== undefined;
    return out;
  }),

  /** References from peered VPCs or transit gateways: the sandbox models neither, so there are none. */
  DescribeSecurityGroupReferences: ec2op<DescribeSecurityGroupReferencesRequest, DescribeSecurityGroupReferencesResult>((input, { world }) => {
    const ids = required(input.GroupId, 'groupId');
    if (ids.length === 0) throw missing('groupId');
    for (const id of ids) lookup<SecurityGroupData>(world, kinds.securityGroup, id, 'groupId', { consistent: false });
    return { SecurityGroupReferenceSet: [] };
  }),

  /** Stale rules point at groups in peered VPCs: without peering, no group is ever stale. */
  DescribeStaleSecurityGroups: ec2op<DescribeStaleSecurityGroupsRequest, DescribeStaleSecurityGroupsResult>((input, { world }) => {
    lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId', { consistent: false });
    const { page, NextToken } = paginate([], input.MaxResults, input.NextToken, [5, 255]);
    return { StaleSecurityGroupSet: page, NextToken };
  }),

  /** The groups that can be used in a VPC: those created in it (associations with other VPCs are not modelled). */
  GetSecurityGroupsForVpc: ec2op<GetSecurityGroupsForVpcRequest, GetSecurityGroupsForVpcResult>((input, { world }) => {
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId', { consistent: false });
    const groups = world
      .list<SecurityGroupData>(ResourceType.securityGroup)
      .filter((g) => g.data.vpcId === vpc.id && !world.hiddenByConsistency(g));
    const list = applyFilters(groups, input.Filters, {
      'group-id': (g) => g.id,
      description: (g) => g.data.description,
      'group-name': (g) => g.data.groupName,
      'owner-id': () => ownerId(world),
      'primary-vpc-id': (g) => g.data.vpcId,
    });
    const { page, NextToken } = paginate(list, input.MaxResults, input.NextToken);
    return {
      SecurityGroupForVpcs: page.map((g) => ({
        Description: g.data.description,
        GroupName: g.data.groupName,
        OwnerId: ownerId(world),
        GroupId: g.id,
        Tags: tagList(g.tags),
        PrimaryVpcId: g.data.vpcId,
      })),
      NextToken,
    };
  }),
};
