import { CreateListenerCommand, DeleteListenerCommand, DescribeListenersCommand, ModifyListenerCommand, type Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { loadBalancerByName } from './load-balancer.js';
import { ignoreNotFound, keyValueTags, needOutput, orGone, waitFor } from './common.js';

/**
 * The ALB's HTTP :80 listener forwarding to the target group. It must exist before the ECS service is created
 * ("target group ... does not have an associated load balancer"). Create is idempotent with identical settings.
 */
const PORT = 80;

async function byArn(ctx: NodeContext, arn: string): Promise<Listener | undefined> {
  const out = await ctx.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
  return out.Listeners?.[0];
}

function forwardsTo(l: Listener, tg: string | undefined): boolean {
  if (!tg) return false;
  return (l.DefaultActions ?? []).some((a) => a.Type === 'forward' && (a.TargetGroupArn === tg || (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === tg)));
}

function outputsOf(l: Listener): Outputs {
  return { arn: l.ListenerArn ?? '', port: String(l.Port ?? PORT) };
}

export const listenerKind: StackResourceKind = firstOf({
  kind: 'listener',

  async create(ctx) {
    const out = await ctx.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: needOutput(ctx, 'load-balancer', 'arn'),
        Protocol: 'HTTP',
        Port: PORT,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: needOutput(ctx, 'target-group', 'arn') }],
        Tags: keyValueTags(ctx),
      }),
    );
    const identity: Identity = { arn: out.Listeners?.[0]?.ListenerArn ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const l = await orGone(() => byArn(ctx, identity['arn'] ?? ''));
    if (!l) return undefined;
    const forwards = forwardsTo(l, ctx.outputsOf('target-group')['arn']);
    return { state: forwards ? 'forwarding' : 'not forwarding to the target group', ready: forwards, outputs: outputsOf(l) };
  },

  /** By the load balancer's derived name: the manifest may be lost. */
  async findAll(ctx) {
    const lb = await loadBalancerByName(ctx);
    if (!lb?.LoadBalancerArn) return [];
    const arn = lb.LoadBalancerArn;
    const out = await orGone(() => ctx.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn })));
    return (out?.Listeners ?? []).filter((l) => l.Port === PORT).map((l) => ({ arn: l.ListenerArn ?? '' }));
  },

  async waitReady(ctx, identity) {
    const arn = identity['arn'] ?? '';
    const tg = needOutput(ctx, 'target-group', 'arn');
    const l = await waitFor(ctx, `listener ${arn} to be visible`, 'quickReady', async () => {
      const found = await byArn(ctx, arn);
      return found ? { done: true, value: found } : { done: false, state: 'not visible yet' };
    });
    if (!forwardsTo(l, tg)) {
      // Adopted with another default action (or a target group that was replaced): point it at ours.
      await ctx.clients.elbv2.send(new ModifyListenerCommand({ ListenerArn: arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    }
    return outputsOf(l);
  },

  async delete(ctx, identity) {
    await ignoreNotFound(() => ctx.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: identity['arn'] ?? '' })));
  },

  async waitGone(ctx, identity) {
    const arn = identity['arn'] ?? '';
    await waitFor(ctx, `listener ${arn} to be deleted`, 'quickGone', async () => {
      const l = await orGone(() => byArn(ctx, arn));
      return l === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
