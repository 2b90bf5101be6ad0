import { randomInt } from 'node:crypto';
import type {
  CreateDBInstanceMessage,
  CreateDBInstanceResult,
  DBInstance,
  DBInstanceMessage,
  DeleteDBInstanceMessage,
  DeleteDBInstanceResult,
  DescribeDBInstancesMessage,
  ModifyDBInstanceMessage,
  ModifyDBInstanceResult,
  StartDBInstanceMessage,
  StartDBInstanceResult,
  StopDBInstanceMessage,
  StopDBInstanceResult,
} from '@aws-sdk/client-rds';
import { AwsError } from '../../errors.js';
import { awsManagedKeyArn } from '../../kms.js';
import { createManagedEni, releaseManagedEnis } from '../../enis.js';
import { ResourceType, type VpcData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import { createSecret, scheduleSecretDeletion } from '../secretsmanager.js';
import {
  accountHash,
  invalidCombination,
  invalidValue,
  paginate,
  pickSubnet,
  readSecurityGroups,
  readTags,
  required,
  tagList,
} from './common.js';
import { zoneOffers } from '../../offerings.js';
import { resolvePostgresVersion } from './postgres-versions.js';
import { checkSnapshotIdentifier, SNAPSHOT_CREATE_MS, takeSnapshot } from './snapshots.js';
import { RDS_SERVICE, describeSubnetGroup, findSubnetGroup, subnetGroupNotFound, type DbSubnetGroupData } from './subnet-groups.js';

/**
 * type 'db-instance', id = the identifier (lowercase). World states: creating -> backing-up -> available;
 * stopping -> stopped -> starting -> available; modifying -> available; deleting -> gone.
 */
export interface DbInstanceData {
  identifier: string;
  arn: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  masterUsername: string;
  dbName?: string;
  port: number;
  subnetGroupName: string;
  /** The group as it was at create time, to describe the instance after the group is gone. */
  subnetGroup: DbSubnetGroupData;
  vpcId: string;
  securityGroupIds: string[];
  availabilityZone: string;
  secondaryAvailabilityZone?: string;
  multiAz: boolean;
  publiclyAccessible: boolean;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
  autoMinorVersionUpgrade: boolean;
  endpointAddress: string;
  masterUserSecret?: { arn: string; kmsKeyId: string };
  /** Wall ms of InstanceCreateTime: set when the instance first leaves `creating`. */
  createdTime?: number;
  /** Changes waiting for the maintenance window (ApplyImmediately false): shown, never applied here. */
  pending?: { instanceClass?: string; allocatedStorage?: number };
  /** Changes being applied while `modifying`. */
  applying?: { instanceClass?: string; allocatedStorage?: number };
  /** Wall ms at which RDS starts a stopped instance again on its own (StopDBInstance + 7 days, scaled). */
  automaticRestartTime?: number;
}

const notFound = (id: string): AwsError => new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
/** No zone of the placement offers the class: RDS's answer (wire code InsufficientDBInstanceCapacity). */
export function insufficientCapacity(instanceClass: string, storageType: string): AwsError {
  return new AwsError(
    'InsufficientDBInstanceCapacity',
    `Cannot create a ${instanceClass} database instance because there are no availability zones with sufficient capacity for VPC and storage type : ${storageType} for ${instanceClass}. Please try the request again at a later time.`,
    400,
  );
}
const invalidState = (message: string): AwsError => new AwsError('InvalidDBInstanceState', message, 400);

export const INSTANCE_CLASSES = new Set([
  'db.t3.micro', 'db.t3.small', 'db.t3.medium', 'db.t3.large',
  'db.t4g.micro', 'db.t4g.small', 'db.t4g.medium', 'db.t4g.large',
  'db.m5.large', 'db.m6g.large', 'db.m6i.large', 'db.m7g.large',
  'db.r5.large', 'db.r6g.large', 'db.r6i.large', 'db.r7g.large',
]);
/**
 * Master user names RDS refuses for PostgreSQL ("Can't be a reserved word for the chosen database engine", RDS API
 * reference, CreateDBInstance MasterUsername): RDS's own users, `admin`, and PostgreSQL's reserved key words
 * (PostgreSQL docs, Appendix C "SQL Key Words", the ones marked reserved). `user` and `admin` are confirmed by
 * public threads; `postgres` (the console's default) is accepted.
 */
const RESERVED_MASTER_USERNAMES = new Set([
  'rdsadmin', 'rdsrepladmin', 'admin',
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where',
  'window', 'with',
]);
const STORAGE_TYPES = new Set(['gp2', 'gp3', 'io1', 'io2', 'standard']);
/** The Route 53 zone of RDS endpoints in us-east-1 (other regions have their own; the sandbox uses one). */
const RDS_HOSTED_ZONE = 'Z2R2ITUGPM61AM';
const RECOVERY_DAYS_OF_MANAGED_SECRETS = 7;

export function ownerRef(id: string): string {
  return `${ResourceType.dbInstance}:${id}`;
}

/** 1-63 letters, digits and hyphens; starts with a letter; no trailing hyphen and no two hyphens in a row. */
export function checkIdentifier(id: string, member = 'DBInstanceIdentifier'): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(id) || id.endsWith('-') || id.includes('--')) {
    throw invalidValue(
      `The parameter ${member} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
}

function engineVersion(engine: string, version: string | undefined): string {
  const resolved = resolvePostgresVersion(version);
  if (resolved === undefined) throw invalidCombination(`Cannot find version ${version ?? ''} for ${engine}`);
  return resolved;
}

function checkStorage(storageType: string, size: number | undefined): number {
  const min = storageType === 'standard' ? 5 : storageType === 'io1' || storageType === 'io2' ? 100 : 20;
  if (size === undefined || !Number.isInteger(size) || size < min || size > 65536) {
    throw invalidValue(`Invalid storage size for engine name postgres and storage type ${storageType}: ${size ?? 0}`);
  }
  return size;
}

function checkPassword(password: string): void {
  if (password.length < 8) throw invalidValue('The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.');
  if (password.length > 128) throw invalidValue('The parameter MasterUserPassword is not a valid password because it is longer than 128 characters.');
  if (!/^[\x21-\x7e]+$/.test(password) || /[/@"]/.test(password)) {
    throw invalidValue(`The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '"', ' ' may be used.`);
  }
}

/** A password like the ones RDS generates: printable ASCII without the characters PostgreSQL URLs trip on. */
function generatePassword(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-.:;<=>?[]^_{|}~';
  let s = '';
  for (let i = 0; i < 28; i++) s += alphabet[randomInt(0, alphabet.length)];
  return s;
}

function describe(world: World, db: Resource<DbInstanceData>): DBInstance {
  const d = db.data;
  const group = findSubnetGroup(world, d.subnetGroupName);
  const major = d.engineVersion.split('.')[0] ?? '';
  const out: DBInstance = {
    DBInstanceIdentifier: d.identifier,
    DBInstanceClass: d.instanceClass,
    Engine: d.engine,
    DBInstanceStatus: db.state,
    MasterUsername: d.masterUsername,
    AllocatedStorage: d.allocatedStorage,
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: d.backupRetentionPeriod,
    DBSecurityGroups: [],
    VpcSecurityGroups: d.securityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    DBParameterGroups: [{ DBParameterGroupName: `default.postgres${major}`, ParameterApplyStatus: 'in-sync' }],
    AvailabilityZone: d.availabilityZone,
    DBSubnetGroup: describeSubnetGroup(group ?? ({ data: d.subnetGroup } as Resource<DbSubnetGroupData>)),
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    PendingModifiedValues: {},
    MultiAZ: d.multiAz,
    EngineVersion: d.engineVersion,
    AutoMinorVersionUpgrade: d.autoMinorVersionUpgrade,
    ReadReplicaDBInstanceIdentifiers: [],
    LicenseModel: 'postgresql-license',
    OptionGroupMemberships: [{ OptionGroupName: `default:postgres-${major}`, Status: 'in-sync' }],
    PubliclyAccessible: d.publiclyAccessible,
    StorageType: d.storageType,
    DbInstancePort: 0,
    StorageEncrypted: d.storageEncrypted,
    DbiResourceId: d.resourceId,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CopyTagsToSnapshot: d.copyTagsToSnapshot,
    MonitoringInterval: 0,
    DBInstanceArn: d.arn,
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: false,
    DeletionProtection: d.deletionProtection,
    TagList: tagList(db.tags),
    CustomerOwnedIpEnabled: false,
    NetworkType: 'IPV4',
    BackupTarget: 'region',
  };
  if (d.dbName !== undefined) out.DBName = d.dbName;
  if (d.kmsKeyId !== undefined) out.KmsKeyId = d.kmsKeyId;
  if (d.secondaryAvailabilityZone !== undefined) out.SecondaryAvailabilityZone = d.secondaryAvailabilityZone;
  if (d.storageType === 'gp3') {
    out.Iops = 3000;
    out.StorageThroughput = 125;
  }
  // The endpoint exists once the instance is built (from backing-up on).
  if (db.state !== 'creating') out.Endpoint = { Address: d.endpointAddress, Port: d.port, HostedZoneId: RDS_HOSTED_ZONE };
  if (d.createdTime !== undefined) out.InstanceCreateTime = new Date(d.createdTime);
  if (d.automaticRestartTime !== undefined && (db.state === 'stopping' || db.state === 'stopped')) out.AutomaticRestartTime = new Date(d.automaticRestartTime);
  if (d.masterUserSecret) {
    out.MasterUserSecret = {
      SecretArn: d.masterUserSecret.arn,
      SecretStatus: db.state === 'creating' ? 'creating' : 'active',
      KmsKeyId: d.masterUserSecret.kmsKeyId,
    };
  }
  const pending = d.pending ?? d.applying;
  if (pending?.instanceClass !== undefined) out.PendingModifiedValues = { ...out.PendingModifiedValues, DBInstanceClass: pending.instanceClass };
  if (pending?.allocatedStorage !== undefined) out.PendingModifiedValues = { ...out.PendingModifiedValues, AllocatedStorage: pending.allocatedStorage };
  return out;
}

export function instances(world: World): Resource<DbInstanceData>[] {
  return world.list<DbInstanceData>(ResourceType.dbInstance);
}

/** An instance by identifier (any case) or ARN. */
export function findInstance(world: World, idOrArn: string): Resource<DbInstanceData> | undefined {
  const m = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:(.+)$/.exec(idOrArn);
  const id = (m ? (m[1] as string) : idOrArn).toLowerCase();
  return world.get<DbInstanceData>(ResourceType.dbInstance, id);
}

function existing(world: World, idOrArn: string | undefined): Resource<DbInstanceData> {
  const id = required(idOrArn, 'DBInstanceIdentifier');
  const db = findInstance(world, id);
  if (!db) throw notFound(id);
  return db;
}


export const createDBInstance = op<CreateDBInstanceMessage, CreateDBInstanceResult>((input, { world }) => {
  const raw = required(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
  checkIdentifier(raw);
  const id = raw.toLowerCase();
  const instanceClass = required(input.DBInstanceClass, 'DBInstanceClass');
  const engine = required(input.Engine, 'Engine');
  if (findInstance(world, id)) throw new AwsError('DBInstanceAlreadyExists', 'DB instance already exists', 400);
  if (engine !== 'postgres') throw invalidValue(`Invalid DB engine: ${engine}. The sandbox simulates postgres only.`);
  const version = engineVersion(engine, input.EngineVersion);
  if (!INSTANCE_CLASSES.has(instanceClass)) {
    throw invalidCombination(
      `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, Engine=${engine}, EngineVersion=${version}, LicenseModel=postgresql-license. For supported combinations of instance class and database engine version, see the documentation.`,
    );
  }
  const storageType = input.StorageType ?? (input.Iops !== undefined ? 'io1' : 'gp3');
  if (!STORAGE_TYPES.has(storageType)) throw invalidValue(`Invalid storage type: ${storageType}`);
  const allocatedStorage = checkStorage(storageType, input.AllocatedStorage);

  const masterUsername = required(input.MasterUsername, 'MasterUsername');
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(masterUsername)) {
    throw invalidValue('The parameter MasterUsername is not a valid identifier. It must begin with a letter and contain only ASCII letters, digits, and underscores (at most 63).');
  }
  if (RESERVED_MASTER_USERNAMES.has(masterUsername.toLowerCase())) {
    throw invalidValue(`MasterUsername ${masterUsername} cannot be used as it is a reserved word used by the engine`);
  }
  const managed = input.ManageMasterUserPassword === true;
  if (managed && input.MasterUserPassword !== undefined) {
    throw invalidCombination("You can't specify MasterUserPassword when ManageMasterUserPassword is turned on.");
  }
  if (!managed) checkPassword(required(input.MasterUserPassword, 'MasterUserPassword'));
  if (input.MasterUserSecretKmsKeyId !== undefined && !managed) {
    throw invalidCombination('MasterUserSecretKmsKeyId can only be specified when ManageMasterUserPassword is turned on.');
  }
  if (input.DBName !== undefined && !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(input.DBName)) {
    throw invalidValue('The parameter DBName is not a valid identifier. It must begin with a letter and contain only ASCII letters, digits, and underscores (at most 63).');
  }
  const port = input.Port ?? 5432;
  if (!Number.isInteger(port) || port < 1150 || port > 65535) throw invalidValue(`Invalid port ${port}: the port must be between 1150 and 65535.`);
  const multiAz = input.MultiAZ === true;
  if (multiAz && input.AvailabilityZone !== undefined) {
    throw invalidCombination('Requesting a specific availability zone is not valid for Multi-AZ instances.');
  }
  const backupRetentionPeriod = input.BackupRetentionPeriod ?? 1;
  if (!Number.isInteger(backupRetentionPeriod) || backupRetentionPeriod < 0 || backupRetentionPeriod > 35) {
    throw invalidValue(`Invalid backup retention period ${backupRetentionPeriod}: it must be between 0 and 35 days.`);
  }
  const tags = readTags(input.Tags);

  if (input.DBSubnetGroupName === undefined) {
    throw new AwsError(
      'InvalidVPCNetworkStateFault',
      'Cannot create the DB Instance because db subnet group has not been specified which is required for a private DBInstance creation. (The sandbox has no default VPC.)',
      400,
    );
  }
  const group = findSubnetGroup(world, input.DBSubnetGroupName);
  if (!group) throw subnetGroupNotFound(input.DBSubnetGroupName);
  const vpc = world.get<VpcData>(ResourceType.vpc, group.data.vpcId);
  const securityGroupIds = readSecurityGroups(
    world,
    input.VpcSecurityGroupIds ?? (vpc ? [vpc.data.defaultSecurityGroupId] : []),
    group.data.vpcId,
    {
      missing: (g) => invalidValue(`Invalid security group , groupId= ${g}, groupName=.`),
      otherVpc: () => invalidCombination('The DB instance and EC2 security group are in different VPCs.'),
    },
  );
  // RDS places the instance only in a zone that offers its class (DescribeOrderableDBInstanceOptions lists them).
  const subnets = group.data.subnets;
  const offering = subnets.filter((s) => zoneOffers(world, s.availabilityZone, instanceClass));
  const primary = pickSubnet(input.AvailabilityZone === undefined ? offering : subnets, world.nextCounter('rds-placement'), input.AvailabilityZone);
  if (!primary && input.AvailabilityZone !== undefined) throw invalidValue(`DB subnet group '${group.id}' has no subnet in availability zone ${input.AvailabilityZone}.`);
  const standby = multiAz ? offering.find((s) => s.availabilityZone !== primary?.availabilityZone) : undefined;
  if (!primary || !offering.includes(primary) || (multiAz && !standby)) throw insufficientCapacity(instanceClass, storageType);

  const arn = world.arn('rds', `db:${id}`);
  const data: DbInstanceData = {
    identifier: id,
    arn,
    resourceId: `db-${accountHash(world, `${id}:${world.uuid()}`, 26).toUpperCase()}`,
    engine,
    engineVersion: version,
    instanceClass,
    allocatedStorage,
    storageType,
    masterUsername,
    port,
    subnetGroupName: group.id,
    subnetGroup: { ...group.data, subnets: group.data.subnets.map((s) => ({ ...s })) },
    vpcId: group.data.vpcId,
    securityGroupIds,
    availabilityZone: primary.availabilityZone,
    multiAz,
    publiclyAccessible: input.PubliclyAccessible ?? false,
    storageEncrypted: input.StorageEncrypted ?? false,
    backupRetentionPeriod,
    deletionProtection: input.DeletionProtection ?? false,
    copyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
    autoMinorVersionUpgrade: input.AutoMinorVersionUpgrade ?? true,
    endpointAddress: `${id}.${accountHash(world, 'rds-endpoint', 12)}.${world.config.region}.rds.amazonaws.com`,
  };
  if (input.DBName !== undefined) data.dbName = input.DBName;
  if (standby) data.secondaryAvailabilityZone = standby.availabilityZone;
  // Without a key of the caller's, RDS encrypts with the account's AWS managed key aws/rds and reports its ARN.
  if (data.storageEncrypted) data.kmsKeyId = input.KmsKeyId ?? awsManagedKeyArn(world, 'rds');

  if (managed) {
    // RDS stores the generated master password in Secrets Manager, owned by RDS: rds!db-<uuid>.
    const secretKey = input.MasterUserSecretKmsKeyId ?? awsManagedKeyArn(world, 'secretsmanager');
    const secret = createSecret(world, {
      name: `rds!db-${world.uuid()}`,
      secretString: JSON.stringify({ username: masterUsername, password: generatePassword() }),
      description: `Secret associated with primary RDS DB instance: ${arn}`,
      kmsKeyId: secretKey,
      owningService: 'rds',
      tags: { 'aws:rds:primaryDBInstanceArn': arn, 'aws:secretsmanager:owningService': 'rds' },
      rotationDays: 7,
    });
    data.masterUserSecret = { arn: secret.id, kmsKeyId: secretKey };
  }

  const db = world.create(RDS_SERVICE, ResourceType.dbInstance, id, { state: 'creating', data, tags });
  for (const placement of standby ? [primary, standby] : [primary]) {
    createManagedEni(world, {
      subnetId: placement.subnetId,
      groupIds: securityGroupIds,
      description: 'RDSNetworkInterface',
      requesterId: 'amazon-rds',
      ownerRef: ownerRef(id),
      publicIp: data.publiclyAccessible ? `52.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}` : undefined,
    });
  }
  world.schedule(db, Math.round(awsDurations.rdsCreate * 0.8), 'backing-up');
  world.schedule(db, awsDurations.rdsCreate, 'available');
  return { DBInstance: describe(world, db) };
});

const FILTERS = new Set(['db-instance-id', 'dbi-resource-id', 'engine', 'db-cluster-id', 'domain']);

const describeDBInstances = op<DescribeDBInstancesMessage, DBInstanceMessage>((input, { world }) => {
  let found: Resource<DbInstanceData>[];
  if (input.DBInstanceIdentifier !== undefined) {
    const db = findInstance(world, input.DBInstanceIdentifier);
    if (!db || world.hiddenByConsistency(db)) throw notFound(input.DBInstanceIdentifier);
    found = [db];
  } else {
    found = instances(world).filter((db) => !world.hiddenByConsistency(db));
  }
  for (const f of input.Filters ?? []) {
    const name = required(f.Name, 'Filters.Filter.Name');
    if (!FILTERS.has(name)) throw invalidValue(`Unrecognized filter name: ${name}`);
    const values = f.Values ?? [];
    found = found.filter((db) => {
      if (name === 'db-instance-id') return values.some((v) => v.toLowerCase() === db.id || v === db.data.arn);
      if (name === 'dbi-resource-id') return values.includes(db.data.resourceId);
      if (name === 'engine') return values.includes(db.data.engine);
      return false; // no clusters or domains in the sandbox
    });
  }
  const { page, marker } = paginate(found, input.Marker, input.MaxRecords);
  return { DBInstances: page.map((db) => describe(world, db)), Marker: marker };
});

const deleteDBInstance = op<DeleteDBInstanceMessage, DeleteDBInstanceResult>((input, { world }) => {
  const db = existing(world, input.DBInstanceIdentifier);
  const skip = input.SkipFinalSnapshot === true;
  if (!skip && input.FinalDBSnapshotIdentifier === undefined) {
    throw invalidCombination('FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
  }
  if (skip && input.FinalDBSnapshotIdentifier !== undefined) {
    throw invalidCombination('Cannot specify FinalDBSnapshotIdentifier when SkipFinalSnapshot is specified.');
  }
  if (input.FinalDBSnapshotIdentifier !== undefined) checkSnapshotIdentifier(input.FinalDBSnapshotIdentifier, 'FinalDBSnapshotIdentifier');
  if (db.state === 'deleting') throw invalidState(`Instance ${db.id} is already being deleted.`);
  if (!skip && (db.state === 'creating' || db.state === 'backing-up')) {
    throw invalidState(`Instance ${db.id} is currently ${db.state} - a final snapshot cannot be taken.`);
  }
  if (db.data.deletionProtection) {
    throw invalidCombination('Cannot delete protected DB Instance, please disable deletion protection and try again.');
  }
  // The final snapshot is taken first (a name already used refuses the whole call); the instance stays
  // `deleting` until it is made.
  const snapshot = input.FinalDBSnapshotIdentifier === undefined ? undefined : takeSnapshot(world, db, input.FinalDBSnapshotIdentifier, {});
  world.clearTransitions(db);
  delete db.data.applying;
  world.setState(db, 'deleting');
  world.schedule(db, (snapshot ? SNAPSHOT_CREATE_MS : 0) + awsDurations.rdsDelete, 'deleted', 'db-gone');
  return { DBInstance: describe(world, db) };
});

/**
 * RDS starts an instance that has been stopped for seven days on its own (RDS user guide, "Stopping an Amazon RDS
 * DB instance temporarily"; DescribeDBInstances reports the time as AutomaticRestartTime). Counted here from the
 * StopDBInstance call, in the world's scaled time.
 */
export const AUTOMATIC_RESTART_MS = 7 * 24 * 3_600_000;

const stopDBInstance = op<StopDBInstanceMessage, StopDBInstanceResult>((input, { world }) => {
  const db = existing(world, input.DBInstanceIdentifier);
  if (input.DBSnapshotIdentifier !== undefined) checkSnapshotIdentifier(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  if (db.state !== 'available') throw invalidState(`Instance ${db.id} is not in available state.`);
  // The snapshot asked for is taken immediately before the instance stops (a taken name refuses the whole call).
  if (input.DBSnapshotIdentifier !== undefined) takeSnapshot(world, db, input.DBSnapshotIdentifier, {});
  world.setState(db, 'stopping');
  world.schedule(db, awsDurations.rdsStop, 'stopped');
  db.data.automaticRestartTime = world.now() + world.scaled(AUTOMATIC_RESTART_MS);
  world.scheduleAt(db, db.data.automaticRestartTime, 'starting', 'db-auto-start');
  return { DBInstance: describe(world, db) };
});

const startDBInstance = op<StartDBInstanceMessage, StartDBInstanceResult>((input, { world }) => {
  const db = existing(world, input.DBInstanceIdentifier);
  if (db.state !== 'stopped') throw invalidState(`Instance ${db.id} is not stopped, it cannot be started.`);
  // Started by hand: the automatic restart is no longer due.
  world.clearTransitions(db);
  delete db.data.automaticRestartTime;
  world.setState(db, 'starting');
  world.schedule(db, awsDurations.rdsStart, 'available');
  return { DBInstance: describe(world, db) };
});

/** The few modifications the sandbox models; others are refused rather than silently ignored. */
const modifyDBInstance = op<ModifyDBInstanceMessage, ModifyDBInstanceResult>((input, { world }) => {
  const db = existing(world, input.DBInstanceIdentifier);
  for (const [member, value] of Object.entries({
    NewDBInstanceIdentifier: input.NewDBInstanceIdentifier,
    EngineVersion: input.EngineVersion,
    DBSubnetGroupName: input.DBSubnetGroupName,
    ManageMasterUserPassword: input.ManageMasterUserPassword,
    StorageType: input.StorageType,
    MultiAZ: input.MultiAZ,
  })) {
    if (value !== undefined) throw invalidValue(`The sandbox does not simulate changing ${member}.`);
  }
  if (db.state !== 'available') throw invalidState('Database instance is not in available state.');
  const d = db.data;
  if (input.MasterUserPassword !== undefined) {
    if (d.masterUserSecret) throw invalidCombination("You can't specify MasterUserPassword for an instance that has ManageMasterUserPassword turned on.");
    checkPassword(input.MasterUserPassword);
  }
  if (input.BackupRetentionPeriod !== undefined && (!Number.isInteger(input.BackupRetentionPeriod) || input.BackupRetentionPeriod < 0 || input.BackupRetentionPeriod > 35)) {
    throw invalidValue(`Invalid backup retention period ${input.BackupRetentionPeriod}: it must be between 0 and 35 days.`);
  }
  const change: { instanceClass?: string; allocatedStorage?: number } = {};
  if (input.DBInstanceClass !== undefined && input.DBInstanceClass !== d.instanceClass) {
    if (!INSTANCE_CLASSES.has(input.DBInstanceClass)) {
      throw invalidCombination(`RDS does not support creating a DB instance with the following combination: DBInstanceClass=${input.DBInstanceClass}, Engine=${d.engine}, EngineVersion=${d.engineVersion}, LicenseModel=postgresql-license.`);
    }
    if (!zoneOffers(world, d.availabilityZone, input.DBInstanceClass)) throw insufficientCapacity(input.DBInstanceClass, d.storageType);
    change.instanceClass = input.DBInstanceClass;
  }
  if (input.AllocatedStorage !== undefined && input.AllocatedStorage !== d.allocatedStorage) {
    checkStorage(d.storageType, input.AllocatedStorage);
    if (input.AllocatedStorage < d.allocatedStorage) throw invalidValue('Invalid storage size: allocated storage cannot be decreased.');
    change.allocatedStorage = input.AllocatedStorage;
  }
  if (input.VpcSecurityGroupIds !== undefined) {
    d.securityGroupIds = readSecurityGroups(world, input.VpcSecurityGroupIds, d.vpcId, {
      missing: (g) => invalidValue(`Invalid security group , groupId= ${g}, groupName=.`),
      otherVpc: () => invalidCombination('The DB instance and EC2 security group are in different VPCs.'),
    });
  }
  if (input.DeletionProtection !== undefined) d.deletionProtection = input.DeletionProtection;
  if (input.BackupRetentionPeriod !== undefined) d.backupRetentionPeriod = input.BackupRetentionPeriod;
  if (input.PubliclyAccessible !== undefined) d.publiclyAccessible = input.PubliclyAccessible;
  if (input.CopyTagsToSnapshot !== undefined) d.copyTagsToSnapshot = input.CopyTagsToSnapshot;
  if (input.AutoMinorVersionUpgrade !== undefined) d.autoMinorVersionUpgrade = input.AutoMinorVersionUpgrade;
  if (Object.keys(change).length > 0) {
    if (input.ApplyImmediately === true) {
      d.applying = change;
      delete d.pending;
      world.setState(db, 'modifying');
      world.schedule(db, awsDurations.rdsModify, 'available', 'db-modified');
    } else {
      d.pending = { ...d.pending, ...change };
    }
  }
  return { DBInstance: describe(world, db) };
});

export const instanceHandlers: Record<string, Handler> = {
  CreateDBInstance: createDBInstance,
  DescribeDBInstances: describeDBInstances,
  DeleteDBInstance: deleteDBInstance,
  StopDBInstance: stopDBInstance,
  StartDBInstance: startDBInstance,
  ModifyDBInstance: modifyDBInstance,
};

/** Ids of instances (deleting ones included) that use a DB subnet group. */
export function instancesUsing(world: World, groupName: string): string[] {
  return instances(world)
    .filter((db) => db.data.subnetGroupName === groupName)
    .map((db) => db.id);
}

export function installInstances(world: World): void {
  const created = (w: World, db: Resource): void => {
    const d = db.data as DbInstanceData;
    d.createdTime ??= w.now();
  };
  world.onTransition(ResourceType.dbInstance, 'backing-up', created);
  world.onTransition(ResourceType.dbInstance, 'available', created);
  world.onTransition(ResourceType.dbInstance, 'db-modified', (_w, db) => {
    const d = db.data as DbInstanceData;
    if (d.applying?.instanceClass !== undefined) d.instanceClass = d.applying.instanceClass;
    if (d.applying?.allocatedStorage !== undefined) d.allocatedStorage = d.applying.allocatedStorage;
    delete d.applying;
  });
  // Seven days after the stop, RDS starts the instance itself.
  world.onTransition(ResourceType.dbInstance, 'db-auto-start', (w, db) => {
    delete (db.data as DbInstanceData).automaticRestartTime;
    w.schedule(db, awsDurations.rdsStart, 'available');
  });
  // The instance is gone: its interfaces are released (and linger) and RDS deletes its managed secret.
  world.onTransition(ResourceType.dbInstance, 'db-gone', (w, db) => {
    const d = db.data as DbInstanceData;
    w.remove(ResourceType.dbInstance, db.id);
    releaseManagedEnis(w, ownerRef(db.id), 'linger');
    if (d.masterUserSecret) scheduleSecretDeletion(w, d.masterUserSecret.arn, RECOVERY_DAYS_OF_MANAGED_SECRETS);
  });
}
