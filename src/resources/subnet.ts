import { CreateSubnetCommand, DeleteSubnetCommand, DescribeSubnetsCommand, type Subnet } from '@aws-sdk/client-ec2';
import { ThreeTierError } from '../errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { subnetCidrs } from '../config.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { blockingEnis, ec2TagFilters, ec2TagSpecifications, ignoreNotFound, needOutput, orGone, retryOn, waitFor, whenVisible } from './common.js';

/**
 * One of the four subnets: public (ALB, NAT) or private (tasks, RDS, ElastiCache), index 0 or 1 = the first or
 * second of the two availability zones chosen once for the stack (config.availabilityZones, kept in the manifest).
 */
export type Tier = 'public' | 'private';

async function describe(ctx: NodeContext, subnetId: string): Promise<Subnet | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  return out.Subnets?.[0];
}

function outputsOf(s: Subnet): Outputs {
  return { subnetId: s.SubnetId ?? '', availabilityZone: s.AvailabilityZone ?? '', cidrBlock: s.CidrBlock ?? '' };
}

export function subnetKind(tier: Tier, index: 0 | 1): StackResourceKind {
  return firstOf({
    kind: 'subnet',

    async create(ctx) {
      const zone = ctx.config.availabilityZones?.[index];
      if (!zone) {
        throw new ThreeTierError('NO_AVAILABILITY_ZONES', `the stack's availability zones are not chosen yet (subnet ${ctx.id})`, {
          hints: ['run up again: it chooses two zones of the region and records them in the manifest'],
        });
      }
      const vpcId = needOutput(ctx, 'vpc', 'vpcId');
      const cidr = subnetCidrs(ctx.config.vpcCidr)[tier][index];
      const out = await whenVisible(ctx, `create subnet ${cidr} in ${vpcId}`, () =>
        ctx.clients.ec2.send(
          new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: ec2TagSpecifications(ctx, 'subnet') }),
        ),
      );
      const identity: Identity = { subnetId: out.Subnet?.SubnetId ?? '' };
      ctx.record({ identity });
      return identity;
    },

    async read(ctx, identity) {
      const s = await orGone(() => describe(ctx, identity['subnetId'] ?? ''));
      if (!s) return undefined;
      return { state: s.State ?? 'unknown', ready: s.State === 'available', outputs: outputsOf(s) };
    },

    async findAll(ctx) {
      const out = await ctx.clients.ec2.send(new DescribeSubnetsCommand({ Filters: ec2TagFilters(ctx) }));
      return (out.Subnets ?? []).map((s) => ({ subnetId: s.SubnetId ?? '' }));
    },

    async waitReady(ctx, identity) {
      const subnetId = identity['subnetId'] ?? '';
      return waitFor(ctx, `subnet ${subnetId} to be available`, 'quickReady', async () => {
        const s = await describe(ctx, subnetId);
        return s?.State === 'available' ? { done: true, value: outputsOf(s) } : { done: false, state: s?.State ?? 'unknown' };
      });
    },

    async delete(ctx, identity) {
      const subnetId = identity['subnetId'] ?? '';
      await retryOn(ctx, `delete subnet ${subnetId}`, 'eniLinger', () => ignoreNotFound(() => ctx.clients.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }))), {
        explain: (err) => blockingEnis(ctx, { Name: 'subnet-id', Values: [subnetId] }, err),
      });
    },

    async waitGone(ctx, identity) {
      const subnetId = identity['subnetId'] ?? '';
      await waitFor(ctx, `subnet ${subnetId} to be deleted`, 'quickGone', async () => {
        const s = await orGone(() => describe(ctx, subnetId));
        return s === undefined ? { done: true, value: undefined } : { done: false, state: s.State ?? 'unknown' };
      });
    },
  });
}
