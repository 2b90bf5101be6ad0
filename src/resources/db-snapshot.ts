import {
  AddTagsToResourceCommand,
  DescribeDBSnapshotsCommand,
  RemoveTagsFromResourceCommand,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import type { AwsClients } from '../aws/clients.js';
import { isAwsError } from '../aws/errors.js';
import type { StackConfig } from '../config.js';
import { RESOURCE_TAG, STACK_TAG } from '../engine/kind.js';
import { usageError } from '../errors.js';
import { stackNames } from '../names.js';

/**
 * The database's final snapshot: `destroy` takes one by default (DeleteDBInstance FinalDBSnapshotIdentifier), so
 * a destroyed stack's data can come back with `up --from-snapshot`. The instance copies its tags onto the snapshot
 * (CopyTagsToSnapshot); once the instance is gone, the snapshot's stack tags are swapped for FINAL_SNAPSHOT_TAG:
 * it is kept on purpose, no longer part of the stack (a sweep by the stack tag must not see it), and still ours.
 */
export const FINAL_SNAPSHOT_TAG = 'three-tier:final-snapshot-of';

/** `<stack>-db-final-YYYYMMDD-HHMMSS`: unique per destroy, within RDS's identifier rules. */
export function finalSnapshotName(stack: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stackNames(stack).dbInstance}-final-${stamp}`;
}

export interface KeptSnapshot {
  id: string;
  arn: string;
  status: string;
  allocatedGb: number;
  createdAt?: string;
  engineVersion?: string;
}

function kept(s: DBSnapshot): KeptSnapshot {
  const k: KeptSnapshot = { id: s.DBSnapshotIdentifier ?? '', arn: s.DBSnapshotArn ?? '', status: s.Status ?? 'unknown', allocatedGb: s.AllocatedStorage ?? 0 };
  if (s.SnapshotCreateTime) k.createdAt = s.SnapshotCreateTime.toISOString();
  if (s.EngineVersion) k.engineVersion = s.EngineVersion;
  return k;
}

const tagOf = (s: DBSnapshot, key: string): string | undefined => s.TagList?.find((t) => t.Key === key)?.Value;

/** The manual snapshots of the stack's database that are the stack's: its stack tag, or the final-snapshot tag. */
async function ownSnapshots(clients: AwsClients, stack: string): Promise<DBSnapshot[]> {
  const out = await clients.rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: stackNames(stack).dbInstance, SnapshotType: 'manual' }));
  return (out.DBSnapshots ?? []).filter((s) => tagOf(s, STACK_TAG) === stack || tagOf(s, FINAL_SNAPSHOT_TAG) === stack);
}

/** The stack's kept snapshots (nothing changed). */
export async function listKeptSnapshots(clients: AwsClients, stack: string): Promise<KeptSnapshot[]> {
  return (await ownSnapshots(clients, stack)).map(kept);
}

/**
 * After the database is gone: its snapshots that still carry the stack tag become kept final snapshots (the
 * final-snapshot tag instead of the stack's tags). Snapshots of a same-named instance that are not the stack's are
 * left alone and not reported.
 */
export async function settleFinalSnapshots(clients: AwsClients, stack: string): Promise<KeptSnapshot[]> {
  const own = await ownSnapshots(clients, stack);
  for (const s of own) {
    if (tagOf(s, STACK_TAG) !== stack || !s.DBSnapshotArn) continue;
    await clients.rds.send(new AddTagsToResourceCommand({ ResourceName: s.DBSnapshotArn, Tags: [{ Key: FINAL_SNAPSHOT_TAG, Value: stack }] }));
    await clients.rds.send(new RemoveTagsFromResourceCommand({ ResourceName: s.DBSnapshotArn, TagKeys: [STACK_TAG, RESOURCE_TAG] }));
  }
  return own.map(kept);
}

/**
 * Before `up --from-snapshot` creates anything: the snapshot exists, is available, holds PostgreSQL, and is
 * encrypted (a restore keeps the snapshot's encryption, and the stack's database is always encrypted). Returns the
 * config with the snapshot's engine version and (at least) its storage.
 */
export async function checkRestoreSnapshot(clients: AwsClients, config: StackConfig, id: string): Promise<StackConfig> {
  let snap: DBSnapshot | undefined;
  try {
    snap = (await clients.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots?.[0];
  } catch (err) {
    if (!isAwsError(err, 'DBSnapshotNotFoundFault', 'DBSnapshotNotFound')) throw err;
  }
  if (!snap) {
    const known = await listKeptSnapshots(clients, config.stack);
    throw usageError('SNAPSHOT_NOT_FOUND', `--from-snapshot ${id}: there is no DB snapshot of that name in ${config.region}.`, [
      known.length ? `the kept snapshots of stack ${config.stack}: ${known.map((k) => k.id).join(', ')}` : `stack ${config.stack} has no kept snapshot; aws rds describe-db-snapshots --snapshot-type manual lists them all`,
    ]);
  }
  if (snap.Status !== 'available') {
    throw usageError('SNAPSHOT_NOT_READY', `--from-snapshot ${id} is ${snap.Status ?? 'not available'}; a database can be restored only from an available snapshot.`, [
      'wait until it is available (aws rds wait db-snapshot-available), then run up again',
    ]);
  }
  if (snap.Engine !== 'postgres') throw usageError('SNAPSHOT_ENGINE', `--from-snapshot ${id} holds ${snap.Engine ?? 'another engine'}, not PostgreSQL.`);
  if (snap.Encrypted !== true) {
    throw usageError('SNAPSHOT_NOT_ENCRYPTED', `--from-snapshot ${id} is not encrypted, and the stack's database always is.`, [
      `make an encrypted copy first: aws rds copy-db-snapshot --source-db-snapshot-identifier ${id} --target-db-snapshot-identifier ${id}-encrypted --kms-key-id alias/aws/rds`,
    ]);
  }
  const major = (snap.EngineVersion ?? config.dbEngineVersion).split('.')[0] ?? config.dbEngineVersion;
  return { ...config, dbEngineVersion: major, dbAllocatedStorage: Math.max(config.dbAllocatedStorage, snap.AllocatedStorage ?? 0) };
}

