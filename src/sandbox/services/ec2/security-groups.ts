import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupEgressResult,
  AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult,
  CreateSecurityGroupRequest,
  CreateSecurityGroupResult,
  DeleteSecurityGroupRequest,
  DeleteSecurityGroupResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  IpPermission,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupEgressResult,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
  SecurityGroupRule as SdkSecurityGroupRule,
  TagSpecification,
} from '@aws-sdk/client-ec2';
import { hasHostBits, parseCidr } from '../../cidr.js';
import { AwsError } from '../../errors.js';
import { ResourceType, type EniData, type SecurityGroupData, type SecurityGroupRule, type VpcData } from '../../model.js';
import type { Resource, World } from '../../world.js';
import {
  applyFilters,
  checkWellFormed,
  dependencyViolation,
  ec2Arn,
  ec2op,
  invalidValue,
  kinds,
  lookup,
  matchingNothing,
  missing,
  ownerId,
  paginate,
  required,
  tagList,
  tagsOnCreate,
} from './common.js';
import { describeResources } from './describe.js';

/** Default quota: inbound and outbound rules per security group, each. */
export const rulesPerDirectionLimit = 60;

type Direction = 'ingress' | 'egress';
type RuleSpec = Omit<SecurityGroupRule, 'ruleId'>;

const groupNameChars = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

function allTrafficEgress(world: World): SecurityGroupRule {
  return { ruleId: world.newId('sgr'), ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' };
}

/** The group every VPC is born with: all traffic in from itself, all traffic out. Deleted with the VPC only. */
export function createDefaultSecurityGroup(world: World, vpc: Resource<VpcData>): Resource<SecurityGroupData> {
  const id = world.newId('sg');
  return world.create<SecurityGroupData>('ec2', ResourceType.securityGroup, id, {
    state: 'available',
    data: {
      vpcId: vpc.id,
      groupName: 'default',
      description: 'default VPC security group',
      ingress: [{ ruleId: world.newId('sgr'), ipProtocol: '-1', fromPort: -1, toPort: -1, referencedGroupId: id }],
      egress: [allTrafficEgress(world)],
      isDefault: true,
    },
  });
}

function normalizeProtocol(p: string | undefined): string {
  if (p === undefined || p === '') throw missing('ipProtocol');
  const l = p.toLowerCase();
  if (l === '-1' || l === 'all') return '-1';
  if (l === 'tcp' || l === '6') return 'tcp';
  if (l === 'udp' || l === '17') return 'udp';
  if (l === 'icmp' || l === '1') return 'icmp';
  if (/^\d{1,3}$/.test(l) && Number(l) <= 255) return String(Number(l));
  throw invalidValue(`Invalid value '${p}' for IP protocol. Unknown protocol.`);
}

function portsOf(protocol: string, from: number | undefined, to: number | undefined): [number, number] {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) throw invalidValue(`Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange`);
    if (from < 0 || to > 65535 || from > to) throw invalidValue(`Invalid TCP/UDP port range: ${from}-${to}`);
    return [from, to];
  }
  if (protocol === 'icmp') {
    const type = from ?? -1;
    const code = to ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) throw invalidValue(`Invalid ICMP type/code: ${type}/${code}`);
    return [type, code];
  }
  return [-1, -1];
}

function protocolLabel(protocol: string): string {
  return protocol === '-1' ? 'ALL' : protocol.toUpperCase();
}

/** How AWS names a rule in InvalidPermission.Duplicate. */
function describeRule(r: RuleSpec): string {
  const peer = r.cidrIpv4 ?? r.referencedGroupId ?? '';
  if (r.ipProtocol === '-1') return `peer: ${peer}, ALL, ALLOW`;
  return `peer: ${peer}, ${protocolLabel(r.ipProtocol)}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
}

function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return a.ipProtocol === b.ipProtocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidrIpv4 === b.cidrIpv4 && a.referencedGroupId === b.referencedGroupId;
}

/** Legacy top-level parameters (CidrIp, IpProtocol, FromPort, ToPort) as one permission. */
function permissionsOf(input: { IpPermissions?: IpPermission[] | undefined; CidrIp?: string | undefined; IpProtocol?: string | undefined; FromPort?: number | undefined; ToPort?: number | undefined; SourceSecurityGroupName?: string | undefined }): IpPermission[] {
  if (input.SourceSecurityGroupName !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'SourceSecurityGroupName is only supported for EC2-Classic and default VPC; use IpPermissions with UserIdGroupPairs.GroupId.');
  }
  const perms = [...(input.IpPermissions ?? [])];
  if (input.CidrIp !== undefined || input.IpProtocol !== undefined) {
    const legacy: IpPermission = { IpProtocol: input.IpProtocol ?? '-1', IpRanges: input.CidrIp !== undefined ? [{ CidrIp: input.CidrIp }] : [] };
    if (input.FromPort !== undefined) legacy.FromPort = input.FromPort;
    if (input.ToPort !== undefined) legacy.ToPort = input.ToPort;
    perms.push(legacy);
  }
  if (perms.length === 0) throw missing('ipPermissions');
  return perms;
}

/** Expand IpPermissions into one rule per source, validating every part (CIDRs, referenced groups, ports). */
function expand(world: World, group: Resource<SecurityGroupData>, perms: IpPermission[]): RuleSpec[] {
  const out: RuleSpec[] = [];
  for (const p of perms) {
    const protocol = normalizeProtocol(p.IpProtocol);
    const [fromPort, toPort] = portsOf(protocol, p.FromPort, p.ToPort);
    if ((p.Ipv6Ranges?.length ?? 0) > 0 || (p.PrefixListIds?.length ?? 0) > 0) {
      throw invalidValue('The sandbox supports IpRanges and UserIdGroupPairs sources only (no Ipv6Ranges or PrefixListIds).');
    }
    const base = { ipProtocol: protocol, fromPort, toPort };
    for (const range of p.IpRanges ?? []) {
      const cidrText = required(range.CidrIp, 'cidrIp');
      const cidr = parseCidr(cidrText);
      if (!cidr || hasHostBits(cidr)) throw invalidValue(`CIDR block ${cidrText} is malformed`);
      const rule: RuleSpec = { ...base, cidrIpv4: cidrText };
      if (range.Description !== undefined) rule.description = range.Description;
      out.push(rule);
    }
    for (const pair of p.UserIdGroupPairs ?? []) {
      if (pair.GroupId === undefined) {
        throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
      }
      const ref = lookup<SecurityGroupData>(world, kinds.securityGroup, pair.GroupId, 'groupId');
      if (ref.data.vpcId !== group.data.vpcId) throw new AwsError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');
      const rule: RuleSpec = { ...base, referencedGroupId: ref.id };
      if (pair.Description !== undefined) rule.description = pair.Description;
      out.push(rule);
    }
    if ((p.IpRanges?.length ?? 0) === 0 && (p.UserIdGroupPairs?.length ?? 0) === 0) {
      throw missing('ipPermissions.ipRanges or ipPermissions.groups');
    }
  }
  return out;
}

/** The group an operation names by GroupId (GroupName works only in a default VPC, which the sandbox has none of). */
function groupOf(world: World, input: { GroupId?: string | undefined; GroupName?: string | undefined }): Resource<SecurityGroupData> {
  if (input.GroupId === undefined && input.GroupName !== undefined) {
    throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  }
  return lookup<SecurityGroupData>(world, kinds.securityGroup, input.GroupId, 'groupId');
}

export function ruleOut(world: World, group: Resource<SecurityGroupData>, r: SecurityGroupRule, direction: Direction): SdkSecurityGroupRule {
  const out: SdkSecurityGroupRule = {
    SecurityGroupRuleId: r.ruleId,
    GroupId: group.id,
    GroupOwnerId: ownerId(world),
    IsEgress: direction === 'egress',
    IpProtocol: r.ipProtocol,
    FromPort: r.fromPort,
    ToPort: r.toPort,
    SecurityGroupRuleArn: ec2Arn(world, `security-group-rule/${r.ruleId}`),
    Tags: tagList(r.tags ?? {}),
  };
  if (r.cidrIpv4 !== undefined) out.CidrIpv4 = r.cidrIpv4;
  if (r.referencedGroupId !== undefined) out.ReferencedGroupInfo = { GroupId: r.referencedGroupId, UserId: ownerId(world) };
  if (r.description !== undefined) out.Description = r.description;
  return out;
}

/** AWS groups a security group's rules by protocol and port range, each with its CIDR and group sources. */
function permissionsOut(world: World, rules: SecurityGroupRule[]): IpPermission[] {
  const groups = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol}|${r.fromPort}|${r.toPort}`;
    let p = groups.get(key);
    if (!p) {
      p = { IpProtocol: r.ipProtocol, IpRanges: [], UserIdGroupPairs: [], Ipv6Ranges: [], PrefixListIds: [] };
      if (r.ipProtocol !== '-1') {
        p.FromPort = r.fromPort;
        p.ToPort = r.toPort;
      }
      groups.set(key, p);
    }
    if (r.cidrIpv4 !== undefined) p.IpRanges?.push(r.description !== undefined ? { CidrIp: r.cidrIpv4, Description: r.description } : { CidrIp: r.cidrIpv4 });
    if (r.referencedGroupId !== undefined) {
      p.UserIdGroupPairs?.push({ GroupId: r.referencedGroupId, UserId: ownerId(world), ...(r.description !== undefined ? { Description: r.description } : {}) });
    }
  }
  return [...groups.values()];
}

export function securityGroupOut(world: World, g: Resource<SecurityGroupData>): SecurityGroup {
  return {
    GroupId: g.id,
    GroupName: g.data.groupName,
    Description: g.data.description,
    VpcId: g.data.vpcId,
    OwnerId: ownerId(world),
    SecurityGroupArn: ec2Arn(world, `security-group/${g.id}`),
    IpPermissions: permissionsOut(world, g.data.ingress),
    IpPermissionsEgress: permissionsOut(world, g.data.egress),
    Tags: tagList(g.tags),
  };
}

function rulesOf(g: Resource<SecurityGroupData>, direction: Direction): SecurityGroupRule[] {
  return direction === 'ingress' ? g.data.ingress : g.data.egress;
}

function authorize(
  world: World,
  input: { GroupId?: string | undefined; GroupName?: string | undefined; TagSpecifications?: TagSpecification[] | undefined } & Parameters<typeof permissionsOf>[0],
  direction: Direction,
): { Return: boolean; SecurityGroupRules: SdkSecurityGroupRule[] } {
  const group = groupOf(world, input);
  const specs = expand(world, group, permissionsOf(input));
  const tags = tagsOnCreate(input.TagSpecifications, 'security-group-rule');
  const existing = rulesOf(group, direction);
  specs.forEach((spec, i) => {
    if (existing.some((r) => sameRule(r, spec)) || specs.slice(0, i).some((r) => sameRule(r, spec))) {
      throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(spec)}" already exists`);
    }
  });
  if (existing.length + specs.length > rulesPerDirectionLimit) {
    throw new AwsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.');
  }
  const added = specs.map((spec) => {
    const rule: SecurityGroupRule = { ruleId: world.newId('sgr'), ...spec };
    if (Object.keys(tags).length > 0) rule.tags = { ...tags };
    return rule;
  });
  existing.push(...added);
  return { Return: true, SecurityGroupRules: added.map((r) => ruleOut(world, group, r, direction)) };
}

function revoke(
  world: World,
  input: { GroupId?: string | undefined; GroupName?: string | undefined; SecurityGroupRuleIds?: string[] | undefined } & Parameters<typeof permissionsOf>[0],
  direction: Direction,
): { Return: boolean; RevokedSecurityGroupRules: RevokedSecurityGroupRule[] } {
  const group = groupOf(world, input);
  const existing = rulesOf(group, direction);
  let doomed: SecurityGroupRule[];
  if (input.SecurityGroupRuleIds && input.SecurityGroupRuleIds.length > 0) {
    doomed = input.SecurityGroupRuleIds.map((id) => {
      const r = existing.find((x) => x.ruleId === id);
      if (!r) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      return r;
    });
  } else {
    // Non-default VPC: every rule named must exist, else InvalidPermission.NotFound and nothing is revoked.
    doomed = expand(world, group, permissionsOf(input)).map((spec) => {
      const r = existing.find((x) => sameRule(x, spec));
      if (!r) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      return r;
    });
  }
  const remaining = existing.filter((r) => !doomed.includes(r));
  if (direction === 'ingress') group.data.ingress = remaining;
  else group.data.egress = remaining;
  return {
    Return: true,
    RevokedSecurityGroupRules: doomed.map((r) => {
      const out: RevokedSecurityGroupRule = {
        SecurityGroupRuleId: r.ruleId,
        GroupId: group.id,
        IsEgress: direction === 'egress',
        IpProtocol: r.ipProtocol,
        FromPort: r.fromPort,
        ToPort: r.toPort,
      };
      if (r.cidrIpv4 !== undefined) out.CidrIpv4 = r.cidrIpv4;
      if (r.referencedGroupId !== undefined) out.ReferencedGroupId = r.referencedGroupId;
      if (r.description !== undefined) out.Description = r.description;
      return out;
    }),
  };
}

function anyRuleValue(rules: SecurityGroupRule[], pick: (r: SecurityGroupRule) => string | number | undefined): (string | undefined)[] {
  return rules.map((r) => {
    const v = pick(r);
    return v === undefined ? undefined : String(v);
  });
}

export const securityGroupHandlers = {
  CreateSecurityGroup: ec2op<CreateSecurityGroupRequest, CreateSecurityGroupResult>((input, { world }) => {
    const name = required(input.GroupName, 'groupName');
    const description = required(input.Description, 'groupDescription');
    if (name.length > 255) throw invalidValue(`Value (${name}) for parameter groupName is invalid. Length exceeds maximum of 255.`);
    if (!groupNameChars.test(name)) throw invalidValue(`Value (${name}) for parameter groupName is invalid. Character sets beyond ASCII are not supported.`);
    if (description.length > 255) throw invalidValue(`Value (${description}) for parameter groupDescription is invalid. Length exceeds maximum of 255.`);
    if (!groupNameChars.test(description)) {
      throw invalidValue(`Value (${description}) for parameter groupDescription is invalid. Character sets beyond ASCII are not supported.`);
    }
    if (name.toLowerCase().startsWith('sg-')) throw invalidValue('Group names may not be in the format sg-*.');
    if (name === 'default') throw invalidValue('Cannot use reserved security group name: default');
    if (input.VpcId === undefined) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId');
    const tags = tagsOnCreate(input.TagSpecifications, kinds.securityGroup.tagType);
    const dup = world.list<SecurityGroupData>(ResourceType.securityGroup).some((g) => g.data.vpcId === vpc.id && g.data.groupName === name);
    if (dup) throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.id}'`);
    const id = world.newId('sg');
    const group = world.create<SecurityGroupData>('ec2', ResourceType.securityGroup, id, {
      state: 'available',
      tags,
      data: { vpcId: vpc.id, groupName: name, description, ingress: [], egress: [allTrafficEgress(world)], isDefault: false },
    });
    return { GroupId: group.id, SecurityGroupArn: ec2Arn(world, `security-group/${group.id}`), Tags: tagList(group.tags) };
  }),

  DescribeSecurityGroups: ec2op<DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult>((input, { world }) => {
    if (input.GroupNames && input.GroupNames.length > 0) {
      throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    }
    for (const id of input.GroupIds ?? []) checkWellFormed(kinds.securityGroup, id);
    const groupName = (id: string | undefined): string | undefined =>
      id === undefined ? undefined : world.get<SecurityGroupData>(ResourceType.securityGroup, id)?.data.groupName;
    const { page, NextToken } = describeResources<SecurityGroupData>(world, kinds.securityGroup, input.GroupIds, input, {
      'group-id': (g) => g.id,
      'group-name': (g) => g.data.groupName,
      'vpc-id': (g) => g.data.vpcId,
      description: (g) => g.data.description,
      'owner-id': () => ownerId(world),
      'ip-permission.cidr': (g) => anyRuleValue(g.data.ingress, (r) => r.cidrIpv4),
      'ip-permission.group-id': (g) => anyRuleValue(g.data.ingress, (r) => r.referencedGroupId),
      'ip-permission.from-port': (g) => anyRuleValue(g.data.ingress, (r) => r.fromPort),
      'ip-permission.to-port': (g) => anyRuleValue(g.data.ingress, (r) => r.toPort),
      'ip-permission.protocol': (g) => anyRuleValue(g.data.ingress, (r) => r.ipProtocol),
      'egress.ip-permission.cidr': (g) => anyRuleValue(g.data.egress, (r) => r.cidrIpv4),
      'egress.ip-permission.group-id': (g) => anyRuleValue(g.data.egress, (r) => r.referencedGroupId),
      'egress.ip-permission.from-port': (g) => anyRuleValue(g.data.egress, (r) => r.fromPort),
      'egress.ip-permission.to-port': (g) => anyRuleValue(g.data.egress, (r) => r.toPort),
      'egress.ip-permission.protocol': (g) => anyRuleValue(g.data.egress, (r) => r.ipProtocol),
      'ip-permission.group-name': (g) => anyRuleValue(g.data.ingress, (r) => groupName(r.referencedGroupId)),
      'ip-permission.user-id': (g) => anyRuleValue(g.data.ingress, (r) => (r.referencedGroupId ? ownerId(world) : undefined)),
      'egress.ip-permission.group-name': (g) => anyRuleValue(g.data.egress, (r) => groupName(r.referencedGroupId)),
      'egress.ip-permission.user-id': (g) => anyRuleValue(g.data.egress, (r) => (r.referencedGroupId ? ownerId(world) : undefined)),
      ...matchingNothing('ip-permission.ipv6-cidr', 'ip-permission.prefix-list-id', 'egress.ip-permission.ipv6-cidr', 'egress.ip-permission.prefix-list-id'),
    });
    return { SecurityGroups: page.map((g) => securityGroupOut(world, g)), NextToken };
  }),

  DeleteSecurityGroup: ec2op<DeleteSecurityGroupRequest, DeleteSecurityGroupResult>((input, { world }) => {
    const group = groupOf(world, input);
    if (group.data.isDefault) {
      throw new AwsError('CannotDelete', `the specified group: "${group.id}" name: "${group.data.groupName}" cannot be deleted by a user`);
    }
    const referenced = world
      .list<SecurityGroupData>(ResourceType.securityGroup)
      .some((g) => g.id !== group.id && [...g.data.ingress, ...g.data.egress].some((r) => r.referencedGroupId === group.id));
    const used = world.list<EniData>(ResourceType.networkInterface).some((e) => e.data.groupIds.includes(group.id));
    if (referenced || used) throw dependencyViolation(`resource ${group.id} has a dependent object`);
    world.remove(ResourceType.securityGroup, group.id);
    return { Return: true, GroupId: group.id };
  }),

  AuthorizeSecurityGroupIngress: ec2op<AuthorizeSecurityGroupIngressRequest, AuthorizeSecurityGroupIngressResult>((input, { world }) =>
    authorize(world, input, 'ingress'),
  ),

  AuthorizeSecurityGroupEgress: ec2op<AuthorizeSecurityGroupEgressRequest, AuthorizeSecurityGroupEgressResult>((input, { world }) => {
    if (input.CidrIp !== undefined || input.IpProtocol !== undefined || input.SourceSecurityGroupName !== undefined) {
      throw new AwsError('InvalidParameterCombination', 'The parameter CidrIp, IpProtocol, FromPort, ToPort and SourceSecurityGroupName are not supported for egress; use IpPermissions.');
    }
    return authorize(world, input, 'egress');
  }),

  RevokeSecurityGroupIngress: ec2op<RevokeSecurityGroupIngressRequest, RevokeSecurityGroupIngressResult>((input, { world }) => revoke(world, input, 'ingress')),

  RevokeSecurityGroupEgress: ec2op<RevokeSecurityGroupEgressRequest, RevokeSecurityGroupEgressResult>((input, { world }) => {
    if (input.CidrIp !== undefined || input.IpProtocol !== undefined || input.SourceSecurityGroupName !== undefined) {
      throw new AwsError('InvalidParameterCombination', 'The parameter CidrIp, IpProtocol, FromPort, ToPort and SourceSecurityGroupName are not supported for egress; use IpPermissions.');
    }
    return revoke(world, input, 'egress');
  }),

  DescribeSecurityGroupRules: ec2op<DescribeSecurityGroupRulesRequest, DescribeSecurityGroupRulesResult>((input, { world }) => {
    const all = world
      .list<SecurityGroupData>(ResourceType.securityGroup)
      .filter((g) => !world.hiddenByConsistency(g))
      .flatMap((g) => [
        ...g.data.ingress.map((rule) => ({ group: g, rule, direction: 'ingress' as Direction })),
        ...g.data.egress.map((rule) => ({ group: g, rule, direction: 'egress' as Direction })),
      ]);
    let list = all;
    if (input.SecurityGroupRuleIds && input.SecurityGroupRuleIds.length > 0) {
      list = input.SecurityGroupRuleIds.map((id) => {
        const found = all.find((x) => x.rule.ruleId === id);
        if (!found) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
        return found;
      });
    }
    list = applyFilters(
      list,
      input.Filters,
      {
        'group-id': (x) => x.group.id,
        'security-group-rule-id': (x) => x.rule.ruleId,
        'is-egress': (x) => x.direction === 'egress',
      },
      (x) => x.rule.tags ?? {},
    );
    const { page, NextToken } = paginate(list, input.MaxResults, input.NextToken);
    return { SecurityGroupRules: page.map((x) => ruleOut(world, x.group, x.rule, x.direction)), NextToken };
  }),
};
