import { CreateRepositoryCommand, DeleteRepositoryCommand, DescribeRepositoriesCommand, type Repository } from '@aws-sdk/client-ecr';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, orGone, waitFor } from './common.js';

/** The stack's ECR repository for the API image: scan on push; deleted with its images (force). */
async function byName(ctx: NodeContext, name: string): Promise<Repository | undefined> {
  return orGone(async () => (await ctx.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0]);
}

function outputsOf(r: Repository): Outputs {
  return { name: r.repositoryName ?? '', uri: r.repositoryUri ?? '', arn: r.repositoryArn ?? '', registryId: r.registryId ?? '' };
}

export const ecrRepositoryKind: StackResourceKind = firstOf({
  kind: 'ecr-repository',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).repository;
    try {
      await ctx.clients.ecr.send(
        new CreateRepositoryCommand({
          repositoryName: name,
          imageScanningConfiguration: { scanOnPush: true },
          imageTagMutability: 'MUTABLE',
          tags: keyValueTags(ctx),
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'RepositoryAlreadyExistsException')) throw err;
    }
    const identity: Identity = { name };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'ecr-repository', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const r = await byName(ctx, identity['name'] ?? '');
    if (!r) return undefined;
    return { state: 'active', ready: true, outputs: outputsOf(r) };
  },

  async findAll(ctx) {
    const r = await byName(ctx, stackNames(ctx.config.stack).repository);
    return r ? [{ name: r.repositoryName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    return waitFor(ctx, `ECR repository ${name} to be visible`, 'quickReady', async () => {
      const r = await byName(ctx, name);
      return r ? { done: true, value: outputsOf(r) } : { done: false, state: 'not visible yet' };
    });
  },

  async delete(ctx, identity) {
    await ignoreNotFound(() => ctx.clients.ecr.send(new DeleteRepositoryCommand({ repositoryName: identity['name'] ?? '', force: true })));
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `ECR repository ${name} to be deleted`, 'quickGone', async () => {
      const r = await byName(ctx, name);
      return r === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
