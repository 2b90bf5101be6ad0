import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { failedState, ignoreNotFound, keyValueTags, needOutput, orGone, waitFor } from './common.js';

/** The internet-facing Application Load Balancer in both public subnets, behind the alb security group. */
async function byArn(ctx: NodeContext, arn: string): Promise<LoadBalancer | undefined> {
  const out = await ctx.clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
  return out.LoadBalancers?.[0];
}

export async function loadBalancerByName(ctx: NodeContext): Promise<LoadBalancer | undefined> {
  const name = stackNames(ctx.config.stack).loadBalancer;
  return orGone(async () => (await ctx.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0]);
}

function outputsOf(lb: LoadBalancer): Outputs {
  const dns = lb.DNSName ?? '';
  return { arn: lb.LoadBalancerArn ?? '', dnsName: dns, url: `http://${dns}`, name: lb.LoadBalancerName ?? '' };
}

export const loadBalancerKind: StackResourceKind = firstOf({
  kind: 'load-balancer',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).loadBalancer;
    let lb: LoadBalancer | undefined;
    try {
      const out = await ctx.clients.elbv2.send(
        new CreateLoadBalancerCommand({
          Name: name,
          Type: 'application',
          Scheme: 'internet-facing',
          IpAddressType: 'ipv4',
          Subnets: [needOutput(ctx, 'subnet-public-a', 'subnetId'), needOutput(ctx, 'subnet-public-b', 'subnetId')],
          SecurityGroups: [needOutput(ctx, 'sg-alb', 'groupId')],
          Tags: keyValueTags(ctx),
        }),
      );
      lb = out.LoadBalancers?.[0];
    } catch (err) {
      // Identical settings return the same LB; different ones are a duplicate name: adopt what is there.
      if (!isAwsError(err, 'DuplicateLoadBalancerNameException', 'DuplicateLoadBalancerName')) throw err;
      lb = await loadBalancerByName(ctx);
    }
    const identity: Identity = { arn: lb?.LoadBalancerArn ?? '', name };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'load-balancer', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const lb = await orGone(() => byArn(ctx, identity['arn'] ?? ''));
    if (!lb) return undefined;
    const state = lb.State?.Code ?? 'unknown';
    return { state, ready: state === 'active', outputs: outputsOf(lb) };
  },

  async findAll(ctx) {
    const lb = await loadBalancerByName(ctx);
    return lb ? [{ arn: lb.LoadBalancerArn ?? '', name: lb.LoadBalancerName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const arn = identity['arn'] ?? '';
    return waitFor(ctx, `load balancer ${identity['name'] ?? arn} to be active`, 'albReady', async () => {
      const lb = await byArn(ctx, arn);
      const state = lb?.State?.Code ?? 'unknown';
      if (lb && state === 'active') return { done: true, value: outputsOf(lb) };
      if (state === 'failed') throw failedState(`load balancer ${identity['name'] ?? arn}`, state, lb?.State?.Reason);
      return { done: false, state };
    });
  },

  async delete(ctx, identity) {
    const arn = identity['arn'] ?? '';
    // Deletes its listeners too.
    await ignoreNotFound(() => ctx.clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })));
  },

  async waitGone(ctx, identity) {
    const arn = identity['arn'] ?? '';
    await waitFor(ctx, `load balancer ${identity['name'] ?? arn} to be deleted`, 'albGone', async () => {
      const lb = await orGone(() => byArn(ctx, arn));
      return lb === undefined ? { done: true, value: undefined } : { done: false, state: lb.State?.Code ?? 'exists' };
    });
  },
});
