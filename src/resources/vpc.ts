import { CreateVpcCommand, DeleteVpcCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, ModifyVpcAttributeCommand, type Vpc } from '@aws-sdk/client-ec2';
import type { Identity, NodeContext, Observed, Outputs } from '../engine/kind.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { blockingEnis, ec2TagFilters, ec2TagSpecifications, ignoreNotFound, orGone, retryOn, waitFor, whenVisible } from './common.js';

/** The VPC, with DNS support and DNS hostnames on (RDS and ElastiCache endpoints are DNS names). */
async function describe(ctx: NodeContext, vpcId: string): Promise<Vpc | undefined> {
  const out = await ctx.clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  return out.Vpcs?.[0];
}

async function dnsAttributes(ctx: NodeContext, vpcId: string): Promise<{ support: boolean; hostnames: boolean }> {
  const support = await ctx.clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }));
  const hostnames = await ctx.clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
  return { support: support.EnableDnsSupport?.Value === true, hostnames: hostnames.EnableDnsHostnames?.Value === true };
}

function outputsOf(vpc: Vpc): Outputs {
  return { vpcId: vpc.VpcId ?? '', cidrBlock: vpc.CidrBlock ?? '' };
}

export const vpcKind: StackResourceKind = firstOf({
  kind: 'vpc',

  async create(ctx) {
    const out = await ctx.clients.ec2.send(new CreateVpcCommand({ CidrBlock: ctx.config.vpcCidr, TagSpecifications: ec2TagSpecifications(ctx, 'vpc') }));
    const identity: Identity = { vpcId: out.Vpc?.VpcId ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const vpcId = identity['vpcId'] ?? '';
    const vpc = await orGone(() => describe(ctx, vpcId));
    if (!vpc) return undefined;
    const state = vpc.State ?? 'unknown';
    let ready = state === 'available';
    if (ready) {
      const dns = await dnsAttributes(ctx, vpcId);
      ready = dns.support && dns.hostnames;
    }
    return { state: ready || state !== 'available' ? state : 'available (DNS attributes not set)', ready, outputs: outputsOf(vpc) } satisfies Observed;
  },

  async findAll(ctx) {
    const out = await ctx.clients.ec2.send(new DescribeVpcsCommand({ Filters: ec2TagFilters(ctx) }));
    return (out.Vpcs ?? []).map((v) => ({ vpcId: v.VpcId ?? '' }));
  },

  async waitReady(ctx, identity) {
    const vpcId = identity['vpcId'] ?? '';
    const vpc = await waitFor(ctx, `VPC ${vpcId} to be available`, 'quickReady', async () => {
      const v = await describe(ctx, vpcId);
      return v?.State === 'available' ? { done: true, value: v } : { done: false, state: v?.State ?? 'unknown' };
    });
    // One attribute per call (the API refuses both at once); support before hostnames, which needs it.
    await whenVisible(ctx, `enable DNS support on ${vpcId}`, () => ctx.clients.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } })));
    await whenVisible(ctx, `enable DNS hostnames on ${vpcId}`, () => ctx.clients.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } })));
    return outputsOf(vpc);
  },

  async delete(ctx, identity) {
    const vpcId = identity['vpcId'] ?? '';
    await retryOn(ctx, `delete VPC ${vpcId}`, 'eniLinger', () => ignoreNotFound(() => ctx.clients.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }))), {
      explain: (err) => blockingEnis(ctx, { Name: 'vpc-id', Values: [vpcId] }, err),
    });
  },

  async waitGone(ctx, identity) {
    const vpcId = identity['vpcId'] ?? '';
    await waitFor(ctx, `VPC ${vpcId} to be deleted`, 'quickGone', async () => {
      const v = await orGone(() => describe(ctx, vpcId));
      return v === undefined ? { done: true, value: undefined } : { done: false, state: v.State ?? 'unknown' };
    });
  },
});
