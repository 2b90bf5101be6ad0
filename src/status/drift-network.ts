import type { IpPermission, RouteTable, SecurityGroup } from '@aws-sdk/client-ec2';
import type { SecurityGroupRole } from '../names.js';
import { EGRESS } from '../resources/security-group.js';
import type { Tier } from '../resources/subnet.js';
import type { DriftItem } from './model.js';

/**
 * Drift of the network, in words: a security group rule added or removed (the database's group opened to the
 * internet), a default route missing or pointing elsewhere, a subnet no longer associated. The rules are the ones
 * DESIGN.md fixes: alb 80 from 0.0.0.0/0; ecs 3000 from alb; rds 5432 from ecs; redis 6379 from ecs; and egress
 * exactly as src/resources/security-group.ts allows it.
 */
const ROLE_NAME: Record<SecurityGroupRole, string> = { alb: "the load balancer's", ecs: "the API tasks'", rds: "the database's", redis: "the cache's" };
const WANTED: Record<SecurityGroupRole, { port: number; from: { cidr: string } | { role: SecurityGroupRole } }> = {
  alb: { port: 80, from: { cidr: '0.0.0.0/0' } },
  ecs: { port: 3000, from: { role: 'alb' } },
  rds: { port: 5432, from: { role: 'ecs' } },
  redis: { port: 6379, from: { role: 'ecs' } },
};

interface Rule {
  protocol: string;
  from: number;
  to: number;
  /** cidr:..., group:sg-..., prefix:pl-... */
  source: string;
}

function rulesOf(perms: readonly IpPermission[] | undefined): Rule[] {
  const out: Rule[] = [];
  for (const p of perms ?? []) {
    const base = { protocol: p.IpProtocol ?? '-1', from: p.FromPort ?? -1, to: p.ToPort ?? -1 };
    for (const r of p.IpRanges ?? []) out.push({ ...base, source: `cidr:${r.CidrIp ?? ''}` });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...base, source: `cidr:${r.CidrIpv6 ?? ''}` });
    for (const g of p.UserIdGroupPairs ?? []) out.push({ ...base, source: `group:${g.GroupId ?? ''}` });
    for (const l of p.PrefixListIds ?? []) out.push({ ...base, source: `prefix:${l.PrefixListId ?? ''}` });
  }
  return out;
}

function ports(r: Rule): string {
  if (r.protocol === '-1') return 'all traffic';
  const proto = r.protocol === '6' ? 'TCP' : r.protocol.toUpperCase();
  return r.from === r.to ? `${proto} ${r.from}` : `${proto} ${r.from}-${r.to}`;
}

function sourceLabel(source: string, groups: Partial<Record<SecurityGroupRole, string>>): string {
  const [type, value = ''] = source.split(/:(.*)/s);
  if (type === 'cidr') return value === '0.0.0.0/0' || value === '::/0' ? `anywhere (${value})` : value;
  if (type === 'group') {
    const role = (Object.keys(groups) as SecurityGroupRole[]).find((r) => groups[r] === value);
    return role ? `${ROLE_NAME[role]} group (${value})` : `group ${value}`;
  }
  return `prefix list ${value}`;
}

function revokeCommand(groupId: string, r: Rule, direction: 'ingress' | 'egress' = 'ingress'): string {
  const [type, value = ''] = r.source.split(/:(.*)/s);
  const portArgs = r.protocol === '-1' ? '--protocol -1' : `--protocol ${r.protocol} --port ${r.from === r.to ? r.from : `${r.from}-${r.to}`}`;
  const src = type === 'group' ? `--source-group ${value}` : type === 'cidr' ? `--cidr ${value}` : `--ip-permissions PrefixListIds=[{PrefixListId=${value}}]`;
  return `aws ec2 revoke-security-group-${direction} --group-id ${groupId} ${portArgs} ${src}`;
}

const GROUP_ROLE: Record<string, SecurityGroupRole> = { 'sg-alb': 'alb', 'sg-ecs': 'ecs', 'sg-rds': 'rds', 'sg-redis': 'redis' };

/**
 * Egress drift: the group's egress must be exactly what the stack allows (src/resources/security-group.ts EGRESS):
 * a rule missing cuts a path the stack uses; any other rule (the database's group opened to the internet, the
 * allow-all rule AWS gives a new group) is reported with the command that removes it.
 */
function egressDrift(resource: string, role: SecurityGroupRole, sg: SecurityGroup, groups: Partial<Record<SecurityGroupRole, string>>, containerPort: number): DriftItem[] {
  const groupId = sg.GroupId ?? '';
  const name = `${ROLE_NAME[role]} security group (${groupId})`;
  const wanted = EGRESS[role].map((e) => {
    const port = e.port === 'container' ? containerPort : e.port;
    const target = 'cidr' in e.to ? `cidr:${e.to.cidr}` : `group:${groups[GROUP_ROLE[e.to.group] ?? 'alb'] ?? '?'}`;
    return { port, target };
  });
  const actual = rulesOf(sg.IpPermissionsEgress);
  const isWanted = (r: Rule): boolean => (r.protocol === 'tcp' || r.protocol === '6') && r.from === r.to && wanted.some((w) => w.port === r.from && w.target === r.source);
  const drift: DriftItem[] = [];
  for (const w of wanted) {
    if (actual.some((r) => (r.protocol === 'tcp' || r.protocol === '6') && r.from === w.port && r.to === w.port && r.source === w.target)) continue;
    drift.push({ resource, awsId: groupId, change: 'rule-removed', what: `${name} no longer sends TCP ${w.port} to ${sourceLabel(w.target, groups)}`, fix: 'run `three-tier up`: it puts the rule back' });
  }
  for (const r of actual.filter((x) => !isWanted(x))) {
    drift.push({
      resource,
      awsId: groupId,
      change: 'rule-added',
      what: `${name} sends ${ports(r)} to ${sourceLabel(r.source, groups)}: an egress rule three-tier did not make`,
      fix: `remove it unless you meant it: ${revokeCommand(groupId, r, 'egress')}`,
    });
  }
  return drift;
}

/** Rules added or removed on one of the four groups; `groups` are the live ids of the stack's groups by role. */
export function securityGroupDrift(
  resource: string,
  role: SecurityGroupRole,
  sg: SecurityGroup,
  groups: Partial<Record<SecurityGroupRole, string>>,
  containerPort: number,
): { drift: DriftItem[]; ruleMissing: boolean } {
  const groupId = sg.GroupId ?? '';
  const w = WANTED[role];
  const wantSource = 'cidr' in w.from ? `cidr:${w.from.cidr}` : `group:${groups[w.from.role] ?? '?'}`;
  const actual = rulesOf(sg.IpPermissions);
  const isWanted = (r: Rule): boolean => (r.protocol === 'tcp' || r.protocol === '6') && r.from === w.port && r.to === w.port && r.source === wantSource;
  const drift: DriftItem[] = [];
  const name = `${ROLE_NAME[role]} security group (${groupId})`;
  const ruleMissing = !actual.some(isWanted);
  if (ruleMissing) {
    drift.push({
      resource,
      awsId: groupId,
      change: 'rule-removed',
      what: `${name} no longer admits TCP ${w.port} from ${sourceLabel(wantSource, groups)}`,
      fix: 'run `three-tier up`: it puts the rule back',
    });
  }
  for (const r of actual.filter((x) => !isWanted(x))) {
    drift.push({
      resource,
      awsId: groupId,
      change: 'rule-added',
      what: `${name} admits ${ports(r)} from ${sourceLabel(r.source, groups)}: a rule three-tier did not make`,
      fix: `remove it unless you meant it: ${revokeCommand(groupId, r)}`,
    });
  }
  drift.push(...egressDrift(resource, role, sg, groups, containerPort));
  return { drift, ruleMissing };
}

const DEFAULT_ROUTE = '0.0.0.0/0';

/** The default route and the associations of one of the two route tables. */
export function routeTableDrift(resource: string, tier: Tier, rt: RouteTable, want: { target: string | undefined; subnets: { id: string; label: string }[] }): DriftItem[] {
  const id = rt.RouteTableId ?? '';
  const name = `the ${tier} route table (${id})`;
  const targetName = tier === 'public' ? 'internet gateway' : 'NAT gateway';
  const consequence =
    tier === 'public' ? 'the load balancer cannot be reached from the internet' : 'the tasks cannot reach ECR, Secrets Manager or CloudWatch Logs, so new tasks fail to start';
  const drift: DriftItem[] = [];
  const route = (rt.Routes ?? []).find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
  const target = route?.GatewayId ?? route?.NatGatewayId ?? route?.NetworkInterfaceId ?? route?.TransitGatewayId ?? route?.VpcPeeringConnectionId ?? route?.InstanceId;
  if (!route) {
    drift.push({ resource, awsId: id, change: 'route-missing', what: `${name} has no default route (${DEFAULT_ROUTE}): ${consequence}`, fix: 'run `three-tier up`: it recreates the route' });
  } else if (want.target !== undefined && target !== want.target) {
    drift.push({
      resource,
      awsId: id,
      change: 'route-changed',
      what: `${name} sends ${DEFAULT_ROUTE} to ${target ?? 'an unknown target'} instead of the ${targetName} ${want.target}`,
      fix: 'run `three-tier up`: it points the route back',
    });
  }
  for (const s of want.subnets) {
    const associated = (rt.Associations ?? []).some((a) => a.SubnetId === s.id && a.AssociationState?.State !== 'disassociated');
    if (!associated) {
      drift.push({ resource, awsId: id, change: 'association-missing', what: `${s.label} (${s.id}) is no longer associated with ${name}`, fix: 'run `three-tier up`: it associates it again' });
    }
  }
  return drift;
}

/** The default route exists and points at its target, but AWS marks it a blackhole: the target is gone or detached. */
export function defaultRouteState(rt: RouteTable | undefined): string | undefined {
  return (rt?.Routes ?? []).find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE)?.State;
}
