import { CreateClusterCommand, DeleteClusterCommand, DescribeClustersCommand, type Cluster } from '@aws-sdk/client-ecs';
import { CreateServiceLinkedRoleCommand } from '@aws-sdk/client-iam';
import { errorMessage, isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { assertOwned } from './ownership.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { ecsTags, retryOn, waitFor } from './common.js';

/**
 * The ECS cluster. The first cluster of an account can fail because ECS's service-linked role does not exist yet:
 * create it (ecs.amazonaws.com) and try again. Delete retries ClusterContainsTasks until the service's tasks stop.
 */
async function byName(ctx: NodeContext, name: string): Promise<Cluster | undefined> {
  const out = await ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [name] }));
  const c = out.clusters?.[0];
  return c && c.status !== 'INACTIVE' ? c : undefined;
}

function outputsOf(c: Cluster): Outputs {
  return { name: c.clusterName ?? '', arn: c.clusterArn ?? '' };
}

function needsServiceLinkedRole(err: unknown): boolean {
  return isAwsError(err, 'InvalidParameterException') && /service.?linked role/i.test(errorMessage(err));
}

export const ecsClusterKind: StackResourceKind = firstOf({
  kind: 'ecs-cluster',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).cluster;
    // CreateCluster hands back an ACTIVE cluster of that name, whoever made it: look first.
    const existing = await byName(ctx, name);
    if (existing?.status === 'ACTIVE') await assertOwned(ctx, 'ecs-cluster', { name, arn: existing.clusterArn ?? '' });
    const send = () => ctx.clients.ecs.send(new CreateClusterCommand({ clusterName: name, tags: ecsTags(ctx) }));
    let out;
    try {
      out = await send();
    } catch (err) {
      if (!needsServiceLinkedRole(err)) throw err;
      ctx.progress('retrying', 'creating the ECS service-linked role (first cluster of this account)');
      try {
        await ctx.clients.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
      } catch (e) {
        // "Service role name AWSServiceRoleForECS has been taken in this account": it exists.
        if (!isAwsError(e, 'InvalidInputException', 'InvalidInput')) throw e;
      }
      out = await retryOn(ctx, `create ECS cluster ${name}`, 'iam', send, { retryable: needsServiceLinkedRole });
    }
    // CreateCluster is idempotent for a name: an existing ACTIVE cluster comes back.
    const identity: Identity = { name, arn: out.cluster?.clusterArn ?? '' };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const c = await byName(ctx, identity['name'] ?? '');
    if (!c) return undefined;
    return { state: c.status ?? 'unknown', ready: c.status === 'ACTIVE', outputs: outputsOf(c) };
  },

  async findAll(ctx) {
    const c = await byName(ctx, stackNames(ctx.config.stack).cluster);
    return c ? [{ name: c.clusterName ?? '', arn: c.clusterArn ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    return waitFor(ctx, `ECS cluster ${name} to be active`, 'quickReady', async () => {
      const c = await byName(ctx, name);
      return c?.status === 'ACTIVE' ? { done: true, value: outputsOf(c) } : { done: false, state: c?.status ?? 'not visible yet' };
    });
  },

  async delete(ctx, identity) {
    const name = identity['name'] ?? '';
    await retryOn(
      ctx,
      `delete ECS cluster ${name}`,
      'clusterDelete',
      async () => {
        try {
          await ctx.clients.ecs.send(new DeleteClusterCommand({ cluster: name }));
        } catch (err) {
          if (isAwsError(err, 'ClusterNotFoundException')) return;
          throw err;
        }
      },
      { retryable: (err) => isAwsError(err, 'ClusterContainsTasksException', 'ClusterContainsServicesException', 'ClusterContainsContainerInstancesException', 'UpdateInProgressException') },
    );
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `ECS cluster ${name} to be inactive`, 'quickGone', async () => {
      const c = await byName(ctx, name);
      return c === undefined ? { done: true, value: undefined } : { done: false, state: c.status ?? 'exists' };
    });
  },
});
