import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
  type Tag,
} from '@aws-sdk/client-ec2';
import { errorMessage } from './aws/errors.js';
import type { ResourcePhase } from './engine/events.js';
import { RESOURCE_TAG, STACK_TAG, type Identity, type NodeContext } from './engine/kind.js';
import type { StackResourceKind } from './resources/kind.js';
import { vpcKind } from './resources/vpc.js';
import { subnetKind } from './resources/subnet.js';
import { internetGatewayKind } from './resources/internet-gateway.js';
import { elasticIpKind } from './resources/elastic-ip.js';
import { natGatewayKind } from './resources/nat-gateway.js';
import { routeTableKind } from './resources/route-table.js';
import { securityGroupKind } from './resources/security-group.js';

/**
 * EC2 resources tagged with the stack that the graph does not account for: a resource tag no node of that kind
 * has (a resource of another version, one made by hand and tagged), or none. `findStrays` finds them before the
 * graph is deleted, so that they are deleted in the graph's order (a stray security group before the VPC);
 * `sweepStackTagged` runs after it as the safety net, deleting whatever still carries the stack tag. ELBv2, RDS,
 * ElastiCache, ECS, ECR, Logs and IAM resources have derived names, which each node's findAll covers.
 */
interface TypeSweep {
  type: string;
  kind: StackResourceKind;
  list(ctx: NodeContext, filters: Filter[]): Promise<{ identity: Identity; tags: Tag[] | undefined }[]>;
}

const ORDER: TypeSweep[] = [
  {
    type: 'nat-gateway',
    kind: natGatewayKind,
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeNatGatewaysCommand({ Filter: [...filters, { Name: 'state', Values: ['pending', 'available', 'failed'] }] }))).NatGateways ?? [])
        .filter((n) => n.State !== 'deleted' && n.State !== 'deleting')
        .map((n) => ({ identity: { natGatewayId: n.NatGatewayId ?? '' }, tags: n.Tags })),
  },
  {
    type: 'elastic-ip',
    kind: elasticIpKind,
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeAddressesCommand({ Filters: filters }))).Addresses ?? []).map((a) => ({ identity: { allocationId: a.AllocationId ?? '' }, tags: a.Tags })),
  },
  {
    type: 'security-group',
    kind: securityGroupKind('alb'),
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }))).SecurityGroups ?? []).map((g) => ({ identity: { groupId: g.GroupId ?? '' }, tags: g.Tags })),
  },
  {
    type: 'route-table',
    kind: routeTableKind('public'),
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeRouteTablesCommand({ Filters: filters }))).RouteTables ?? []).map((r) => ({ identity: { routeTableId: r.RouteTableId ?? '' }, tags: r.Tags })),
  },
  {
    type: 'internet-gateway',
    kind: internetGatewayKind,
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeInternetGatewaysCommand({ Filters: filters }))).InternetGateways ?? []).map((g) => ({
        identity: { internetGatewayId: g.InternetGatewayId ?? '' },
        tags: g.Tags,
      })),
  },
  {
    type: 'subnet',
    kind: subnetKind('public', 0),
    list: async (ctx, filters) =>
      ((await ctx.clients.ec2.send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets ?? []).map((s) => ({ identity: { subnetId: s.SubnetId ?? '' }, tags: s.Tags })),
  },
  {
    type: 'vpc',
    kind: vpcKind,
    list: async (ctx, filters) => ((await ctx.clients.ec2.send(new DescribeVpcsCommand({ Filters: filters }))).Vpcs ?? []).map((v) => ({ identity: { vpcId: v.VpcId ?? '' }, tags: v.Tags })),
  },
];

export interface Stray {
  /** A node id for the delete graph: stray:<type>:<aws id>. */
  id: string;
  type: string;
  kind: StackResourceKind;
  identity: Identity;
  label: string;
  /** Graph nodes that must be deleted after it (expressed as what it depends on, the graph's convention). */
  dependsOn: string[];
}

/** What a stray of each type must be deleted before: its VPC, the subnets a NAT gateway sits in. */
const STRAY_DEPENDS: Record<string, string[]> = {
  'nat-gateway': ['subnet-public-a', 'subnet-public-b', 'subnet-private-a', 'subnet-private-b', 'internet-gateway', 'nat-eip'],
  'elastic-ip': [],
  'security-group': ['vpc'],
  'route-table': ['vpc'],
  'internet-gateway': ['vpc'],
  subnet: ['vpc'],
  vpc: [],
};

/** EC2 resources with the stack tag whose resource tag names no node of their kind. */
export async function findStrays(ctx: NodeContext, nodes: readonly { id: string; kind: { kind: string } }[]): Promise<Stray[]> {
  const filters: Filter[] = [{ Name: `tag:${STACK_TAG}`, Values: [ctx.config.stack] }];
  const known = new Set(nodes.map((n) => `${n.kind.kind}/${n.id}`));
  const ids = new Set(nodes.map((n) => n.id));
  const strays: Stray[] = [];
  for (const sweep of ORDER) {
    for (const found of await sweep.list(ctx, filters)) {
      const resource = found.tags?.find((t) => t.Key === RESOURCE_TAG)?.Value;
      if (resource !== undefined && known.has(`${sweep.type}/${resource}`)) continue;
      strays.push({
        id: `stray:${sweep.type}:${Object.values(found.identity)[0] ?? ''}`,
        type: sweep.type,
        kind: sweep.kind,
        identity: found.identity,
        label: label(sweep.type, found.identity, found.tags),
        dependsOn: (STRAY_DEPENDS[sweep.type] ?? []).filter((d) => ids.has(d)),
      });
    }
  }
  return strays;
}

export interface SweepResult {
  deleted: string[];
  leftovers: string[];
}

function label(type: string, identity: Identity, tags: Tag[] | undefined): string {
  const resource = tags?.find((t) => t.Key === RESOURCE_TAG)?.Value;
  return `${type} ${Object.values(identity)[0] ?? '?'}${resource ? ` (${resource})` : ''}`;
}

export async function sweepStackTagged(ctx: NodeContext, emit: (phase: ResourcePhase, id: string, detail?: string) => void): Promise<SweepResult> {
  const filters: Filter[] = [{ Name: `tag:${STACK_TAG}`, Values: [ctx.config.stack] }];
  const deleted: string[] = [];
  const leftovers: string[] = [];
  for (const sweep of ORDER) {
    for (const found of await sweep.list(ctx, filters)) {
      const name = label(sweep.type, found.identity, found.tags);
      const id = `sweep:${sweep.type}:${Object.values(found.identity)[0] ?? ''}`;
      emit('deleting', id, `tagged with the stack but not deleted with it: ${name}`);
      try {
        await sweep.kind.delete(ctx, found.identity);
        await sweep.kind.waitGone(ctx, found.identity);
        deleted.push(id);
        emit('gone', id);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        leftovers.push(name);
        emit('failed', id, errorMessage(err));
      }
    }
  }
  return { deleted, leftovers };
}
