import { CreateDBSubnetGroupCommand, DeleteDBSubnetGroupCommand, DescribeDBSubnetGroupsCommand, type DBSubnetGroup } from '@aws-sdk/client-rds';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/** The DB subnet group over the two private subnets. */
async function byName(ctx: NodeContext, name: string): Promise<DBSubnetGroup | undefined> {
  return orGone(async () => (await ctx.clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }))).DBSubnetGroups?.[0]);
}

function outputsOf(g: DBSubnetGroup): Outputs {
  return { name: g.DBSubnetGroupName ?? '', arn: g.DBSubnetGroupArn ?? '' };
}

export const dbSubnetGroupKind: StackResourceKind = firstOf({
  kind: 'db-subnet-group',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).dbSubnetGroup;
    try {
      await ctx.clients.rds.send(
        new CreateDBSubnetGroupCommand({
          DBSubnetGroupName: name,
          DBSubnetGroupDescription: `three-tier ${ctx.config.stack}: private subnets of the database`,
          SubnetIds: [needOutput(ctx, 'subnet-private-a', 'subnetId'), needOutput(ctx, 'subnet-private-b', 'subnetId')],
          Tags: keyValueTags(ctx),
        }),
      );
    } catch (err) {
      // Made by an earlier run whose answer was lost; the name is ours.
      if (!isAwsError(err, 'DBSubnetGroupAlreadyExistsFault', 'DBSubnetGroupAlreadyExists')) throw err;
    }
    // RDS stores the name lowercase.
    const identity: Identity = { name: name.toLowerCase() };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'db-subnet-group', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const g = await byName(ctx, identity['name'] ?? '');
    if (!g) return undefined;
    return { state: g.SubnetGroupStatus ?? 'Complete', ready: true, outputs: outputsOf(g) };
  },

  async findAll(ctx) {
    const g = await byName(ctx, stackNames(ctx.config.stack).dbSubnetGroup);
    return g ? [{ name: g.DBSubnetGroupName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    return waitFor(ctx, `DB subnet group ${name} to be visible`, 'quickReady', async () => {
      const g = await byName(ctx, name);
      return g ? { done: true, value: outputsOf(g) } : { done: false, state: 'not visible yet' };
    });
  },

  async delete(ctx, identity) {
    const name = identity['name'] ?? '';
    // InvalidDBSubnetGroupStateFault while the instance using it is still being deleted.
    await retryOn(ctx, `delete DB subnet group ${name}`, 'subnetGroupDelete', () =>
      ignoreNotFound(() => ctx.clients.rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: name }))),
    );
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `DB subnet group ${name} to be deleted`, 'quickGone', async () => {
      const g = await byName(ctx, name);
      return g === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
