import { CreateCacheSubnetGroupCommand, DeleteCacheSubnetGroupCommand, DescribeCacheSubnetGroupsCommand, type CacheSubnetGroup } from '@aws-sdk/client-elasticache';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/** The cache subnet group over the two private subnets. */
async function byName(ctx: NodeContext, name: string): Promise<CacheSubnetGroup | undefined> {
  return orGone(async () => (await ctx.clients.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: name }))).CacheSubnetGroups?.[0]);
}

function outputsOf(g: CacheSubnetGroup): Outputs {
  return { name: g.CacheSubnetGroupName ?? '', arn: g.ARN ?? '' };
}

export const cacheSubnetGroupKind: StackResourceKind = firstOf({
  kind: 'cache-subnet-group',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).cacheSubnetGroup;
    try {
      await ctx.clients.elasticache.send(
        new CreateCacheSubnetGroupCommand({
          CacheSubnetGroupName: name,
          CacheSubnetGroupDescription: `three-tier ${ctx.config.stack}: private subnets of the cache`,
          SubnetIds: [needOutput(ctx, 'subnet-private-a', 'subnetId'), needOutput(ctx, 'subnet-private-b', 'subnetId')],
          Tags: keyValueTags(ctx),
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'CacheSubnetGroupAlreadyExistsFault', 'CacheSubnetGroupAlreadyExists')) throw err;
    }
    const identity: Identity = { name: name.toLowerCase() };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'cache-subnet-group', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const g = await byName(ctx, identity['name'] ?? '');
    if (!g) return undefined;
    return { state: 'available', ready: true, outputs: outputsOf(g) };
  },

  async findAll(ctx) {
    const g = await byName(ctx, stackNames(ctx.config.stack).cacheSubnetGroup);
    return g ? [{ name: g.CacheSubnetGroupName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    return waitFor(ctx, `cache subnet group ${name} to be visible`, 'quickReady', async () => {
      const g = await byName(ctx, name);
      return g ? { done: true, value: outputsOf(g) } : { done: false, state: 'not visible yet' };
    });
  },

  async delete(ctx, identity) {
    const name = identity['name'] ?? '';
    // CacheSubnetGroupInUse until the replication group is gone.
    await retryOn(ctx, `delete cache subnet group ${name}`, 'subnetGroupDelete', () =>
      ignoreNotFound(() => ctx.clients.elasticache.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: name }))),
    );
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `cache subnet group ${name} to be deleted`, 'quickGone', async () => {
      const g = await byName(ctx, name);
      return g === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
