import { DeleteVpcEndpointsCommand, DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand, type VpcEndpoint } from '@aws-sdk/client-ec2';
import { ThreeTierError } from '../errors.js';
import type { NodeContext } from '../engine/kind.js';
import type { StackResourceKind } from './kind.js';
import { orGone, waitFor } from './common.js';

/**
 * VPC endpoints in the stack's VPC that three-tier did not make. GuardDuty Runtime Monitoring, when it is on in the
 * account, adds an Interface endpoint to `com.amazonaws.<region>.guardduty-data` and a security group
 * `GuardDutyManagedSecurityGroup-<vpc>` to every VPC with Fargate tasks, tagged `GuardDutyManaged=true` and not with
 * the stack's tags ("How Runtime Monitoring works with Fargate"). They exist only because the VPC does, and block
 * DeleteVpc: destroy deletes them. Any other endpoint is someone's: destroy stops before deleting anything and says
 * how to remove it.
 */
export interface ForeignEndpoint {
  id: string;
  serviceName: string;
  state: string;
  /** GuardDuty's own: deleted with the stack, with its security groups. */
  guardDuty: boolean;
  /** The security groups GuardDuty made for it (by name or tag), to delete once the endpoint is gone. */
  guardDutyGroups: string[];
}

const GUARDDUTY_GROUP = /^GuardDutyManagedSecurityGroup-/;

function isGuardDuty(e: VpcEndpoint): boolean {
  return /^com\.amazonaws\.[a-z0-9-]+\.guardduty-data$/.test(e.ServiceName ?? '');
}

/** The endpoints in the VPC that are not gone or going, with what destroy may do with each. */
export async function endpointsInVpc(ctx: NodeContext, vpcId: string): Promise<ForeignEndpoint[]> {
  const found: VpcEndpoint[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.clients.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], ...(token ? { NextToken: token } : {}) }));
    found.push(...(out.VpcEndpoints ?? []));
    token = out.NextToken;
  } while (token);
  const live = found.filter((e) => !['deleted', 'deleting'].includes(String(e.State ?? '').toLowerCase()));
  const groupIds = [...new Set(live.filter(isGuardDuty).flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId ?? '')))].filter(Boolean);
  const guardDutyGroups = new Set<string>();
  if (groupIds.length > 0) {
    const groups = (await ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))).SecurityGroups ?? [];
    for (const g of groups) {
      if (GUARDDUTY_GROUP.test(g.GroupName ?? '') || g.Tags?.some((t) => t.Key === 'GuardDutyManaged' && t.Value === 'true')) guardDutyGroups.add(g.GroupId ?? '');
    }
  }
  return live.map((e) => ({
    id: e.VpcEndpointId ?? '',
    serviceName: e.ServiceName ?? '',
    state: String(e.State ?? ''),
    guardDuty: isGuardDuty(e),
    guardDutyGroups: isGuardDuty(e) ? (e.Groups ?? []).map((g) => g.GroupId ?? '').filter((id) => guardDutyGroups.has(id)) : [],
  }));
}

/** Endpoints that are not GuardDuty's stop destroy before anything is deleted: say which and what to do. */
export function refuseForeignEndpoints(stack: string, region: string, vpcId: string, endpoints: readonly ForeignEndpoint[]): void {
  const others = endpoints.filter((e) => !e.guardDuty);
  if (others.length === 0) return;
  const ids = others.map((e) => e.id);
  throw new ThreeTierError(
    'FOREIGN_VPC_ENDPOINTS',
    `the stack ${stack}'s VPC ${vpcId} holds VPC endpoint(s) three-tier did not make: ${others.map((e) => `${e.id} (${e.serviceName}, ${e.state})`).join(', ')}. AWS cannot delete the VPC while they exist, and they may be someone's: nothing was deleted.`,
    {
      kind: 'unhealthy',
      hints: [
        `if nothing else needs them, delete them: aws ec2 delete-vpc-endpoints --region ${region} --vpc-endpoint-ids ${ids.join(' ')}`,
        `then run three-tier destroy --stack ${stack} again`,
      ],
    },
  );
}

async function describe(ctx: NodeContext, id: string): Promise<VpcEndpoint | undefined> {
  return (await ctx.clients.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints?.[0];
}

const notOurs = (id: string): ThreeTierError => new ThreeTierError('NOT_CREATED_BY_THREE_TIER', `VPC endpoint ${id} is not made by three-tier; destroy only deletes it`);

/** A foreign endpoint as a node of the delete graph: deleted, then waited for until gone. */
export const vpcEndpointKind: StackResourceKind = {
  kind: 'vpc-endpoint',
  create: async () => Promise.reject(notOurs('')),
  waitReady: async (_ctx, identity) => Promise.reject(notOurs(identity['vpcEndpointId'] ?? '')),
  findAll: async () => [],

  async read(ctx, identity) {
    const e = await orGone(() => describe(ctx, identity['vpcEndpointId'] ?? ''));
    return e ? { state: String(e.State ?? 'unknown'), ready: false, outputs: {} } : undefined;
  },

  async delete(ctx, identity) {
    const id = identity['vpcEndpointId'] ?? '';
    const out = await ctx.clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    const failed = (out.Unsuccessful ?? []).find((u) => u.ResourceId === id && !/NotFound/.test(u.Error?.Code ?? ''));
    if (failed) throw new ThreeTierError('VPC_ENDPOINT_DELETE_FAILED', `deleting VPC endpoint ${id} failed: ${failed.Error?.Code ?? ''}: ${failed.Error?.Message ?? ''}`);
  },

  async waitGone(ctx, identity) {
    const id = identity['vpcEndpointId'] ?? '';
    await waitFor(ctx, `VPC endpoint ${id} to be deleted`, 'quickGone', async () => {
      const e = await orGone(() => describe(ctx, id));
      const state = String(e?.State ?? 'deleted').toLowerCase();
      return state === 'deleted' ? { done: true, value: undefined } : { done: false, state };
    });
  },
};
