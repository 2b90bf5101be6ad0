import { randomUUID } from 'node:crypto';
import { CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeNatGatewaysCommand, type NatGateway } from '@aws-sdk/client-ec2';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { ec2TagFilters, ec2TagSpecifications, failedState, ignoreNotFound, needOutput, orGone, waitFor, whenVisible } from './common.js';

/**
 * The one NAT gateway, in the first public subnet, with the stack's Elastic IP. Its ClientToken is recorded in the
 * manifest before the call, so a run interrupted while the call was in flight sends the same token and gets the
 * same gateway back instead of a second one. Deleted gateways stay listed (State deleted) for about an hour.
 */
async function describe(ctx: NodeContext, id: string): Promise<NatGateway | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }));
  return out.NatGateways?.[0];
}

const GONE = new Set(['deleted', 'deleting']);

function outputsOf(n: NatGateway): Outputs {
  const address = n.NatGatewayAddresses?.[0];
  return { natGatewayId: n.NatGatewayId ?? '', publicIp: address?.PublicIp ?? '', subnetId: n.SubnetId ?? '' };
}

const natGatewayBase: StackResourceKind = firstOf({
  kind: 'nat-gateway',

  async create(ctx) {
    const subnetId = needOutput(ctx, 'subnet-public-a', 'subnetId');
    const allocationId = needOutput(ctx, 'nat-eip', 'allocationId');
    // <= 64 characters; a fresh token when the gateway the old one named is gone (the provisioner clears it).
    const token = ctx.recorded()?.token ?? `${ctx.config.stack}-nat-${randomUUID()}`.slice(0, 64);
    ctx.record({ token });
    const send = (clientToken: string) =>
      whenVisible(ctx, `create NAT gateway in ${subnetId}`, () =>
        ctx.clients.ec2.send(
          new CreateNatGatewayCommand({
            SubnetId: subnetId,
            AllocationId: allocationId,
            ConnectivityType: 'public',
            ClientToken: clientToken,
            TagSpecifications: ec2TagSpecifications(ctx, 'natgateway'),
          }),
        ),
      );
    let out = await send(token);
    // The recorded token named a gateway that failed since: the same token would only return it again.
    if (out.NatGateway?.State === 'failed' || GONE.has(out.NatGateway?.State ?? '')) {
      const fresh = `${ctx.config.stack}-nat-${randomUUID()}`.slice(0, 64);
      ctx.record({ token: fresh });
      out = await send(fresh);
    }
    const identity: Identity = { natGatewayId: out.NatGateway?.NatGatewayId ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const n = await orGone(() => describe(ctx, identity['natGatewayId'] ?? ''));
    // A deleted or deleting gateway is as good as gone for `up`; a failed one too (AWS removes it), and the
    // provisioner then creates a new one with a new token.
    if (!n || GONE.has(n.State ?? '') || n.State === 'failed') return undefined;
    return { state: n.State ?? 'unknown', ready: n.State === 'available', outputs: outputsOf(n) };
  },

  async findAll(ctx) {
    const out = await ctx.clients.ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [...ec2TagFilters(ctx), { Name: 'state', Values: ['pending', 'available', 'failed'] }] }),
    );
    return (out.NatGateways ?? []).filter((n) => !GONE.has(n.State ?? '')).map((n) => ({ natGatewayId: n.NatGatewayId ?? '' }));
  },

  async waitReady(ctx, identity) {
    const id = identity['natGatewayId'] ?? '';
    return waitFor(ctx, `NAT gateway ${id} to be available`, 'natReady', async () => {
      const n = await describe(ctx, id);
      if (n?.State === 'available') return { done: true, value: outputsOf(n) };
      if (n?.State === 'failed' || GONE.has(n?.State ?? '')) {
        throw failedState(`NAT gateway ${id}`, n?.State ?? 'failed', [n?.FailureCode, n?.FailureMessage].filter(Boolean).join(': '), [
          'run up again: a failed NAT gateway is replaced by a new one',
        ]);
      }
      return { done: false, state: n?.State ?? 'unknown' };
    });
  },

  async delete(ctx, identity) {
    const id = identity['natGatewayId'] ?? '';
    await ignoreNotFound(() => ctx.clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id })));
  },

  async waitGone(ctx, identity) {
    const id = identity['natGatewayId'] ?? '';
    // Its Elastic IP can only be released once it is fully deleted.
    await waitFor(ctx, `NAT gateway ${id} to be deleted`, 'natGone', async () => {
      const n = await orGone(() => describe(ctx, id));
      return n === undefined || n.State === 'deleted' ? { done: true, value: undefined } : { done: false, state: n.State ?? 'unknown' };
    });
  },
});

/**
 * Adoption looks only at gateways that can still become available: a failed one is never adopted (read treats it as
 * gone, so adopting it would fail on every run); `up` makes a new one. Destroy's findAll still deletes failed ones.
 */
export const natGatewayKind: StackResourceKind = {
  ...natGatewayBase,
  async find(ctx) {
    const out = await ctx.clients.ec2.send(new DescribeNatGatewaysCommand({ Filter: [...ec2TagFilters(ctx), { Name: 'state', Values: ['pending', 'available'] }] }));
    const id = out.NatGateways?.find((n) => n.State === 'pending' || n.State === 'available')?.NatGatewayId;
    return id ? { natGatewayId: id } : undefined;
  },
};
