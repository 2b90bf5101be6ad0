import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames, type SecurityGroupRole } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { blockingEnis, ec2TagFilters, ec2TagSpecifications, ignoreNotFound, needOutput, orGone, retryOn, waitFor, whenVisible } from './common.js';

/**
 * The four security groups, chained by group reference: alb 80 from 0.0.0.0/0; ecs 3000 from the alb group;
 * rds 5432 from the ecs group; redis 6379 from the ecs group. No group but the ALB's names a CIDR for ingress.
 *
 * Egress is as narrow as the stack allows: AWS gives every new group an allow-all egress rule, which is revoked
 * at create (and on an older stack when up converges it). What stays: the ALB's to the tasks' group on the
 * container port; the tasks' to the database's group on 5432, to the cache's on 6379, and 443 to 0.0.0.0/0 (ECR,
 * Secrets Manager and CloudWatch Logs through the NAT gateway); none from the database's or the cache's group
 * (security groups are stateful: answers to admitted traffic need no egress rule).
 */
interface Rule {
  port: number;
  description: string;
  /** A CIDR (the ALB only) or the logical id of the source group. */
  from: { cidr: string } | { group: string };
}

const RULES: Record<SecurityGroupRole, Rule> = {
  alb: { port: 80, description: 'HTTP from the internet', from: { cidr: '0.0.0.0/0' } },
  ecs: { port: 3000, description: 'API from the load balancer', from: { group: 'sg-alb' } },
  rds: { port: 5432, description: 'PostgreSQL from the API tasks', from: { group: 'sg-ecs' } },
  redis: { port: 6379, description: 'Redis from the API tasks', from: { group: 'sg-ecs' } },
};

export interface EgressRule {
  /** A port, or `container` for the stack's container port. */
  port: number | 'container';
  description: string;
  /** A CIDR, or the logical id of the destination group. */
  to: { cidr: string } | { group: string };
}

/** What each group may send. Test and status (src/status/drift-network.ts) read the same table. */
export const EGRESS: Record<SecurityGroupRole, EgressRule[]> = {
  alb: [{ port: 'container', description: 'to the API tasks', to: { group: 'sg-ecs' } }],
  ecs: [
    { port: 443, description: 'HTTPS to ECR, Secrets Manager and CloudWatch Logs (through the NAT gateway)', to: { cidr: '0.0.0.0/0' } },
    { port: 5432, description: 'to the database', to: { group: 'sg-rds' } },
    { port: 6379, description: 'to the cache', to: { group: 'sg-redis' } },
  ],
  rds: [],
  redis: [],
};

/** The logical id of each group's node. */
const NODE_OF: Record<SecurityGroupRole, string> = { alb: 'sg-alb', ecs: 'sg-ecs', rds: 'sg-rds', redis: 'sg-redis' };

/** The groups whose egress names this one: their rules to it are added once it exists. */
function upstreamOf(role: SecurityGroupRole): SecurityGroupRole[] {
  return (Object.keys(EGRESS) as SecurityGroupRole[]).filter((r) => EGRESS[r].some((e) => 'group' in e.to && e.to.group === NODE_OF[role]));
}

const DESCRIPTIONS: Record<SecurityGroupRole, string> = {
  alb: 'three-tier load balancer: HTTP from the internet',
  ecs: 'three-tier API tasks: traffic from the load balancer only',
  rds: 'three-tier PostgreSQL: from the API tasks only',
  redis: 'three-tier Redis: from the API tasks only',
};

async function describe(ctx: NodeContext, groupId: string): Promise<SecurityGroup | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return out.SecurityGroups?.[0];
}

function permission(ctx: NodeContext, role: SecurityGroupRole): IpPermission {
  const r = RULES[role];
  const base: IpPermission = { IpProtocol: 'tcp', FromPort: r.port, ToPort: r.port };
  if ('cidr' in r.from) return { ...base, IpRanges: [{ CidrIp: r.from.cidr, Description: r.description }] };
  return { ...base, UserIdGroupPairs: [{ GroupId: needOutput(ctx, r.from.group, 'groupId'), Description: r.description }] };
}

function hasRule(sg: SecurityGroup, want: IpPermission): boolean {
  return (sg.IpPermissions ?? []).some((p) => {
    if (p.IpProtocol !== 'tcp' || p.FromPort !== want.FromPort || p.ToPort !== want.ToPort) return false;
    const cidr = want.IpRanges?.[0]?.CidrIp;
    if (cidr) return (p.IpRanges ?? []).some((r) => r.CidrIp === cidr);
    const group = want.UserIdGroupPairs?.[0]?.GroupId;
    return (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === group);
  });
}

/** The egress permissions of a role whose destinations are known now (a group not created yet is left out). */
function egressPermissions(ctx: NodeContext, role: SecurityGroupRole): { perms: IpPermission[]; complete: boolean } {
  const perms: IpPermission[] = [];
  let complete = true;
  for (const e of EGRESS[role]) {
    const port = e.port === 'container' ? ctx.config.containerPort : e.port;
    const base: IpPermission = { IpProtocol: 'tcp', FromPort: port, ToPort: port };
    if ('cidr' in e.to) {
      perms.push({ ...base, IpRanges: [{ CidrIp: e.to.cidr, Description: e.description }] });
      continue;
    }
    const groupId = ctx.outputsOf(e.to.group)['groupId'];
    if (groupId) perms.push({ ...base, UserIdGroupPairs: [{ GroupId: groupId, Description: e.description }] });
    else complete = false;
  }
  return { perms, complete };
}

/** The allow-all egress rule AWS gives every new group (and a user might add back). */
function allowAll(sg: SecurityGroup): IpPermission[] {
  return (sg.IpPermissionsEgress ?? []).flatMap((p) => {
    if (p.IpProtocol !== '-1') return [];
    const v4 = (p.IpRanges ?? []).filter((r) => r.CidrIp === '0.0.0.0/0').map((r) => ({ CidrIp: r.CidrIp }));
    const v6 = (p.Ipv6Ranges ?? []).filter((r) => r.CidrIpv6 === '::/0').map((r) => ({ CidrIpv6: r.CidrIpv6 }));
    if (v4.length === 0 && v6.length === 0) return [];
    return [{ IpProtocol: '-1', ...(v4.length ? { IpRanges: v4 } : {}), ...(v6.length ? { Ipv6Ranges: v6 } : {}) }];
  });
}

function hasEgress(sg: SecurityGroup, want: IpPermission): boolean {
  return hasRule({ IpPermissions: sg.IpPermissionsEgress ?? [] }, want);
}

/** Whether a group's egress is what the stack wants: its known rules there, and no allow-all rule. */
function egressConverged(ctx: NodeContext, role: SecurityGroupRole, sg: SecurityGroup): boolean {
  const { perms } = egressPermissions(ctx, role);
  return perms.every((p) => hasEgress(sg, p)) && allowAll(sg).length === 0;
}

/**
 * Add a group's missing egress rules, then (once all are there) revoke the allow-all rule: in this order, so that
 * the tasks of a running stack never lose a path they use.
 */
async function convergeEgress(ctx: NodeContext, role: SecurityGroupRole, groupId: string): Promise<void> {
  // Which destinations are known first, then the group: a destination group's node adds its rule here before it
  // records its id, so a rule seen as known is never added twice by two nodes at once.
  const { perms, complete } = egressPermissions(ctx, role);
  const sg = await describe(ctx, groupId);
  if (!sg) return;
  for (const p of perms.filter((x) => !hasEgress(sg, x))) {
    try {
      await ctx.clients.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [p] }));
    } catch (err) {
      if (!isAwsError(err, 'InvalidPermission.Duplicate')) throw err;
    }
  }
  const open = allowAll(sg);
  if (complete && open.length > 0) await revokeEgress(ctx, groupId, open);
}

async function revokeEgress(ctx: NodeContext, groupId: string, perms: IpPermission[]): Promise<void> {
  try {
    await ctx.clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: perms }));
  } catch (err) {
    // Already revoked by an earlier run.
    if (!isAwsError(err, 'InvalidPermission.NotFound')) throw err;
  }
}

/**
 * A group named by another group's rule cannot be deleted (DependencyViolation): before this group goes, the
 * egress rules of the stack's other groups that name it are revoked (the ALB's to the tasks, the tasks' to the
 * database and the cache).
 */
async function unlinkEgressTo(ctx: NodeContext, groupId: string): Promise<void> {
  const out = await ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: ec2TagFilters(ctx, true) }));
  for (const g of out.SecurityGroups ?? []) {
    if (g.GroupId === groupId) continue;
    const naming = (g.IpPermissionsEgress ?? []).flatMap((p) => {
      const pairs = (p.UserIdGroupPairs ?? []).filter((x) => x.GroupId === groupId).map((x) => ({ GroupId: x.GroupId }));
      return pairs.length ? [{ IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort, UserIdGroupPairs: pairs }] : [];
    });
    if (naming.length) await ignoreNotFound(() => revokeEgress(ctx, g.GroupId ?? '', naming));
  }
}

function tryPermission(ctx: NodeContext, role: SecurityGroupRole): IpPermission | undefined {
  try {
    return permission(ctx, role);
  } catch {
    return undefined;
  }
}

export function securityGroupKind(role: SecurityGroupRole): StackResourceKind {
  const outputsOf = (sg: SecurityGroup): Outputs => ({ groupId: sg.GroupId ?? '', groupName: sg.GroupName ?? '' });
  return firstOf({
    kind: 'security-group',

    async create(ctx) {
      const vpcId = needOutput(ctx, 'vpc', 'vpcId');
      const name = stackNames(ctx.config.stack).securityGroup[role];
      let groupId: string;
      try {
        const out = await whenVisible(ctx, `create security group ${name}`, () =>
          ctx.clients.ec2.send(
            new CreateSecurityGroupCommand({ GroupName: name, Description: DESCRIPTIONS[role], VpcId: vpcId, TagSpecifications: ec2TagSpecifications(ctx, 'security-group') }),
          ),
        );
        groupId = out.GroupId ?? '';
      } catch (err) {
        if (!isAwsError(err, 'InvalidGroup.Duplicate')) throw err;
        // Made by an earlier run that lost the answer: the name is unique in the VPC.
        const out = await ctx.clients.ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: [name] }] }),
        );
        groupId = out.SecurityGroups?.[0]?.GroupId ?? '';
      }
      const identity: Identity = { groupId };
      ctx.record({ identity });
      // Nothing uses a new group yet: its allow-all egress goes now; waitReady adds what the stack allows.
      await whenVisible(ctx, `revoke the default egress of ${groupId}`, () =>
        revokeEgress(ctx, groupId, [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]),
      );
      return identity;
    },

    async read(ctx, identity) {
      const sg = await orGone(() => describe(ctx, identity['groupId'] ?? ''));
      if (!sg) return undefined;
      const want = tryPermission(ctx, role);
      const ingress = want !== undefined && hasRule(sg, want);
      const egress = egressConverged(ctx, role, sg);
      const ready = ingress && egress;
      return { state: ready ? 'rules in place' : !ingress ? 'ingress rule missing' : 'egress wider or narrower than the stack allows', ready, outputs: outputsOf(sg) };
    },

    async findAll(ctx) {
      const out = await ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: ec2TagFilters(ctx) }));
      return (out.SecurityGroups ?? []).map((g) => ({ groupId: g.GroupId ?? '' }));
    },

    async waitReady(ctx, identity) {
      const groupId = identity['groupId'] ?? '';
      const want = permission(ctx, role);
      const sg = await waitFor(ctx, `security group ${groupId} to be visible`, 'quickReady', async () => {
        const g = await describe(ctx, groupId);
        return g ? { done: true, value: g } : { done: false, state: 'not visible yet' };
      });
      if (!hasRule(sg, want)) {
        await whenVisible(ctx, `authorize ingress on ${groupId}`, async () => {
          try {
            await ctx.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [want] }));
          } catch (err) {
            // Already authorized by an earlier run.
            if (!isAwsError(err, 'InvalidPermission.Duplicate')) throw err;
          }
        });
      }
      await convergeEgress(ctx, role, groupId);
      // The groups whose egress names this one could not add that rule before it existed.
      for (const up of upstreamOf(role)) {
        const upId = ctx.outputsOf(NODE_OF[up])['groupId'];
        if (upId) await convergeEgress({ ...ctx, outputsOf: (id) => (id === NODE_OF[role] ? outputsOf(sg) : ctx.outputsOf(id)) }, up, upId);
      }
      return outputsOf(sg);
    },

    async delete(ctx, identity) {
      const groupId = identity['groupId'] ?? '';
      await unlinkEgressTo(ctx, groupId);
      // DependencyViolation while another group references it or interfaces (lingering ones too) use it.
      await retryOn(ctx, `delete security group ${groupId}`, 'eniLinger', () => ignoreNotFound(() => ctx.clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))), {
        explain: (err) => blockingEnis(ctx, { Name: 'group-id', Values: [groupId] }, err),
      });
    },

    async waitGone(ctx, identity) {
      const groupId = identity['groupId'] ?? '';
      await waitFor(ctx, `security group ${groupId} to be deleted`, 'quickGone', async () => {
        const g = await orGone(() => describe(ctx, groupId));
        return g === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
      });
    },
  });
}
