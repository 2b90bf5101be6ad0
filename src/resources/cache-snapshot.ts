import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  ListTagsForResourceCommand,
  type Snapshot,
} from '@aws-sdk/client-elasticache';
import { isAwsError } from '../aws/errors.js';
import { STACK_TAG, type NodeContext } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { failedState, keyValueTags, retryOn, waitFor } from './common.js';

/**
 * The cache's snapshot that `pause --deep` takes before it deletes the replication group, and that `resume`
 * restores (CreateReplicationGroup SnapshotName) and then deletes. As the ElastiCache guide advises, the group is
 * deleted only once the snapshot is available. The snapshot carries the cache's tags, so a lost manifest does not
 * lose it; destroy deletes it with the stack.
 */
export function cacheSnapshotName(stack: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '').slice(0, 14);
  return `${stackNames(stack).replicationGroup}-paused-${stamp}`;
}

const notFound = (err: unknown): boolean => isAwsError(err, 'SnapshotNotFoundFault');

export async function describeCacheSnapshot(ctx: NodeContext, name: string): Promise<Snapshot | undefined> {
  try {
    return (await ctx.clients.elasticache.send(new DescribeSnapshotsCommand({ SnapshotName: name }))).Snapshots?.[0];
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

/** Take the snapshot (a name already taken by an earlier run of this pause is that run's snapshot) and wait until it is available. */
export async function takeCacheSnapshot(ctx: NodeContext, groupId: string, name: string): Promise<void> {
  if (!(await describeCacheSnapshot(ctx, name))) {
    ctx.progress('waiting', `taking the snapshot ${name} of the cache`);
    await retryOn(
      ctx,
      `snapshot the cache ${groupId}`,
      'cacheReady',
      async () => {
        try {
          await ctx.clients.elasticache.send(new CreateSnapshotCommand({ ReplicationGroupId: groupId, SnapshotName: name, Tags: keyValueTags(ctx) }));
        } catch (err) {
          if (!isAwsError(err, 'SnapshotAlreadyExistsFault')) throw err;
        }
      },
      // Only an available group is snapshotted: one still being created or changed is waited for.
      { retryable: (err) => isAwsError(err, 'InvalidReplicationGroupStateFault', 'InvalidReplicationGroupState') },
    );
  }
  await waitFor(ctx, `cache snapshot ${name} to be available`, 'cacheReady', async () => {
    const s = await describeCacheSnapshot(ctx, name);
    const state = s?.SnapshotStatus ?? 'not visible yet';
    if (state === 'available') return { done: true, value: undefined };
    if (state === 'failed' || state === 'deleting') throw failedState(`cache snapshot ${name}`, state, undefined, ['run pause --deep again: it takes a new snapshot before the cache is deleted']);
    return { done: false, state };
  });
}

/** Delete the snapshot once it is available again (a restore holds it `restoring`); gone already is success. */
export async function deleteCacheSnapshot(ctx: NodeContext, name: string): Promise<void> {
  await retryOn(
    ctx,
    `delete cache snapshot ${name}`,
    'cacheReady',
    async () => {
      try {
        await ctx.clients.elasticache.send(new DeleteSnapshotCommand({ SnapshotName: name }));
      } catch (err) {
        if (notFound(err)) return;
        const s = await describeCacheSnapshot(ctx, name);
        // Already being deleted: that is the deletion in progress.
        if (!s || s.SnapshotStatus === 'deleting') return;
        throw err;
      }
    },
    { retryable: (err) => isAwsError(err, 'InvalidSnapshotStateFault', 'InvalidSnapshotState') },
  );
}

/**
 * The stack's pause snapshots, found without the manifest: snapshots of the stack's replication group, named as
 * pause names them, carrying the stack's tag (nothing of anyone else's).
 */
export async function findPauseSnapshots(ctx: NodeContext): Promise<string[]> {
  const group = stackNames(ctx.config.stack).replicationGroup;
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const out = await ctx.clients.elasticache.send(new DescribeSnapshotsCommand({ SnapshotSource: 'user', ...(marker ? { Marker: marker } : {}) }));
    for (const s of out.Snapshots ?? []) {
      if (s.ReplicationGroupId !== group || !s.SnapshotName?.startsWith(`${group}-paused-`) || !s.ARN) continue;
      const tags = await ctx.clients.elasticache.send(new ListTagsForResourceCommand({ ResourceName: s.ARN }));
      if ((tags.TagList ?? []).some((t) => t.Key === STACK_TAG && t.Value === ctx.config.stack)) names.push(s.SnapshotName);
    }
    marker = out.Marker;
  } while (marker);
  return names;
}
