import type {
  CreateDBSnapshotMessage,
  CreateDBSnapshotResult,
  DBSnapshot,
  DBSnapshotMessage,
  DeleteDBSnapshotMessage,
  DeleteDBSnapshotResult,
  DescribeDBSnapshotsMessage,
  RestoreDBInstanceFromDBSnapshotMessage,
  RestoreDBInstanceFromDBSnapshotResult,
} from '@aws-sdk/client-rds';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { invalidValue, paginate, readTags, required, tagList } from './common.js';
import { RDS_SERVICE } from './subnet-groups.js';
import { createDBInstance, findInstance, type DbInstanceData } from './instances.js';

/**
 * type 'db-snapshot', id = the snapshot identifier (lowercase). States: creating -> available; deleted at once by
 * DeleteDBSnapshot. A final snapshot is taken by DeleteDBInstance (FinalDBSnapshotIdentifier): the instance stays
 * `deleting` until it is made, and the snapshot outlives the instance (manual snapshots are never deleted with it).
 * With CopyTagsToSnapshot the instance's tags are copied onto it. RestoreDBInstanceFromDBSnapshot makes a new
 * instance with the snapshot's engine, version, master user, database name, storage and encryption.
 * Sources: RDS API reference (DeleteDBInstance, CreateDBSnapshot, DescribeDBSnapshots, DeleteDBSnapshot,
 * RestoreDBInstanceFromDBSnapshot); docs/aws-facts.md "RDS snapshots".
 */
export interface DbSnapshotData {
  identifier: string;
  arn: string;
  instanceIdentifier: string;
  dbiResourceId: string;
  snapshotType: 'manual';
  engine: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  port: number;
  availabilityZone: string;
  vpcId: string;
  masterUsername: string;
  dbName?: string;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  instanceCreateTime?: number;
  /** Wall ms the snapshot started. */
  startedAt: number;
}

/** Unconfirmed: a small, nearly empty database snapshots in about a minute; larger ones take longer. */
export const SNAPSHOT_CREATE_MS = 60_000;

export const snapshotNotFound = (id: string): AwsError => new AwsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`, 404);
const alreadyExists = (): AwsError => new AwsError('DBSnapshotAlreadyExists', 'Cannot create the snapshot because a snapshot with the identifier specified already exists.', 400);

/** 1-255 letters, digits and hyphens; starts with a letter; no trailing hyphen, no two hyphens in a row. */
export function checkSnapshotIdentifier(id: string, member: string): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(id) || id.endsWith('-') || id.includes('--')) {
    throw invalidValue(
      `The parameter ${member} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
}

export function findSnapshot(world: World, idOrArn: string): Resource<DbSnapshotData> | undefined {
  const m = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:snapshot:(.+)$/.exec(idOrArn);
  return world.get<DbSnapshotData>(ResourceType.dbSnapshot, (m ? (m[1] as string) : idOrArn).toLowerCase());
}

/** Take a manual snapshot of an instance; the caller decides when the instance may go. Returns the snapshot. */
export function takeSnapshot(world: World, db: Resource<DbInstanceData>, rawId: string, extraTags: Record<string, string>): Resource<DbSnapshotData> {
  const id = rawId.toLowerCase();
  if (findSnapshot(world, id)) throw alreadyExists();
  const d = db.data;
  const data: DbSnapshotData = {
    identifier: id,
    arn: world.arn('rds', `snapshot:${id}`),
    instanceIdentifier: d.identifier,
    dbiResourceId: d.resourceId,
    snapshotType: 'manual',
    engine: d.engine,
    engineVersion: d.engineVersion,
    instanceClass: d.instanceClass,
    allocatedStorage: d.allocatedStorage,
    storageType: d.storageType,
    port: d.port,
    availabilityZone: d.availabilityZone,
    vpcId: d.vpcId,
    masterUsername: d.masterUsername,
    storageEncrypted: d.storageEncrypted,
    startedAt: world.now(),
  };
  if (d.dbName !== undefined) data.dbName = d.dbName;
  if (d.kmsKeyId !== undefined) data.kmsKeyId = d.kmsKeyId;
  if (d.createdTime !== undefined) data.instanceCreateTime = d.createdTime;
  const tags = { ...(d.copyTagsToSnapshot ? db.tags : {}), ...extraTags };
  const snap = world.create(RDS_SERVICE, ResourceType.dbSnapshot, id, { state: 'creating', data, tags });
  world.schedule(snap, SNAPSHOT_CREATE_MS, 'available');
  return snap;
}

function describeSnapshot(s: Resource<DbSnapshotData>): DBSnapshot {
  const d = s.data;
  const out: DBSnapshot = {
    DBSnapshotIdentifier: d.identifier,
    DBInstanceIdentifier: d.instanceIdentifier,
    SnapshotCreateTime: new Date(d.startedAt),
    Engine: d.engine,
    AllocatedStorage: d.allocatedStorage,
    Status: s.state,
    Port: d.port,
    AvailabilityZone: d.availabilityZone,
    VpcId: d.vpcId,
    MasterUsername: d.masterUsername,
    EngineVersion: d.engineVersion,
    LicenseModel: 'postgresql-license',
    SnapshotType: d.snapshotType,
    OptionGroupName: `default:postgres-${d.engineVersion.split('.')[0] ?? ''}`,
    PercentProgress: s.state === 'available' ? 100 : 0,
    StorageType: d.storageType,
    Encrypted: d.storageEncrypted,
    DBSnapshotArn: d.arn,
    IAMDatabaseAuthenticationEnabled: false,
    ProcessorFeatures: [],
    DbiResourceId: d.dbiResourceId,
    TagList: tagList(s.tags),
    OriginalSnapshotCreateTime: new Date(d.startedAt),
    SnapshotTarget: 'region',
  };
  if (d.kmsKeyId !== undefined) out.KmsKeyId = d.kmsKeyId;
  if (d.instanceCreateTime !== undefined) out.InstanceCreateTime = new Date(d.instanceCreateTime);
  if (d.storageType === 'gp3') {
    out.Iops = 3000;
    out.StorageThroughput = 125;
  }
  return out;
}

const FILTERS = new Set(['db-instance-id', 'db-snapshot-id', 'dbi-resource-id', 'snapshot-type', 'engine']);

const describeDBSnapshots = op<DescribeDBSnapshotsMessage, DBSnapshotMessage>((input, { world }) => {
  let found = world.list<DbSnapshotData>(ResourceType.dbSnapshot);
  if (input.DBSnapshotIdentifier !== undefined) {
    const s = findSnapshot(world, input.DBSnapshotIdentifier);
    if (!s) throw snapshotNotFound(input.DBSnapshotIdentifier);
    found = [s];
  }
  if (input.DBInstanceIdentifier !== undefined) {
    const wanted = input.DBInstanceIdentifier.toLowerCase();
    found = found.filter((s) => s.data.instanceIdentifier === wanted || s.data.arn === input.DBInstanceIdentifier);
  }
  if (input.SnapshotType !== undefined) {
    if (!['automated', 'manual', 'shared', 'public', 'awsbackup'].includes(input.SnapshotType)) {
      throw invalidValue(`Invalid snapshot type: ${input.SnapshotType}`);
    }
    found = found.filter((s) => s.data.snapshotType === input.SnapshotType);
  }
  if (input.DbiResourceId !== undefined) found = found.filter((s) => s.data.dbiResourceId === input.DbiResourceId);
  for (const f of input.Filters ?? []) {
    const name = required(f.Name, 'Filters.Filter.Name');
    if (!FILTERS.has(name)) throw invalidValue(`Unrecognized filter name: ${name}`);
    const values = f.Values ?? [];
    found = found.filter((s) => {
      if (name === 'db-instance-id') return values.some((v) => v.toLowerCase() === s.data.instanceIdentifier);
      if (name === 'db-snapshot-id') return values.some((v) => v.toLowerCase() === s.id || v === s.data.arn);
      if (name === 'dbi-resource-id') return values.includes(s.data.dbiResourceId);
      if (name === 'snapshot-type') return values.includes(s.data.snapshotType);
      return values.includes(s.data.engine);
    });
  }
  const { page, marker } = paginate(found, input.Marker, input.MaxRecords);
  return { DBSnapshots: page.map(describeSnapshot), Marker: marker };
});

const createDBSnapshot = op<CreateDBSnapshotMessage, CreateDBSnapshotResult>((input, { world }) => {
  const id = required(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  checkSnapshotIdentifier(id, 'DBSnapshotIdentifier');
  const instanceId = required(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
  const db = findInstance(world, instanceId);
  if (!db) throw new AwsError('DBInstanceNotFound', `DBInstance ${instanceId} not found.`, 404);
  if (db.state !== 'available') {
    throw new AwsError('InvalidDBInstanceState', `Cannot create a snapshot because the database instance ${db.id} is not currently in the available state.`, 400);
  }
  const snap = takeSnapshot(world, db, id, readTags(input.Tags));
  return { DBSnapshot: describeSnapshot(snap) };
});

const deleteDBSnapshot = op<DeleteDBSnapshotMessage, DeleteDBSnapshotResult>((input, { world }) => {
  const id = required(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  const snap = findSnapshot(world, id);
  if (!snap) throw snapshotNotFound(id);
  if (snap.state !== 'available') {
    throw new AwsError('InvalidDBSnapshotState', `Cannot delete the snapshot because it is not in the available state (${snap.state}).`, 400);
  }
  world.remove(ResourceType.dbSnapshot, snap.id);
  return { DBSnapshot: { ...describeSnapshot(snap), Status: 'deleted' } };
});

/**
 * A new instance from a snapshot: what the snapshot fixes (engine, version, master user, database name,
 * encryption, storage) comes from it; placement, class, groups, tags and the password management from the call.
 * Without ManageMasterUserPassword the instance keeps the snapshot's password (which the sandbox does not model).
 */
const restoreDBInstanceFromDBSnapshot = op<RestoreDBInstanceFromDBSnapshotMessage, RestoreDBInstanceFromDBSnapshotResult>((input, ctx) => {
  const snapshotId = required(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  const snap = findSnapshot(ctx.world, snapshotId);
  if (!snap) throw snapshotNotFound(snapshotId);
  if (snap.state !== 'available') throw new AwsError('InvalidDBSnapshotState', `Snapshot ${snap.id} is not available.`, 400);
  const s = snap.data;
  if (input.AllocatedStorage !== undefined && input.AllocatedStorage < s.allocatedStorage) {
    throw invalidValue(`Invalid storage size: the restored instance needs at least the snapshot's ${s.allocatedStorage} GiB.`);
  }
  const managed = input.ManageMasterUserPassword === true;
  const created = (createDBInstance as (input: unknown, ctx: unknown) => RestoreDBInstanceFromDBSnapshotResult)(
    {
      DBInstanceIdentifier: input.DBInstanceIdentifier,
      DBInstanceClass: input.DBInstanceClass ?? s.instanceClass,
      Engine: s.engine,
      EngineVersion: s.engineVersion,
      AllocatedStorage: input.AllocatedStorage ?? s.allocatedStorage,
      StorageType: input.StorageType ?? s.storageType,
      MasterUsername: s.masterUsername,
      ...(managed ? { ManageMasterUserPassword: true } : { MasterUserPassword: 'kept-from-the-snapshot' }),
      ...(input.MasterUserSecretKmsKeyId === undefined ? {} : { MasterUserSecretKmsKeyId: input.MasterUserSecretKmsKeyId }),
      ...(s.dbName === undefined ? {} : { DBName: s.dbName }),
      StorageEncrypted: s.storageEncrypted,
      ...(s.kmsKeyId === undefined ? {} : { KmsKeyId: s.kmsKeyId }),
      DBSubnetGroupName: input.DBSubnetGroupName,
      VpcSecurityGroupIds: input.VpcSecurityGroupIds,
      PubliclyAccessible: input.PubliclyAccessible,
      MultiAZ: input.MultiAZ,
      AvailabilityZone: input.AvailabilityZone,
      Port: input.Port ?? s.port,
      Tags: input.Tags,
      CopyTagsToSnapshot: input.CopyTagsToSnapshot,
      DeletionProtection: input.DeletionProtection,
      BackupRetentionPeriod: input.BackupRetentionPeriod,
      AutoMinorVersionUpgrade: input.AutoMinorVersionUpgrade,
    },
    ctx,
  );
  return created;
});

export const snapshotHandlers: Record<string, Handler> = {
  DescribeDBSnapshots: describeDBSnapshots,
  CreateDBSnapshot: createDBSnapshot,
  DeleteDBSnapshot: deleteDBSnapshot,
  RestoreDBInstanceFromDBSnapshot: restoreDBInstanceFromDBSnapshot,
};
