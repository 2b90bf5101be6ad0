import {
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { errorMessage, isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { DB_MASTER_USERNAME, DB_NAME, stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { failedState, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';
import { finalSnapshotName } from './db-snapshot.js';
import type { PauseOp, PauseState } from './pause-op.js';

/**
 * The PostgreSQL instance: private, encrypted gp3, its master password managed by RDS in Secrets Manager
 * (ManageMasterUserPassword; never MasterUserPassword). The secret's ARN is an output (an ARN is not a secret);
 * the password itself is never read by the provisioner, so it cannot reach the manifest, the events or an error.
 *
 * Waiting polls DescribeDBInstances every Timing.pollMs (the equivalent of a waiter with maxDelay = pollMs) rather
 * than using waitUntilDBInstanceAvailable, whose default maxDelay is 1800 s, and waitUntilDBInstanceDeleted, which
 * one SDK release never finished (aws-sdk-js-v3#6084).
 */
export const FAILED = new Set(['failed', 'incompatible-network', 'incompatible-option-group', 'incompatible-parameters', 'incompatible-restore', 'storage-full', 'inaccessible-encryption-credentials', 'restore-error']);

async function byId(ctx: NodeContext, id: string): Promise<DBInstance | undefined> {
  return orGone(async () => (await ctx.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]);
}

function outputsOf(db: DBInstance): Outputs {
  return {
    identifier: db.DBInstanceIdentifier ?? '',
    arn: db.DBInstanceArn ?? '',
    address: db.Endpoint?.Address ?? '',
    port: String(db.Endpoint?.Port ?? 5432),
    dbName: db.DBName ?? DB_NAME,
    username: db.MasterUsername ?? DB_MASTER_USERNAME,
    secretArn: db.MasterUserSecret?.SecretArn ?? '',
  };
}

function usable(db: DBInstance): boolean {
  return db.DBInstanceStatus === 'available' && !!db.Endpoint?.Address && !!db.MasterUserSecret?.SecretArn;
}

const notNow = (err: unknown): boolean => isAwsError(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState');

/**
 * A stopped instance (paused, or stopped by hand) is started: `up` and `resume` want it available. A start refused
 * for its state (it is starting already) is waited out.
 */
async function startIfStopped(ctx: NodeContext, db: DBInstance): Promise<void> {
  if (db.DBInstanceStatus !== 'stopped') return;
  ctx.progress('waiting', `starting the stopped database ${db.DBInstanceIdentifier ?? ''} (it keeps its data and its endpoint)`);
  try {
    await ctx.clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: db.DBInstanceIdentifier ?? '' }));
  } catch (err) {
    if (!notNow(err)) throw err;
  }
}

/** The class the config asks for is the live one (a class change is applied immediately, then `modifying`). */
function sized(db: DBInstance, wanted: string): boolean {
  return db.DBInstanceClass === wanted && db.PendingModifiedValues?.DBInstanceClass === undefined;
}

/**
 * The final snapshot's name, recorded (as the delete's idempotency token) before the call, so a rerun reuses it;
 * none for an instance that holds no data yet (still being created: RDS could not take one) or is in a failed
 * state (RDS deletes those only without one).
 */
function finalSnapshotFor(ctx: NodeContext, db: DBInstance): string | undefined {
  const status = db.DBInstanceStatus ?? '';
  if (status === 'creating' || FAILED.has(status)) {
    ctx.progress('waiting', `the database is ${status}: it holds no data to keep, so it is deleted without a final snapshot`);
    return undefined;
  }
  const name = ctx.recorded()?.token ?? finalSnapshotName(ctx.config.stack);
  ctx.record({ token: name });
  ctx.progress('waiting', `taking the final snapshot ${name}, then deleting the database`);
  return name;
}

export const dbInstanceKind: StackResourceKind = firstOf({
  kind: 'db-instance',

  async create(ctx) {
    const id = stackNames(ctx.config.stack).dbInstance;
    const placement = {
      DBInstanceIdentifier: id,
      DBInstanceClass: ctx.config.dbInstanceClass,
      StorageType: 'gp3',
      ManageMasterUserPassword: true,
      DBSubnetGroupName: needOutput(ctx, 'db-subnet-group', 'name'),
      VpcSecurityGroupIds: [needOutput(ctx, 'sg-rds', 'groupId')],
      PubliclyAccessible: false,
      MultiAZ: false,
      BackupRetentionPeriod: 1,
      CopyTagsToSnapshot: true,
      Tags: keyValueTags(ctx),
    };
    try {
      if (ctx.config.dbSnapshot !== undefined) {
        // The snapshot fixes the engine, its version, the master user, the database and the encryption (checked
        // before the plan: encrypted PostgreSQL); the data comes back as it was when the snapshot was taken.
        await ctx.clients.rds.send(
          new RestoreDBInstanceFromDBSnapshotCommand({ ...placement, DBSnapshotIdentifier: ctx.config.dbSnapshot, AllocatedStorage: ctx.config.dbAllocatedStorage }),
        );
      } else {
        await ctx.clients.rds.send(
          new CreateDBInstanceCommand({
            ...placement,
            Engine: 'postgres',
            EngineVersion: ctx.config.dbEngineVersion,
            AllocatedStorage: ctx.config.dbAllocatedStorage,
            StorageEncrypted: true,
            DBName: DB_NAME,
            MasterUsername: DB_MASTER_USERNAME,
          }),
        );
      }
    } catch (err) {
      // No ClientToken in RDS: an earlier run whose answer was lost made it; the identifier is ours.
      if (!isAwsError(err, 'DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists')) throw err;
    }
    const identity: Identity = { identifier: id };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'db-instance', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const db = await byId(ctx, identity['identifier'] ?? '');
    if (!db) return undefined;
    if (usable(db) && !sized(db, ctx.config.dbInstanceClass)) return { state: `${db.DBInstanceClass ?? '?'} (wanted ${ctx.config.dbInstanceClass})`, ready: false, outputs: outputsOf(db) };
    return { state: db.DBInstanceStatus ?? 'unknown', ready: usable(db), outputs: outputsOf(db) };
  },

  async findAll(ctx) {
    const db = await byId(ctx, stackNames(ctx.config.stack).dbInstance);
    return db ? [{ identifier: db.DBInstanceIdentifier ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const id = identity['identifier'] ?? '';
    return waitFor(ctx, `database ${id} to be available`, 'dbReady', async () => {
      const db = await byId(ctx, id);
      const state = db?.DBInstanceStatus ?? 'not visible yet';
      if (db && usable(db) && sized(db, ctx.config.dbInstanceClass)) return { done: true, value: outputsOf(db) };
      if (FAILED.has(state)) throw failedState(`database ${id}`, state);
      if (state === 'deleting') {
        throw failedState(`database ${id}`, 'being deleted', undefined, ['wait for the deletion to finish (three-tier destroy waits for it), then run up again']);
      }
      if (!db) return { done: false, state };
      await startIfStopped(ctx, db);
      return { done: false, state: db.MasterUserSecret?.SecretStatus && state === 'available' ? `secret ${db.MasterUserSecret.SecretStatus}` : state };
    });
  },

  /** A new instance class, applied now (RDS moves the instance to `modifying`, then back to `available`). */
  async update(ctx, identity) {
    const id = identity['identifier'] ?? '';
    const db = await byId(ctx, id);
    if (!db || sized(db, ctx.config.dbInstanceClass) || db.PendingModifiedValues?.DBInstanceClass === ctx.config.dbInstanceClass) return;
    ctx.progress('waiting', `changing database ${id} from ${db.DBInstanceClass ?? '?'} to ${ctx.config.dbInstanceClass}`);
    await retryOn(
      ctx,
      `change the class of database ${id}`,
      'dbReady',
      () => ctx.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DBInstanceClass: ctx.config.dbInstanceClass, ApplyImmediately: true })),
      // Another change (a backup, a modification) holds the instance for now.
      { retryable: notNow },
    );
  },

  async delete(ctx, identity) {
    const id = identity['identifier'] ?? '';
    await retryOn(
      ctx,
      `delete database ${id}`,
      'dbReady',
      async () => {
        const db = await byId(ctx, id);
        if (!db || db.DBInstanceStatus === 'deleting') return;
        const snapshot = ctx.finalSnapshot ? finalSnapshotFor(ctx, db) : undefined;
        try {
          await ctx.clients.rds.send(
            new DeleteDBInstanceCommand({
              DBInstanceIdentifier: id,
              DeleteAutomatedBackups: true,
              ...(snapshot === undefined ? { SkipFinalSnapshot: true } : { FinalDBSnapshotIdentifier: snapshot }),
            }),
          );
        } catch (err) {
          if (isAwsError(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return;
          // A second delete answers "already being deleted": that is the deletion in progress.
          if (isAwsError(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState') && /already being deleted/i.test(errorMessage(err))) return;
          throw err;
        }
      },
      // Another state (modifying, backing-up, or creating when a final snapshot is wanted) refuses deletion for now:
      // retry until it settles.
      { retryable: (err) => isAwsError(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState') },
    );
  },

  async waitGone(ctx, identity) {
    const id = identity['identifier'] ?? '';
    await waitFor(ctx, `database ${id} to be deleted`, 'dbGone', async () => {
      const db = await byId(ctx, id);
      return db === undefined ? { done: true, value: undefined } : { done: false, state: db.DBInstanceStatus ?? 'exists' };
    });
  },
});

function pauseStateOf(db: DBInstance): PauseState {
  const s: PauseState = { paused: db.DBInstanceStatus === 'stopped', state: db.DBInstanceStatus ?? 'unknown' };
  if (db.AutomaticRestartTime) s.restartsAt = db.AutomaticRestartTime.toISOString();
  return s;
}

/**
 * Pause stops the instance (no instance hours; storage, backups and its secret stay billed) and waits until it is
 * stopped. Only an available instance stops: one that is starting, modifying or backing up is waited for first.
 * AWS starts it again on its own seven days later (AutomaticRestartTime).
 */
export const databaseStop: PauseOp = {
  verb: 'stop',

  async read(ctx, identity) {
    const db = await byId(ctx, identity['identifier'] ?? '');
    return db ? pauseStateOf(db) : undefined;
  },

  async pause(ctx, identity) {
    const id = identity['identifier'] ?? '';
    return waitFor(ctx, `database ${id} to stop`, 'dbReady', async () => {
      const db = await byId(ctx, id);
      const state = db?.DBInstanceStatus ?? 'gone';
      if (db && state === 'stopped') return { done: true, value: pauseStateOf(db) };
      if (!db || state === 'deleting' || FAILED.has(state)) throw failedState(`database ${id}`, state, undefined, ['look at the database in the RDS console; three-tier destroy deletes it']);
      if (state === 'available') {
        try {
          await ctx.clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
        } catch (err) {
          if (!notNow(err)) throw err;
        }
      }
      return { done: false, state };
    });
  },
};
