import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  type InternetGateway,
} from '@aws-sdk/client-ec2';
import { isAwsError, isNotFound } from '../aws/errors.js';
import type { Identity, NodeContext } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { ec2TagFilters, ec2TagSpecifications, ignoreNotFound, needOutput, orGone, retryOn, waitFor, whenVisible } from './common.js';

/** The internet gateway, attached to the stack's VPC. "Ready" means attached. */
async function describe(ctx: NodeContext, id: string): Promise<InternetGateway | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] }));
  return out.InternetGateways?.[0];
}

/** AWS reports an attached gateway's attachment as `available` (the model also allows `attached`). */
function attachedTo(igw: InternetGateway, vpcId: string): boolean {
  return (igw.Attachments ?? []).some((a) => a.VpcId === vpcId && (String(a.State) === 'available' || a.State === 'attached'));
}

export const internetGatewayKind: StackResourceKind = firstOf({
  kind: 'internet-gateway',

  async create(ctx) {
    const out = await ctx.clients.ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: ec2TagSpecifications(ctx, 'internet-gateway') }));
    const identity: Identity = { internetGatewayId: out.InternetGateway?.InternetGatewayId ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const igw = await orGone(() => describe(ctx, identity['internetGatewayId'] ?? ''));
    if (!igw) return undefined;
    const vpcId = ctx.outputsOf('vpc')['vpcId'] ?? '';
    const ready = attachedTo(igw, vpcId);
    return { state: ready ? 'attached' : 'detached', ready, outputs: { internetGatewayId: igw.InternetGatewayId ?? '' } };
  },

  async findAll(ctx) {
    const out = await ctx.clients.ec2.send(new DescribeInternetGatewaysCommand({ Filters: ec2TagFilters(ctx) }));
    return (out.InternetGateways ?? []).map((g) => ({ internetGatewayId: g.InternetGatewayId ?? '' }));
  },

  async waitReady(ctx, identity) {
    const id = identity['internetGatewayId'] ?? '';
    const vpcId = needOutput(ctx, 'vpc', 'vpcId');
    const igw = await waitFor(ctx, `internet gateway ${id} to be visible`, 'quickReady', async () => {
      const g = await describe(ctx, id);
      return g ? { done: true, value: g } : { done: false, state: 'not visible yet' };
    });
    if (!attachedTo(igw, vpcId)) {
      try {
        await whenVisible(ctx, `attach ${id} to ${vpcId}`, () => ctx.clients.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })));
      } catch (err) {
        // Attached by an earlier run whose answer was lost.
        if (!isAwsError(err, 'Resource.AlreadyAssociated')) throw err;
      }
    }
    await waitFor(ctx, `internet gateway ${id} to be attached to ${vpcId}`, 'quickReady', async () => {
      const g = await describe(ctx, id);
      return g && attachedTo(g, vpcId) ? { done: true, value: undefined } : { done: false, state: g?.Attachments?.[0]?.State ?? 'detached' };
    });
    return { internetGatewayId: id };
  },

  async delete(ctx, identity) {
    const id = identity['internetGatewayId'] ?? '';
    const igw = await orGone(() => describe(ctx, id));
    if (!igw) return;
    for (const a of igw.Attachments ?? []) {
      if (!a.VpcId) continue;
      const vpcId = a.VpcId;
      // "has some mapped public address(es)" while the NAT's address or the ALB's interfaces remain.
      await retryOn(ctx, `detach internet gateway ${id} from ${vpcId}`, 'igwDetach', async () => {
        try {
          await ctx.clients.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }));
        } catch (err) {
          if (isAwsError(err, 'Gateway.NotAttached') || isNotFound(err)) return;
          throw err;
        }
      });
    }
    await retryOn(ctx, `delete internet gateway ${id}`, 'quickGone', () => ignoreNotFound(() => ctx.clients.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }))));
  },

  async waitGone(ctx, identity) {
    const id = identity['internetGatewayId'] ?? '';
    await waitFor(ctx, `internet gateway ${id} to be deleted`, 'quickGone', async () => {
      const g = await orGone(() => describe(ctx, id));
      return g === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
