import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBEngineVersionsCommand,
  DescribeDBSnapshotAttributesCommand,
  RDSClient,
  waitUntilDBInstanceAvailable,
  type DescribeDBEngineVersionsCommandInput,
} from '@aws-sdk/client-rds';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork } from './fixtures-network.js';

/** DescribeDBEngineVersions lists exactly what CreateDBInstance offers; a manual snapshot's attributes. */
describe('sandbox RDS: engine versions, snapshot attributes', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });

  const versions = async (input: DescribeDBEngineVersionsCommandInput) =>
    ((await rds.send(new DescribeDBEngineVersionsCommand(input))).DBEngineVersions ?? []).map((v) => v.EngineVersion);

  it('lists the PostgreSQL versions it offers, by engine, version, family and DefaultOnly', async () => {
    const all = (await rds.send(new DescribeDBEngineVersionsCommand({ Engine: 'postgres' }))).DBEngineVersions ?? [];
    assert.ok(all.length >= 2);
    for (const v of all) {
      assert.equal(v.Engine, 'postgres');
      assert.equal(v.DBParameterGroupFamily, `postgres${v.MajorEngineVersion}`);
      assert.equal(v.Status, 'available');
      assert.ok(v.EngineVersion?.startsWith(`${v.MajorEngineVersion}.`));
    }
    const newest = all[all.length - 1];
    assert.deepEqual(await versions({ Engine: 'postgres', DefaultOnly: true }), [newest?.EngineVersion]);
    const oldest = all[0];
    // A major names its newest minor (what CreateDBInstance makes of it); its family lists every minor of it.
    const oldestMajor = all.filter((v) => v.MajorEngineVersion === oldest?.MajorEngineVersion).map((v) => v.EngineVersion);
    assert.ok(oldestMajor.length > 1);
    assert.deepEqual(await versions({ Engine: 'postgres', EngineVersion: oldest?.MajorEngineVersion, DefaultOnly: true }), [oldestMajor[oldestMajor.length - 1]]);
    assert.deepEqual(await versions({ DBParameterGroupFamily: oldest?.DBParameterGroupFamily }), oldestMajor);
    assert.deepEqual(await versions({ Filters: [{ Name: 'engine-version', Values: [newest?.EngineVersion ?? ''] }] }), [newest?.EngineVersion]);
    assert.ok(oldest?.ValidUpgradeTarget?.some((t) => t.EngineVersion === newest?.EngineVersion && t.IsMajorVersionUpgrade));
    assert.deepEqual(await versions({ Engine: 'mysql' }), []);
    await rejectsWith(rds.send(new DescribeDBEngineVersionsCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })), 'InvalidParameterValue');
    await rejectsWith(rds.send(new DescribeDBEngineVersionsCommand({ MaxRecords: 19 })), 'InvalidParameterValue');
  });

  it('every version it lists is one CreateDBInstance accepts', async () => {
    const net = buildNetwork(sb.world, 4);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'versions', DBSubnetGroupDescription: 'v', SubnetIds: net.privateSubnets }));
    const listed = await versions({ Engine: 'postgres' });
    for (const [i, v] of listed.entries()) {
      const db = await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `v${i}`,
          Engine: 'postgres',
          EngineVersion: v,
          DBInstanceClass: 'db.t4g.micro',
          AllocatedStorage: 20,
          MasterUsername: 'app',
          ManageMasterUserPassword: true,
          DBSubnetGroupName: 'versions',
        }),
      );
      assert.equal(db.DBInstance?.EngineVersion, v);
    }
  });

  it("describes a manual snapshot's restore attribute: shared with no account", async () => {
    await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { DBInstanceIdentifier: 'v0' });
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'v0', DBSnapshotIdentifier: 'Before-Upgrade' }));
    const out = (await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'before-upgrade' }))).DBSnapshotAttributesResult;
    assert.deepEqual(out, { DBSnapshotIdentifier: 'before-upgrade', DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: [] }] });
    await rejectsWith(rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'nope' })), 'DBSnapshotNotFoundFault');
  });
});
