import { AllocateAddressCommand, DescribeAddressesCommand, ReleaseAddressCommand, type Address } from '@aws-sdk/client-ec2';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { ec2TagFilters, ec2TagSpecifications, orGone, retryOn, waitFor } from './common.js';

/** The NAT gateway's Elastic IP (billed $0.005/h in use or idle). */
async function describe(ctx: NodeContext, allocationId: string): Promise<Address | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
  return out.Addresses?.[0];
}

function outputsOf(a: Address): Outputs {
  return { allocationId: a.AllocationId ?? '', publicIp: a.PublicIp ?? '' };
}

/**
 * Right after its NAT gateway is deleted, ReleaseAddress can fail with AuthFailure (a misleading text) or
 * InvalidNetworkInterfaceID.NotFound, or say the address is still in use: retry those for a couple of minutes.
 */
function releaseRetryable(err: unknown): boolean {
  return isAwsError(err, 'AuthFailure', 'InvalidNetworkInterfaceID.NotFound', 'InvalidIPAddress.InUse', 'InvalidAddress.InUse', 'DependencyViolation');
}

export const elasticIpKind: StackResourceKind = firstOf({
  kind: 'elastic-ip',

  async create(ctx) {
    const out = await ctx.clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: ec2TagSpecifications(ctx, 'elastic-ip') }));
    const identity: Identity = { allocationId: out.AllocationId ?? '', publicIp: out.PublicIp ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const a = await orGone(() => describe(ctx, identity['allocationId'] ?? ''));
    if (!a) return undefined;
    return { state: a.AssociationId ? 'associated' : 'allocated', ready: true, outputs: outputsOf(a) };
  },

  async findAll(ctx) {
    const out = await ctx.clients.ec2.send(new DescribeAddressesCommand({ Filters: ec2TagFilters(ctx) }));
    return (out.Addresses ?? []).map((a) => ({ allocationId: a.AllocationId ?? '', publicIp: a.PublicIp ?? '' }));
  },

  async waitReady(ctx, identity) {
    const id = identity['allocationId'] ?? '';
    return waitFor(ctx, `Elastic IP ${id} to be visible`, 'quickReady', async () => {
      const a = await describe(ctx, id);
      return a ? { done: true, value: outputsOf(a) } : { done: false, state: 'not visible yet' };
    });
  },

  async delete(ctx, identity) {
    const id = identity['allocationId'] ?? '';
    // InvalidAllocationID.NotFound = already released.
    // Only InvalidAllocationID.NotFound means "already released": InvalidNetworkInterfaceID.NotFound is the trap.
    await retryOn(
      ctx,
      `release Elastic IP ${id}`,
      'eipRelease',
      async () => {
        try {
          await ctx.clients.ec2.send(new ReleaseAddressCommand({ AllocationId: id }));
        } catch (err) {
          if (!isAwsError(err, 'InvalidAllocationID.NotFound')) throw err;
        }
      },
      { retryable: releaseRetryable },
    );
  },

  async waitGone(ctx, identity) {
    const id = identity['allocationId'] ?? '';
    await waitFor(ctx, `Elastic IP ${id} to be released`, 'quickGone', async () => {
      const a = await orGone(() => describe(ctx, id));
      return a === undefined ? { done: true, value: undefined } : { done: false, state: 'allocated' };
    });
  },
});
