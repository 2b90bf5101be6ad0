import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  CreateSnapshotCommand,
  DeleteReplicationGroupCommand,
  DeleteSnapshotCommand,
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  type CreateReplicationGroupCommandInput,
} from '@aws-sdk/client-elasticache';
import { ResourceType } from '../../src/sandbox/model.js';
import type { ReplicationGroupData } from '../../src/sandbox/services/elasticache/replication-groups.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, eventually, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';

/**
 * Manual snapshots of a replication group and a new group restored from one, as ElastiCache does them: the group is
 * `snapshotting` (and cannot be deleted) until the snapshot is available, the snapshot outlives its group, and a
 * group created with SnapshotName holds the snapshot `restoring` until it is built (docs/sandbox/elasticache.md).
 */
describe('sandbox ElastiCache: snapshots and restore', () => {
  let sb: Sandbox;
  let ec: ElastiCacheClient;
  let net: Network;
  const rgInput = (id: string, extra: Partial<CreateReplicationGroupCommandInput> = {}): CreateReplicationGroupCommandInput => ({
    ReplicationGroupId: id,
    ReplicationGroupDescription: 'cache for the api',
    Engine: 'redis',
    NumCacheClusters: 1,
    CacheNodeType: 'cache.t4g.micro',
    CacheSubnetGroupName: 'snap-group',
    SecurityGroupIds: [net.securityGroupId],
    TransitEncryptionEnabled: true,
    AtRestEncryptionEnabled: true,
    ...extra,
  });
  const groupStatus = async (id: string) => (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0]?.Status;
  const snapshot = async (name: string) => (await ec.send(new DescribeSnapshotsCommand({ SnapshotName: name }))).Snapshots?.[0];
  const until = <T>(what: string, check: () => Promise<T | undefined>) => eventually(check, 10_000, what);

  afterEach(() => {
    sb.world.config.timeScale = 0.001;
  });
  before(async () => {
    sb = await sandbox();
    ec = new ElastiCacheClient(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
    await ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'snap-group', CacheSubnetGroupDescription: 'cache', SubnetIds: net.privateSubnets }));
    await ec.send(new CreateReplicationGroupCommand(rgInput('source')));
    await until('source available', async () => ((await groupStatus('source')) === 'available' ? true : undefined));
  });
  after(async () => sb.close());

  it('takes a snapshot of an available group: the group is snapshotting and cannot be deleted until it is done', async () => {
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'x', ReplicationGroupId: 'source', CacheClusterId: 'source-001' })), 'InvalidParameterCombinationException');
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'x' })), 'InvalidParameterValueException');
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'x', ReplicationGroupId: 'nope' })), 'ReplicationGroupNotFoundFault');
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'x', CacheClusterId: 'nope-001' })), 'CacheClusterNotFoundFault');

    // Slow enough (a snapshot takes 1.2 s) for the calls below to find it still being taken.
    sb.world.config.timeScale = 0.02;
    const made = await ec.send(
      new CreateSnapshotCommand({ SnapshotName: 'Before-Pause', ReplicationGroupId: 'source', Tags: [{ Key: 'three-tier:stack', Value: 'snap' }] }),
    );
    assert.equal(made.Snapshot?.SnapshotName, 'before-pause');
    assert.equal(made.Snapshot?.SnapshotStatus, 'creating');
    assert.deepEqual([made.Snapshot?.ReplicationGroupId, made.Snapshot?.CacheClusterId, made.Snapshot?.CacheNodeType, made.Snapshot?.Engine], ['source', 'source-001', 'cache.t4g.micro', 'redis']);
    assert.equal(await groupStatus('source'), 'snapshotting');
    await rejectsWith(ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'source' })), 'InvalidReplicationGroupStateFault', /snapshotting/);
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'second', ReplicationGroupId: 'source' })), 'InvalidReplicationGroupStateFault');
    await rejectsWith(ec.send(new DeleteSnapshotCommand({ SnapshotName: 'before-pause' })), 'InvalidSnapshotStateFault');
    await rejectsWith(ec.send(new CreateSnapshotCommand({ SnapshotName: 'before-pause', ReplicationGroupId: 'source' })), 'SnapshotAlreadyExistsFault');

    await until('the snapshot available', async () => ((await snapshot('before-pause'))?.SnapshotStatus === 'available' ? true : undefined));
    assert.equal(await groupStatus('source'), 'available');
    const tags = await ec.send(new ListTagsForResourceCommand({ ResourceName: made.Snapshot?.ARN ?? '' }));
    assert.deepEqual(tags.TagList, [{ Key: 'three-tier:stack', Value: 'snap' }]);
  });

  it('describes snapshots by name, by group and by source, within 20..50 records', async () => {
    await rejectsWith(ec.send(new DescribeSnapshotsCommand({ SnapshotName: 'unknown' })), 'SnapshotNotFoundFault');
    await rejectsWith(ec.send(new DescribeSnapshotsCommand({ MaxRecords: 60 })), 'InvalidParameterValueException');
    assert.deepEqual((await ec.send(new DescribeSnapshotsCommand({ ReplicationGroupId: 'source' }))).Snapshots?.map((s) => s.SnapshotName), ['before-pause']);
    assert.deepEqual((await ec.send(new DescribeSnapshotsCommand({ ReplicationGroupId: 'other' }))).Snapshots, []);
    assert.deepEqual((await ec.send(new DescribeSnapshotsCommand({ SnapshotSource: 'system' }))).Snapshots, []);
    assert.equal((await ec.send(new DescribeSnapshotsCommand({ SnapshotSource: 'user' }))).Snapshots?.length, 1);
  });

  it('keeps the snapshot after its group is deleted, and restores a new group from it', async () => {
    await ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'source' }));
    await until('source gone', () => groupStatus('source').then(() => undefined, () => true));
    assert.equal((await snapshot('before-pause'))?.SnapshotStatus, 'available');

    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('source', { SnapshotName: 'missing' }))), 'SnapshotNotFoundFault');
    // The restored group takes 1.8 s to build: long enough to see its snapshot restoring.
    sb.world.config.timeScale = 0.005;
    const made = await ec.send(new CreateReplicationGroupCommand(rgInput('source', { SnapshotName: 'before-pause' })));
    assert.equal(made.ReplicationGroup?.Status, 'creating');
    assert.equal((await snapshot('before-pause'))?.SnapshotStatus, 'restoring');
    await rejectsWith(ec.send(new DeleteSnapshotCommand({ SnapshotName: 'before-pause' })), 'InvalidSnapshotStateFault');
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('again', { SnapshotName: 'before-pause' }))), 'InvalidSnapshotStateFault');
    await until('the restored group available', async () => ((await groupStatus('source')) === 'available' ? true : undefined));
    assert.equal((await snapshot('before-pause'))?.SnapshotStatus, 'available');
    assert.equal(sb.world.get<ReplicationGroupData>(ResourceType.replicationGroup, 'source')?.data.restoredFrom, 'before-pause');
  });

  it('deletes an available snapshot: deleting, then gone', async () => {
    // Deleting takes 2 s of AWS time: 0.4 s here.
    sb.world.config.timeScale = 0.2;
    const gone = await ec.send(new DeleteSnapshotCommand({ SnapshotName: 'before-pause' }));
    assert.equal(gone.Snapshot?.SnapshotStatus, 'deleting');
    await rejectsWith(ec.send(new DeleteSnapshotCommand({ SnapshotName: 'before-pause' })), 'InvalidSnapshotStateFault');
    await until('the snapshot gone', () => snapshot('before-pause').then(() => undefined, (e: Error) => (e.name === 'SnapshotNotFoundFault' ? true : undefined)));
    await rejectsWith(ec.send(new DeleteSnapshotCommand({ SnapshotName: 'before-pause' })), 'SnapshotNotFoundFault');
  });
});
