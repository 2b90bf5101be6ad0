import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { ResourceType } from '../../src/sandbox/model.js';
import { AUTOMATIC_RESTART_MS } from '../../src/sandbox/services/rds/instances.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, eventually, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork } from './fixtures-network.js';

/**
 * Stopping and starting an instance as RDS does (docs/sandbox/rds.md, "Stop and start"): only an available instance
 * stops, only a stopped one starts, a stopped one cannot be modified but can be deleted with a final snapshot, and
 * RDS starts an instance stopped for seven days on its own, reporting when in AutomaticRestartTime.
 */
describe('sandbox RDS: stop, start, and the automatic restart after seven days', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  const db = async (id: string): Promise<DBInstance | undefined> => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  const until = (id: string, want: string) => eventually(async () => ((await db(id))?.DBInstanceStatus === want ? true : undefined), 10_000, `${id} to be ${want}`);
  const create = async (id: string) => {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        ManageMasterUserPassword: true,
        DBSubnetGroupName: 'stop-group',
        StorageEncrypted: true,
      }),
    );
    await until(id, 'available');
  };

  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
    const net = buildNetwork(sb.world, 0);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'stop-group', DBSubnetGroupDescription: 'db', SubnetIds: net.privateSubnets }));
  });
  after(async () => sb.close());
  afterEach(() => {
    sb.world.config.timeScale = 0.001;
  });

  it('reports the automatic restart seven days (scaled) after the stop, while stopping and stopped', async () => {
    await create('weekly');
    assert.equal((await db('weekly'))?.AutomaticRestartTime, undefined, 'an available instance has no restart time');
    const before = Date.now();
    const stopping = (await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly' }))).DBInstance;
    const after = Date.now();
    assert.equal(stopping?.DBInstanceStatus, 'stopping');
    const at = stopping?.AutomaticRestartTime?.getTime() ?? 0;
    const week = Math.round(AUTOMATIC_RESTART_MS * sb.world.config.timeScale);
    assert.ok(at >= before + week - 1000 && at <= after + week + 1000, `restart at ${new Date(at).toISOString()}, a scaled week after the stop`);
    await until('weekly', 'stopped');
    assert.equal((await db('weekly'))?.AutomaticRestartTime?.getTime(), at);
    await rejectsWith(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'weekly', DBInstanceClass: 'db.t4g.small', ApplyImmediately: true })), 'InvalidDBInstanceStateFault');
    await rejectsWith(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly' })), 'InvalidDBInstanceStateFault', /not in available state/);
  });

  it('starts a stopped instance by hand: the automatic restart is no longer due', async () => {
    // Starting takes 2 min of AWS time: 1.2 s here, long enough for the calls made while it starts.
    sb.world.config.timeScale = 0.01;
    const started = (await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'weekly' }))).DBInstance;
    assert.equal(started?.DBInstanceStatus, 'starting');
    assert.equal(started?.AutomaticRestartTime, undefined);
    await rejectsWith(rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'weekly' })), 'InvalidDBInstanceStateFault');
    await rejectsWith(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly' })), 'InvalidDBInstanceStateFault');
    await until('weekly', 'available');
    // Nothing is left scheduled for the instance: no restart a week after the first stop.
    assert.deepEqual(sb.world.get(ResourceType.dbInstance, 'weekly')?.transitions, []);
  });

  it('starts an instance stopped for seven days on its own', async () => {
    // A world where a week passes in about a second.
    sb.world.config.timeScale = 0.000002;
    await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly' }));
    await until('weekly', 'stopped');
    await until('weekly', 'available');
    assert.equal((await db('weekly'))?.AutomaticRestartTime, undefined);
  });

  it('takes the snapshot StopDBInstance asks for, and deletes a stopped instance with its final snapshot', async () => {
    await rejectsWith(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly', DBSnapshotIdentifier: 'bad--name' })), 'InvalidParameterValue');
    await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'weekly', DBSnapshotIdentifier: 'before-stop' }));
    const snap = (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'before-stop' }))).DBSnapshots?.[0];
    assert.equal(snap?.DBInstanceIdentifier, 'weekly');
    await until('weekly', 'stopped');
    const deleting = await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'weekly', FinalDBSnapshotIdentifier: 'weekly-final' }));
    assert.equal(deleting.DBInstance?.DBInstanceStatus, 'deleting');
    await eventually(() => db('weekly').then(() => undefined, () => true), 10_000, 'weekly gone');
    assert.equal((await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'weekly-final' }))).DBSnapshots?.[0]?.DBInstanceIdentifier, 'weekly');
  });
});
