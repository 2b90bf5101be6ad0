import { CreateLogGroupCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, orGone, tagMap, waitFor } from './common.js';

/** The API's log group (the awslogs driver writes there), with a retention so logs do not pile up forever. */
async function byName(ctx: NodeContext, name: string): Promise<LogGroup | undefined> {
  const out = await orGone(() => ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name })));
  return out?.logGroups?.find((g) => g.logGroupName === name);
}

function outputsOf(g: LogGroup): Outputs {
  return { name: g.logGroupName ?? '', arn: g.arn ?? '' };
}

export const logGroupKind: StackResourceKind = firstOf({
  kind: 'log-group',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).logGroup;
    try {
      await ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: tagMap(ctx) }));
    } catch (err) {
      if (!isAwsError(err, 'ResourceAlreadyExistsException')) throw err;
    }
    const identity: Identity = { name };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'log-group', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const g = await byName(ctx, identity['name'] ?? '');
    if (!g) return undefined;
    const ready = g.retentionInDays === ctx.config.logRetentionDays;
    return { state: ready ? 'active' : 'retention not set', ready, outputs: outputsOf(g) };
  },

  async findAll(ctx) {
    const g = await byName(ctx, stackNames(ctx.config.stack).logGroup);
    return g ? [{ name: g.logGroupName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    const g = await waitFor(ctx, `log group ${name} to be visible`, 'quickReady', async () => {
      const found = await byName(ctx, name);
      return found ? { done: true, value: found } : { done: false, state: 'not visible yet' };
    });
    if (g.retentionInDays !== ctx.config.logRetentionDays) {
      await ctx.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: ctx.config.logRetentionDays }));
    }
    return outputsOf(g);
  },

  async delete(ctx, identity) {
    await ignoreNotFound(() => ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: identity['name'] ?? '' })));
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `log group ${name} to be deleted`, 'quickGone', async () => {
      const g = await byName(ctx, name);
      return g === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
