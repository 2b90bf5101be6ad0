import type {
  CreateSnapshotMessage,
  CreateSnapshotResult,
  DeleteSnapshotMessage,
  DeleteSnapshotResult,
  DescribeSnapshotsListMessage,
  DescribeSnapshotsMessage,
  Snapshot,
} from '@aws-sdk/client-elasticache';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import { invalidCombination, invalidValue, paginate, readTags, required } from '../rds/common.js';
import { CACHE_SERVICE } from './subnet-groups.js';
import type { ReplicationGroupData } from './replication-groups.js';

/**
 * Manual snapshots of Redis / Valkey replication groups (cluster mode disabled), and what they give back:
 * type 'cache-snapshot', id = the snapshot name (lowercase). States: creating -> available; restoring while a new
 * replication group is created from it (CreateReplicationGroup SnapshotName); deleting -> gone.
 * While a snapshot is taken its group is `snapshotting` (not `available`: it cannot be deleted meanwhile).
 * Sources: ElastiCache API reference (CreateSnapshot, DescribeSnapshots, DeleteSnapshot, Snapshot,
 * CreateReplicationGroup SnapshotName, ReplicationGroup Status); ElastiCache user guide "Snapshot and restore"
 * ("create a manual backup first, verify that its status is available, and then delete the cache").
 */
export interface CacheSnapshotData {
  name: string;
  arn: string;
  replicationGroupId: string;
  replicationGroupDescription: string;
  /** The member cluster whose node the snapshot was taken from (the primary). */
  cacheClusterId: string;
  engine: string;
  engineVersion: string;
  cacheNodeType: string;
  numCacheClusters: number;
  port: number;
  subnetGroupName: string;
  vpcId: string;
  automaticFailover: boolean;
  atRestEncryption: boolean;
  kmsKeyId?: string;
  /** Wall ms the snapshot started, and when its source cluster was created. */
  startedAt: number;
  clusterCreatedAt: number;
}

/** Unconfirmed: a small cache (a micro node holds under 1 GB) snapshots in about a minute. */
export const CACHE_SNAPSHOT_MS = 60_000;
const MAX_NAME = 255;

export const snapshotNotFound = (name: string): AwsError => new AwsError('SnapshotNotFoundFault', `Snapshot ${name} not found.`, 404);
const invalidSnapshotState = (name: string, state: string): AwsError =>
  new AwsError('InvalidSnapshotState', `Snapshot ${name} is ${state}; the operation requires an available snapshot.`, 400);

export function findCacheSnapshot(world: World, name: string): Resource<CacheSnapshotData> | undefined {
  return world.get<CacheSnapshotData>(ResourceType.cacheSnapshot, name.toLowerCase());
}

function describeSnapshot(s: Resource<CacheSnapshotData>): Snapshot {
  const d = s.data;
  const out: Snapshot = {
    SnapshotName: d.name,
    ReplicationGroupId: d.replicationGroupId,
    ReplicationGroupDescription: d.replicationGroupDescription,
    CacheClusterId: d.cacheClusterId,
    SnapshotStatus: s.state,
    SnapshotSource: 'manual',
    CacheNodeType: d.cacheNodeType,
    Engine: d.engine,
    EngineVersion: d.engineVersion,
    NumCacheNodes: d.numCacheClusters,
    CacheClusterCreateTime: new Date(d.clusterCreatedAt),
    Port: d.port,
    CacheSubnetGroupName: d.subnetGroupName,
    VpcId: d.vpcId,
    AutoMinorVersionUpgrade: true,
    SnapshotRetentionLimit: 0,
    SnapshotWindow: '05:00-06:00',
    NumNodeGroups: 1,
    AutomaticFailover: d.automaticFailover ? 'enabled' : 'disabled',
    NodeSnapshots: [
      {
        CacheClusterId: d.cacheClusterId,
        NodeGroupId: '0001',
        CacheNodeId: '0001',
        CacheSize: '0 MB',
        CacheNodeCreateTime: new Date(d.clusterCreatedAt),
        ...(s.state === 'creating' ? {} : { SnapshotCreateTime: new Date(d.startedAt) }),
      },
    ],
    ARN: d.arn,
    DataTiering: 'disabled',
  };
  if (d.kmsKeyId !== undefined) out.KmsKeyId = d.kmsKeyId;
  return out;
}

/** The replication group a CreateSnapshot names, by its id or by one of its member clusters. */
function sourceGroup(world: World, input: CreateSnapshotMessage): Resource<ReplicationGroupData> {
  if (input.ReplicationGroupId !== undefined && input.CacheClusterId !== undefined) {
    throw invalidCombination('Cannot specify both ReplicationGroupId and CacheClusterId.');
  }
  if (input.ReplicationGroupId !== undefined) {
    const rg = world.get<ReplicationGroupData>(ResourceType.replicationGroup, input.ReplicationGroupId.toLowerCase());
    if (!rg) throw new AwsError('ReplicationGroupNotFoundFault', `ReplicationGroup ${input.ReplicationGroupId} not found.`, 404);
    return rg;
  }
  if (input.CacheClusterId === undefined) throw invalidValue('Either ReplicationGroupId or CacheClusterId must be provided.');
  const clusterId = input.CacheClusterId.toLowerCase();
  const rg = world.list<ReplicationGroupData>(ResourceType.replicationGroup).find((g) => g.data.members.some((m) => m.clusterId === clusterId));
  if (!rg) throw new AwsError('CacheClusterNotFound', `CacheCluster not found: ${input.CacheClusterId}`, 404);
  return rg;
}

const createSnapshot = op<CreateSnapshotMessage, CreateSnapshotResult>((input, { world }) => {
  const name = required(input.SnapshotName, 'SnapshotName');
  if (name.length > MAX_NAME) throw invalidValue(`Invalid snapshot name: ${name}. It must be 1 to ${MAX_NAME} characters.`);
  const rg = sourceGroup(world, input);
  const tags = readTags(input.Tags);
  if (findCacheSnapshot(world, name)) throw new AwsError('SnapshotAlreadyExistsFault', `Snapshot with specified name [${name}] already exists.`, 400);
  if (rg.state !== 'available') {
    throw new AwsError('InvalidReplicationGroupState', `Replication group ${rg.id} has status ${rg.state} which is not valid for taking a snapshot.`, 400);
  }
  const g = rg.data;
  const data: CacheSnapshotData = {
    name: name.toLowerCase(),
    arn: world.arn('elasticache', `snapshot:${name.toLowerCase()}`),
    replicationGroupId: g.id,
    replicationGroupDescription: g.description,
    cacheClusterId: g.members[0]?.clusterId ?? `${g.id}-001`,
    engine: g.engine,
    engineVersion: g.engineVersion,
    cacheNodeType: g.cacheNodeType,
    numCacheClusters: g.members.length,
    port: g.port,
    subnetGroupName: g.subnetGroupName,
    vpcId: g.vpcId,
    automaticFailover: g.automaticFailover,
    atRestEncryption: g.atRestEncryption,
    startedAt: world.now(),
    clusterCreatedAt: g.createdTime,
  };
  const kms = input.KmsKeyId ?? g.kmsKeyId;
  if (kms !== undefined) data.kmsKeyId = kms;
  const snap = world.create(CACHE_SERVICE, ResourceType.cacheSnapshot, data.name, { state: 'creating', data, tags });
  world.setState(rg, 'snapshotting');
  world.schedule(snap, CACHE_SNAPSHOT_MS, 'available', 'cache-snapshot-taken');
  return { Snapshot: describeSnapshot(snap) };
});

const describeSnapshots = op<DescribeSnapshotsMessage, DescribeSnapshotsListMessage>((input, { world }) => {
  if (input.MaxRecords !== undefined && (!Number.isInteger(input.MaxRecords) || input.MaxRecords < 20 || input.MaxRecords > 50)) {
    throw invalidValue(`Invalid value ${input.MaxRecords} for MaxRecords. Must be between 20 and 50`);
  }
  if (input.SnapshotSource !== undefined && !['system', 'user'].includes(input.SnapshotSource)) {
    throw invalidValue(`Invalid value for SnapshotSource: ${input.SnapshotSource}. Valid values are system and user.`);
  }
  let found = world.list<CacheSnapshotData>(ResourceType.cacheSnapshot);
  if (input.SnapshotName !== undefined) {
    const one = findCacheSnapshot(world, input.SnapshotName);
    if (!one) throw snapshotNotFound(input.SnapshotName);
    found = [one];
  }
  if (input.ReplicationGroupId !== undefined) found = found.filter((s) => s.data.replicationGroupId === input.ReplicationGroupId?.toLowerCase());
  if (input.CacheClusterId !== undefined) found = found.filter((s) => s.data.cacheClusterId === input.CacheClusterId?.toLowerCase());
  // Every snapshot here is a manual one.
  if (input.SnapshotSource === 'system') found = [];
  const { page, marker } = paginate(found, input.Marker, input.MaxRecords ?? 50);
  return { Snapshots: page.map(describeSnapshot), Marker: marker };
});

const deleteSnapshot = op<DeleteSnapshotMessage, DeleteSnapshotResult>((input, { world }) => {
  const name = required(input.SnapshotName, 'SnapshotName');
  const snap = findCacheSnapshot(world, name);
  if (!snap) throw snapshotNotFound(name);
  if (snap.state !== 'available') throw invalidSnapshotState(snap.data.name, snap.state);
  // "ElastiCache immediately begins deleting the snapshot": deleting, then gone.
  world.setState(snap, 'deleting');
  world.schedule(snap, awsDurations.seconds, 'deleted', 'cache-snapshot-gone');
  return { Snapshot: describeSnapshot(snap) };
});

/**
 * CreateReplicationGroup SnapshotName: the snapshot to restore, which must be available; it is `restoring` until
 * the new group is. The error for a name that does not exist is unconfirmed (the API reference lists no snapshot
 * error for CreateReplicationGroup): SnapshotNotFoundFault, as DescribeSnapshots answers.
 */
export function snapshotToRestore(world: World, name: string): Resource<CacheSnapshotData> {
  const snap = findCacheSnapshot(world, name);
  if (!snap) throw snapshotNotFound(name);
  if (snap.state !== 'available') throw invalidSnapshotState(snap.data.name, snap.state);
  return snap;
}

export function restoreFrom(world: World, snap: Resource<CacheSnapshotData>, groupReadyInAwsMs: number): void {
  world.setState(snap, 'restoring');
  world.schedule(snap, groupReadyInAwsMs, 'available');
}

export const snapshotHandlers: Record<string, Handler> = {
  CreateSnapshot: createSnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
};

export function installSnapshots(world: World): void {
  // The snapshot is taken: its group is available again (unless it went on to something else meanwhile).
  world.onTransition(ResourceType.cacheSnapshot, 'cache-snapshot-taken', (w, snap) => {
    const rg = w.get(ResourceType.replicationGroup, (snap.data as CacheSnapshotData).replicationGroupId);
    if (rg?.state === 'snapshotting') w.setState(rg, 'available');
  });
  world.onTransition(ResourceType.cacheSnapshot, 'cache-snapshot-gone', (w, snap) => w.remove(ResourceType.cacheSnapshot, snap.id));
}
