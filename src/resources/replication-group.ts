import { CreateReplicationGroupCommand, DeleteReplicationGroupCommand, DescribeReplicationGroupsCommand, type ReplicationGroup } from '@aws-sdk/client-elasticache';
import { errorMessage, isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { ThreeTierError } from '../errors.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { readSecretValue } from './secret.js';
import { failedState, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/**
 * ElastiCache Redis as a replication group of one node (transit encryption needs a replication group, not
 * CreateCacheCluster), encrypted in transit and at rest, no failover, clients authenticated with the AUTH token
 * kept in the stack's secret `<stack>/redis-auth-token`. The endpoint is
 * NodeGroups[0].PrimaryEndpoint; clients use TLS. waitUntilReplicationGroupAvailable does not notice
 * `create-failed`, so the status is polled here.
 */
async function byId(ctx: NodeContext, id: string): Promise<ReplicationGroup | undefined> {
  return orGone(async () => (await ctx.clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0]);
}

function outputsOf(rg: ReplicationGroup): Outputs {
  const ep = rg.NodeGroups?.[0]?.PrimaryEndpoint;
  return {
    id: rg.ReplicationGroupId ?? '',
    arn: rg.ARN ?? '',
    host: ep?.Address ?? '',
    port: String(ep?.Port ?? 6379),
    tls: String(rg.TransitEncryptionEnabled ?? false),
    auth: String(rg.AuthTokenEnabled ?? false),
  };
}

function usable(rg: ReplicationGroup): boolean {
  return rg.Status === 'available' && !!rg.NodeGroups?.[0]?.PrimaryEndpoint?.Address;
}

function nodeTypeNotOffered(ctx: NodeContext, err: unknown): ThreeTierError {
  const zones = ctx.config.availabilityZones?.join(' and ') ?? "the stack's zones";
  return new ThreeTierError('CACHE_NODE_TYPE_NOT_OFFERED', `ElastiCache offers no ${ctx.config.cacheNodeType} in ${zones}, the stack's zones: ${errorMessage(err)}`, {
    cause: err,
    hints: [
      `choose a node type these zones offer and run up again, e.g. three-tier up --stack ${ctx.config.stack} --cache-node-type ${ctx.config.cacheNodeType.startsWith('cache.t4g.') ? 'cache.t3.micro' : 'cache.t4g.micro'}`,
      `the zones are kept for the stack's life (a subnet never moves); for ${ctx.config.cacheNodeType} there, destroy the stack and create it in another region`,
    ],
  });
}

export const replicationGroupKind: StackResourceKind = firstOf({
  kind: 'replication-group',

  async create(ctx) {
    const id = stackNames(ctx.config.stack).replicationGroup;
    try {
      await ctx.clients.elasticache.send(
        new CreateReplicationGroupCommand({
          ReplicationGroupId: id,
          ReplicationGroupDescription: `three-tier ${ctx.config.stack}: API cache`,
          Engine: 'redis',
          CacheNodeType: ctx.config.cacheNodeType,
          NumCacheClusters: 1,
          AutomaticFailoverEnabled: false,
          MultiAZEnabled: false,
          Port: 6379,
          CacheSubnetGroupName: needOutput(ctx, 'cache-subnet-group', 'name'),
          SecurityGroupIds: [needOutput(ctx, 'sg-redis', 'groupId')],
          TransitEncryptionEnabled: true,
          AtRestEncryptionEnabled: true,
          // Clients must AUTH with the stack's token (ElastiCache takes one only with transit encryption). Read from
          // its secret for this call alone: never recorded, never in an event.
          AuthToken: await readSecretValue(ctx.clients, needOutput(ctx, 'redis-auth', 'arn'), "the cache's AUTH token"),
          // Resume of a deep pause: the cache comes back with the data of the snapshot pause took.
          ...(ctx.restoreFrom === undefined ? {} : { SnapshotName: ctx.restoreFrom }),
          Tags: keyValueTags(ctx),
        }),
      );
    } catch (err) {
      // ElastiCache publishes no per-zone node offerings, so the zones were chosen without it: say what to change.
      if (isAwsError(err, 'InsufficientCacheClusterCapacityFault', 'InsufficientCacheClusterCapacity')) throw nodeTypeNotOffered(ctx, err);
      if (!isAwsError(err, 'ReplicationGroupAlreadyExistsFault', 'ReplicationGroupAlreadyExists')) throw err;
    }
    const identity: Identity = { id };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'replication-group', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const rg = await byId(ctx, identity['id'] ?? '');
    if (!rg) return undefined;
    return { state: rg.Status ?? 'unknown', ready: usable(rg), outputs: outputsOf(rg) };
  },

  async findAll(ctx) {
    const rg = await byId(ctx, stackNames(ctx.config.stack).replicationGroup);
    return rg ? [{ id: rg.ReplicationGroupId ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const id = identity['id'] ?? '';
    return waitFor(ctx, `Redis replication group ${id} to be available`, 'cacheReady', async () => {
      const rg = await byId(ctx, id);
      if (rg && usable(rg)) return { done: true, value: outputsOf(rg) };
      const state = rg?.Status ?? 'not visible yet';
      if (state === 'create-failed') throw failedState(`Redis replication group ${id}`, state, undefined, ['delete it (three-tier destroy), check the node type is offered in both zones, then run up again']);
      if (state === 'deleting') throw failedState(`Redis replication group ${id}`, 'being deleted', undefined, ['wait for the deletion to finish (three-tier destroy waits for it), then run up again']);
      return { done: false, state };
    });
  },

  async delete(ctx, identity) {
    const id = identity['id'] ?? '';
    await retryOn(
      ctx,
      `delete Redis replication group ${id}`,
      'cacheReady',
      async () => {
        try {
          await ctx.clients.elasticache.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: id }));
        } catch (err) {
          if (isAwsError(err, 'ReplicationGroupNotFoundFault', 'ReplicationGroupNotFound')) return;
          // Already deleting: that is the deletion in progress. Other states (creating, modifying) refuse for now.
          if (isAwsError(err, 'InvalidReplicationGroupStateFault', 'InvalidReplicationGroupState')) {
            const rg = await byId(ctx, id);
            if (!rg || rg.Status === 'deleting' || /deleting|being deleted/i.test(errorMessage(err))) return;
          }
          throw err;
        }
      },
      { retryable: (err) => isAwsError(err, 'InvalidReplicationGroupStateFault', 'InvalidReplicationGroupState') },
    );
  },

  async waitGone(ctx, identity) {
    const id = identity['id'] ?? '';
    await waitFor(ctx, `Redis replication group ${id} to be deleted`, 'cacheGone', async () => {
      const rg = await byId(ctx, id);
      return rg === undefined ? { done: true, value: undefined } : { done: false, state: rg.Status ?? 'exists' };
    });
  },
});
