import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  CreateDBSubnetGroupCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  waitUntilDBInstanceAvailable,
  waitUntilDBInstanceDeleted,
  waitUntilDBSnapshotAvailable,
} from '@aws-sdk/client-rds';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

/** RDS snapshots through the real SDK over HTTP: the final snapshot of DeleteDBInstance, and restoring from one. */
describe('sandbox RDS: snapshots', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  let groupId = '';
  const waiter = () => ({ client: rds, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.05 });

  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
    const ec2 = new EC2Client(clientConfig(sb));
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
    const subnets: string[] = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.9.${i}.0/24`, AvailabilityZone: az }))).Subnet?.SubnetId ?? '');
    }
    groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db', VpcId: vpc }))).GroupId ?? '';
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'snaps', DBSubnetGroupDescription: 'db', SubnetIds: subnets }));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'source-db',
        Engine: 'postgres',
        EngineVersion: '16',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 30,
        StorageType: 'gp3',
        MasterUsername: 'app_admin',
        ManageMasterUserPassword: true,
        DBName: 'app',
        DBSubnetGroupName: 'snaps',
        VpcSecurityGroupIds: [groupId],
        StorageEncrypted: true,
        CopyTagsToSnapshot: true,
        Tags: [{ Key: 'three-tier:stack', Value: 'snaps' }],
      }),
    );
    await waitUntilDBInstanceAvailable(waiter(), { DBInstanceIdentifier: 'source-db' });
  });
  after(async () => {
    await sb.close();
  });

  it('refuses a delete without a final snapshot choice, as RDS does', async () => {
    await rejectsWith(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'source-db' })), 'InvalidParameterCombination', /FinalDBSnapshotIdentifier is required/);
  });

  it('takes a manual snapshot with CreateDBSnapshot, and refuses a second one of the same name', async () => {
    const snap = (await rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'manual-1', DBInstanceIdentifier: 'source-db' }))).DBSnapshot;
    assert.equal(snap?.Status, 'creating');
    assert.equal(snap?.SnapshotType, 'manual');
    await waitUntilDBSnapshotAvailable(waiter(), { DBSnapshotIdentifier: 'manual-1' });
    await rejectsWith(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'Manual-1', DBInstanceIdentifier: 'source-db' })), 'DBSnapshotAlreadyExistsFault');
    const gone = (await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'manual-1' }))).DBSnapshot;
    assert.equal(gone?.Status, 'deleted');
    await rejectsWith(rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'manual-1' })), 'DBSnapshotNotFoundFault', /DBSnapshot manual-1 not found/);
  });

  it('DeleteDBInstance with FinalDBSnapshotIdentifier keeps a snapshot that outlives the instance, with its tags copied', async () => {
    const db = (await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'source-db', FinalDBSnapshotIdentifier: 'source-db-final-1' }))).DBInstance;
    assert.equal(db?.DBInstanceStatus, 'deleting');
    await waitUntilDBInstanceDeleted(waiter(), { DBInstanceIdentifier: 'source-db' });
    const snaps = (await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'source-db', SnapshotType: 'manual' }))).DBSnapshots ?? [];
    assert.deepEqual(
      snaps.map((s) => [s.DBSnapshotIdentifier, s.Status, s.Engine, s.AllocatedStorage, s.Encrypted, s.MasterUsername]),
      [['source-db-final-1', 'available', 'postgres', 30, true, 'app_admin']],
    );
    const tags = (await rds.send(new ListTagsForResourceCommand({ ResourceName: snaps[0]?.DBSnapshotArn ?? '' }))).TagList ?? [];
    assert.deepEqual(tags, [{ Key: 'three-tier:stack', Value: 'snaps' }]);
  });

  it('restores a new instance from the snapshot: its engine, user, database and encryption, a new managed secret', async () => {
    await rejectsWith(
      rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored-db', DBSnapshotIdentifier: 'no-such-snapshot', DBSubnetGroupName: 'snaps' })),
      'DBSnapshotNotFoundFault',
    );
    const out = await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'restored-db',
        DBSnapshotIdentifier: 'source-db-final-1',
        DBInstanceClass: 'db.t4g.micro',
        DBSubnetGroupName: 'snaps',
        VpcSecurityGroupIds: [groupId],
        PubliclyAccessible: false,
        ManageMasterUserPassword: true,
        Tags: [{ Key: 'three-tier:stack', Value: 'snaps2' }],
      }),
    );
    assert.equal(out.DBInstance?.DBInstanceStatus, 'creating');
    await waitUntilDBInstanceAvailable(waiter(), { DBInstanceIdentifier: 'restored-db' });
    const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'restored-db' }))).DBInstances?.[0];
    assert.equal(db?.MasterUsername, 'app_admin');
    assert.equal(db?.DBName, 'app');
    assert.equal(db?.AllocatedStorage, 30);
    assert.equal(db?.StorageEncrypted, true);
    assert.match(db?.MasterUserSecret?.SecretArn ?? '', /:secret:rds!db-/);
    assert.deepEqual(db?.TagList, [{ Key: 'three-tier:stack', Value: 'snaps2' }]);
  });
});
