import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
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
 * rds 5432 from the ecs group; redis 6379 from the ecs group. No group but the ALB's names a CIDR.
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
      return identity;
    },

    async read(ctx, identity) {
      const sg = await orGone(() => describe(ctx, identity['groupId'] ?? ''));
      if (!sg) return undefined;
      const want = tryPermission(ctx, role);
      const ready = want !== undefined && hasRule(sg, want);
      return { state: ready ? 'rules in place' : 'ingress rule missing', ready, outputs: outputsOf(sg) };
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
      return outputsOf(sg);
    },

    async delete(ctx, identity) {
      const groupId = identity['groupId'] ?? '';
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
