import { CreateDBInstanceCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, type DBInstance } from '@aws-sdk/client-rds';
import { errorMessage, isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { DB_MASTER_USERNAME, DB_NAME, stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { failedState, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/**
 * The PostgreSQL instance: private, encrypted gp3, its master password managed by RDS in Secrets Manager
 * (ManageMasterUserPassword; never MasterUserPassword). The secret's ARN is an output (an ARN is not a secret);
 * the password itself is never read by the provisioner, so it cannot reach the manifest, the events or an error.
 *
 * Waiting polls DescribeDBInstances every Timing.pollMs (the equivalent of a waiter with maxDelay = pollMs) rather
 * than using waitUntilDBInstanceAvailable, whose default maxDelay is 1800 s, and waitUntilDBInstanceDeleted, which
 * one SDK release never finished (aws-sdk-js-v3#6084).
 */
const FAILED = new Set(['failed', 'incompatible-network', 'incompatible-option-group', 'incompatible-parameters', 'incompatible-restore', 'storage-full', 'inaccessible-encryption-credentials', 'restore-error']);

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

export const dbInstanceKind: StackResourceKind = firstOf({
  kind: 'db-instance',

  async create(ctx) {
    const id = stackNames(ctx.config.stack).dbInstance;
    try {
      await ctx.clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          Engine: 'postgres',
          EngineVersion: ctx.config.dbEngineVersion,
          DBInstanceClass: ctx.config.dbInstanceClass,
          AllocatedStorage: ctx.config.dbAllocatedStorage,
          StorageType: 'gp3',
          StorageEncrypted: true,
          DBName: DB_NAME,
          MasterUsername: DB_MASTER_USERNAME,
          ManageMasterUserPassword: true,
          DBSubnetGroupName: needOutput(ctx, 'db-subnet-group', 'name'),
          VpcSecurityGroupIds: [needOutput(ctx, 'sg-rds', 'groupId')],
          PubliclyAccessible: false,
          MultiAZ: false,
          BackupRetentionPeriod: 1,
          CopyTagsToSnapshot: true,
          Tags: keyValueTags(ctx),
        }),
      );
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
      if (db && usable(db)) return { done: true, value: outputsOf(db) };
      if (FAILED.has(state)) throw failedState(`database ${id}`, state);
      if (state === 'deleting') {
        throw failedState(`database ${id}`, 'being deleted', undefined, ['wait for the deletion to finish (three-tier destroy waits for it), then run up again']);
      }
      if (!db) return { done: false, state };
      return { done: false, state: db.MasterUserSecret?.SecretStatus && state === 'available' ? `secret ${db.MasterUserSecret.SecretStatus}` : state };
    });
  },

  async delete(ctx, identity) {
    const id = identity['identifier'] ?? '';
    await retryOn(
      ctx,
      `delete database ${id}`,
      'dbReady',
      async () => {
        try {
          await ctx.clients.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
        } catch (err) {
          if (isAwsError(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return;
          // A second delete answers "already being deleted": that is the deletion in progress.
          if (isAwsError(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState') && /already being deleted/i.test(errorMessage(err))) return;
          throw err;
        }
      },
      // Another state (creating, modifying, backing-up) refuses deletion for now: retry until it settles.
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
