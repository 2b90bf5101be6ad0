import { randomUUID } from 'node:crypto';
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import type { PauseOp, PauseState } from './pause-op.js';
import type { Tier } from './subnet.js';
import { ec2TagFilters, ec2TagSpecifications, ignoreNotFound, needOutput, orGone, retryOn, waitFor, whenVisible } from './common.js';

/**
 * A route table with a default route (public: to the internet gateway; private: to the NAT gateway, only once it
 * is available, which the graph ensures) and the associations of its tier's two subnets, whose AssociationIds are
 * recorded in the manifest.
 */
const DEFAULT_ROUTE = '0.0.0.0/0';

async function describe(ctx: NodeContext, id: string): Promise<RouteTable | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }));
  return out.RouteTables?.[0];
}

interface Wanted {
  target: { GatewayId: string } | { NatGatewayId: string };
  targetId: string;
  subnets: [string, string];
}

function wanted(ctx: NodeContext, tier: Tier): Wanted {
  const subnets: [string, string] = [needOutput(ctx, `subnet-${tier}-a`, 'subnetId'), needOutput(ctx, `subnet-${tier}-b`, 'subnetId')];
  if (tier === 'public') {
    const igw = needOutput(ctx, 'internet-gateway', 'internetGatewayId');
    return { target: { GatewayId: igw }, targetId: igw, subnets };
  }
  const nat = needOutput(ctx, 'nat-gateway', 'natGatewayId');
  return { target: { NatGatewayId: nat }, targetId: nat, subnets };
}

function defaultRouteTarget(rt: RouteTable): string | undefined {
  const r = (rt.Routes ?? []).find((x) => x.DestinationCidrBlock === DEFAULT_ROUTE && x.State !== 'blackhole');
  return r?.GatewayId ?? r?.NatGatewayId;
}

function associationOf(rt: RouteTable, subnetId: string): string | undefined {
  return (rt.Associations ?? []).find((a) => a.SubnetId === subnetId && a.AssociationState?.State !== 'disassociated')?.RouteTableAssociationId;
}

function outputsOf(rt: RouteTable, w: Wanted | undefined): Outputs {
  const out: Outputs = { routeTableId: rt.RouteTableId ?? '' };
  if (w) {
    out['associationA'] = associationOf(rt, w.subnets[0]) ?? '';
    out['associationB'] = associationOf(rt, w.subnets[1]) ?? '';
  }
  return out;
}

function tryWanted(ctx: NodeContext, tier: Tier): Wanted | undefined {
  try {
    return wanted(ctx, tier);
  } catch {
    return undefined;
  }
}

export function routeTableKind(tier: Tier): StackResourceKind {
  return firstOf({
    kind: 'route-table',

    async create(ctx) {
      const vpcId = needOutput(ctx, 'vpc', 'vpcId');
      const token = ctx.recorded()?.token ?? randomUUID();
      ctx.record({ token });
      const out = await whenVisible(ctx, `create ${tier} route table in ${vpcId}`, () =>
        ctx.clients.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ClientToken: token, TagSpecifications: ec2TagSpecifications(ctx, 'route-table') })),
      );
      const identity: Identity = { routeTableId: out.RouteTable?.RouteTableId ?? '' };
      ctx.record({ identity });
      return identity;
    },

    async read(ctx, identity) {
      const rt = await orGone(() => describe(ctx, identity['routeTableId'] ?? ''));
      if (!rt) return undefined;
      const w = tryWanted(ctx, tier);
      const routeOk = w !== undefined && defaultRouteTarget(rt) === w.targetId;
      const assocOk = w !== undefined && w.subnets.every((s) => associationOf(rt, s) !== undefined);
      const state = !routeOk ? 'no default route' : !assocOk ? 'subnets not associated' : 'routing';
      return { state, ready: routeOk && assocOk, outputs: outputsOf(rt, w) };
    },

    async findAll(ctx) {
      const out = await ctx.clients.ec2.send(new DescribeRouteTablesCommand({ Filters: ec2TagFilters(ctx) }));
      return (out.RouteTables ?? []).map((r) => ({ routeTableId: r.RouteTableId ?? '' }));
    },

    async waitReady(ctx, identity) {
      const id = identity['routeTableId'] ?? '';
      const w = wanted(ctx, tier);
      const rt = await waitFor(ctx, `route table ${id} to be visible`, 'quickReady', async () => {
        const r = await describe(ctx, id);
        return r ? { done: true, value: r } : { done: false, state: 'not visible yet' };
      });
      const current = defaultRouteTarget(rt);
      if (current !== w.targetId) {
        const exists = (rt.Routes ?? []).some((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
        const input = { RouteTableId: id, DestinationCidrBlock: DEFAULT_ROUTE, ...w.target };
        await whenVisible(ctx, `route ${DEFAULT_ROUTE} -> ${w.targetId} in ${id}`, async () => {
          try {
            await ctx.clients.ec2.send(exists ? new ReplaceRouteCommand(input) : new CreateRouteCommand(input));
          } catch (err) {
            // Created by an earlier run that lost the answer, pointing elsewhere: replace it.
            if (!isAwsError(err, 'RouteAlreadyExists')) throw err;
            await ctx.clients.ec2.send(new ReplaceRouteCommand(input));
          }
        });
      }
      const associations: Identity = {};
      for (const [i, subnetId] of w.subnets.entries()) {
        const key = i === 0 ? 'associationA' : 'associationB';
        let associationId = associationOf(rt, subnetId);
        if (!associationId) {
          const out = await whenVisible(ctx, `associate ${subnetId} with ${id}`, () =>
            ctx.clients.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId })),
          );
          associationId = out.AssociationId ?? '';
        }
        associations[key] = associationId;
        ctx.record({ identity: { [key]: associationId } });
      }
      // The associations just made are known; no need to describe the table again.
      return { ...outputsOf(rt, w), ...associations };
    },

    async delete(ctx, identity) {
      const id = identity['routeTableId'] ?? '';
      const rt = await orGone(() => describe(ctx, id));
      if (!rt) return;
      for (const a of rt.Associations ?? []) {
        if (a.Main || !a.RouteTableAssociationId) continue;
        const associationId = a.RouteTableAssociationId;
        await ignoreNotFound(() => ctx.clients.ec2.send(new DisassociateRouteTableCommand({ AssociationId: associationId })));
      }
      // Deleting the table deletes its routes.
      await retryOn(ctx, `delete route table ${id}`, 'routeTableDelete', () => ignoreNotFound(() => ctx.clients.ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }))));
    },

    async waitGone(ctx, identity) {
      const id = identity['routeTableId'] ?? '';
      await waitFor(ctx, `route table ${id} to be deleted`, 'quickGone', async () => {
        const r = await orGone(() => describe(ctx, id));
        return r === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
      });
    },
  });
}

function routeState(rt: RouteTable): PauseState {
  const route = (rt.Routes ?? []).find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
  if (!route) return { paused: true, state: 'no default route' };
  return { paused: false, state: `${DEFAULT_ROUTE} -> ${route.NatGatewayId ?? route.GatewayId ?? '?'} (${route.State ?? 'active'})` };
}

/**
 * Pause removes the private subnets' default route before the NAT gateway it points to is deleted (a route to a
 * deleted gateway stays behind as a blackhole). `up`'s waitReady puts it back towards the new gateway.
 */
export const defaultRouteRemoval: PauseOp = {
  verb: 'remove the default route',

  async read(ctx, identity) {
    const rt = await orGone(() => describe(ctx, identity['routeTableId'] ?? ''));
    return rt ? routeState(rt) : undefined;
  },

  async pause(ctx, identity) {
    const id = identity['routeTableId'] ?? '';
    try {
      await ctx.clients.ec2.send(new DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: DEFAULT_ROUTE }));
    } catch (err) {
      // Removed already (an earlier run lost the answer).
      if (!isAwsError(err, 'InvalidRoute.NotFound')) throw err;
    }
    return { paused: true, state: 'no default route' };
  },
};
