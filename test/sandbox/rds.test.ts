import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DeleteDBInstanceCommand,
  DeleteDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBSubnetGroupsCommand,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
  waitUntilDBInstanceAvailable,
  waitUntilDBInstanceDeleted,
  type CreateDBInstanceCommandInput,
} from '@aws-sdk/client-rds';
import { DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ResourceType, type EniData } from '../../src/sandbox/model.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';


describe('sandbox RDS: subnet groups and PostgreSQL instances', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  let sm: SecretsManagerClient;
  let net: Network;
  let otherNet: Network;

  const dbInput = (id: string, extra: Partial<CreateDBInstanceCommandInput> = {}): CreateDBInstanceCommandInput => ({
    DBInstanceIdentifier: id,
    Engine: 'postgres',
    EngineVersion: '16',
    DBInstanceClass: 'db.t4g.micro',
    AllocatedStorage: 20,
    StorageType: 'gp3',
    MasterUsername: 'app',
    ManageMasterUserPassword: true,
    DBSubnetGroupName: 'db-group',
    VpcSecurityGroupIds: [net.securityGroupId],
    PubliclyAccessible: false,
    StorageEncrypted: true,
    ...extra,
  });
  const status = async (id: string): Promise<string | undefined> =>
    (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]?.DBInstanceStatus;
  const untilStatus = (id: string, want: string) =>
    eventually(async () => ((await status(id)) === want ? true : undefined), 10_000, `${id} to be ${want}`);
  const enisOf = async (id: string) => {
    await resources(sb);
    return sb.world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.ownerRef === `db-instance:${id}`);
  };

  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
    sm = new SecretsManagerClient(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
    otherNet = buildNetwork(sb.world, 1);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'DB-Group', DBSubnetGroupDescription: 'db', SubnetIds: net.privateSubnets }));
  });
  after(async () => {
    await sb.close();
  });
  // A test that fails midway must not leave a fault or a clock setting to the next one.
  afterEach(async () => {
    sb.world.config.timeScale = 0.001;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0, eniLingerMs: null });
  });

  it('creates DB subnet groups (stored lowercase) over two AZs, once', async () => {
    const g = (await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: 'db-group' }))).DBSubnetGroups?.[0];
    assert.equal(g?.DBSubnetGroupName, 'db-group');
    assert.equal(g?.VpcId, net.vpcId);
    assert.equal(g?.DBSubnetGroupArn, 'arn:aws:rds:us-east-1:123456789012:subgrp:db-group');
    assert.deepEqual(g?.Subnets?.map((s) => s.SubnetAvailabilityZone?.Name).sort(), ['us-east-1a', 'us-east-1b']);
    await rejectsWith(
      rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'db-group', DBSubnetGroupDescription: 'again', SubnetIds: net.privateSubnets })),
      'DBSubnetGroupAlreadyExistsFault',
    );
    await rejectsWith(
      rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'one-az', DBSubnetGroupDescription: 'x', SubnetIds: [net.privateSubnets[0]!, net.extraSubnetAz1] })),
      'DBSubnetGroupDoesNotCoverEnoughAZs',
      /at least 2 AZs/,
    );
    await rejectsWith(
      rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'ghost', DBSubnetGroupDescription: 'x', SubnetIds: ['subnet-0123456789abcdef0', net.privateSubnets[1]!] })),
      'InvalidSubnet',
    );
    await rejectsWith(
      rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'default', DBSubnetGroupDescription: 'x', SubnetIds: net.privateSubnets })),
      'InvalidParameterValue',
    );
    await rejectsWith(rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'nodesc', DBSubnetGroupDescription: undefined, SubnetIds: net.privateSubnets })), 'InvalidParameterValue');
    await rejectsWith(rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: 'nope' })), 'DBSubnetGroupNotFoundFault');
    await rejectsWith(rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: 'nope' })), 'DBSubnetGroupNotFoundFault');
  });

  it('pages DB subnet groups with MaxRecords (20..100) and Marker', async () => {
    for (let i = 0; i < 21; i++) {
      await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: `page-${i}`, DBSubnetGroupDescription: 'p', SubnetIds: net.privateSubnets }));
    }
    const first = await rds.send(new DescribeDBSubnetGroupsCommand({ MaxRecords: 20 }));
    assert.equal(first.DBSubnetGroups?.length, 20);
    assert.ok(first.Marker);
    const second = await rds.send(new DescribeDBSubnetGroupsCommand({ MaxRecords: 20, Marker: first.Marker }));
    assert.equal(second.DBSubnetGroups?.length, 2);
    assert.equal(second.Marker, undefined);
    const names = [...(first.DBSubnetGroups ?? []), ...(second.DBSubnetGroups ?? [])].map((g) => g.DBSubnetGroupName);
    assert.equal(new Set(names).size, 22);
    await rejectsWith(rds.send(new DescribeDBSubnetGroupsCommand({ MaxRecords: 5 })), 'InvalidParameterValue', /MaxRecords/);
    for (let i = 0; i < 21; i++) await rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: `page-${i}` }));
  });

  it('validates CreateDBInstance as RDS does', async () => {
    for (const id of ['1db', 'db--x', 'db-', 'db_x', 'a'.repeat(64)]) {
      await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput(id))), 'InvalidParameterValue', /not a valid identifier/);
    }
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('v15', { EngineVersion: '15.4' }))), 'InvalidParameterCombination', /Cannot find version 15.4/);
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('cls', { DBInstanceClass: 'db.x9.huge' }))), 'InvalidParameterCombination', /DBInstanceClass=db.x9.huge/);
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('eng', { Engine: 'oracle-ee' }))), 'InvalidParameterValue');
    await rejectsWith(
      rds.send(new CreateDBInstanceCommand(dbInput('both', { MasterUserPassword: 'a-long-password' }))),
      'InvalidParameterCombination',
      /ManageMasterUserPassword/,
    );
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('neither', { ManageMasterUserPassword: undefined }))), 'InvalidParameterValue', /MasterUserPassword/);
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('short', { ManageMasterUserPassword: false, MasterUserPassword: 'short' }))), 'InvalidParameterValue');
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('slash', { ManageMasterUserPassword: false, MasterUserPassword: 'pass/word-long' }))), 'InvalidParameterValue');
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('small', { AllocatedStorage: 10 }))), 'InvalidParameterValue', /storage size/);
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('nosub', { DBSubnetGroupName: 'missing' }))), 'DBSubnetGroupNotFoundFault');
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('nodefault', { DBSubnetGroupName: undefined }))), 'InvalidVPCNetworkStateFault');
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('nosg', { VpcSecurityGroupIds: ['sg-0123456789abcdef0'] }))), 'InvalidParameterValue');
    await rejectsWith(
      rds.send(new CreateDBInstanceCommand(dbInput('othersg', { VpcSecurityGroupIds: [otherNet.securityGroupId] }))),
      'InvalidParameterCombination',
      /different VPCs/,
    );
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('noclass', { DBInstanceClass: undefined }))), 'InvalidParameterValue');
    const listed = await rds.send(new DescribeDBInstancesCommand({}));
    assert.deepEqual(listed.DBInstances, [], 'no failed create left anything behind');
    const secrets = await sm.send(new ListSecretsCommand({}));
    assert.deepEqual(secrets.SecretList, [], 'no failed create left a secret behind');
  });

  it('creates an instance that goes creating -> backing-up -> available, with its ENI and managed secret', async () => {
    // A slower clock for this create (5 min of AWS time = 3 s here), so that polling sees every state.
    sb.world.config.timeScale = 0.01;
    const out = await rds.send(new CreateDBInstanceCommand(dbInput('App-DB', { Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] })));
    sb.world.config.timeScale = 0.001;
    const db = out.DBInstance;
    assert.equal(db?.DBInstanceIdentifier, 'app-db');
    assert.equal(db?.DBInstanceStatus, 'creating');
    assert.equal(db?.Endpoint, undefined, 'no endpoint while creating');
    assert.equal(db?.EngineVersion?.split('.')[0], '16');
    assert.equal(db?.DBInstanceArn, 'arn:aws:rds:us-east-1:123456789012:db:app-db');
    assert.equal(db?.StorageEncrypted, true);
    assert.deepEqual(db?.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId), [net.securityGroupId]);
    const secretArn = db?.MasterUserSecret?.SecretArn ?? '';
    assert.match(secretArn, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/);
    assert.equal(db?.MasterUserSecret?.SecretStatus, 'creating');
    assert.match(db?.MasterUserSecret?.KmsKeyId ?? '', /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    // Encrypted without a key of the caller's: the account's AWS managed key (aws/rds), the same for every instance,
    // and not the one Secrets Manager uses (aws/secretsmanager).
    assert.match(db?.KmsKeyId ?? '', /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    assert.notEqual(db?.KmsKeyId, db?.MasterUserSecret?.KmsKeyId);

    const enis = await enisOf('app-db');
    assert.equal(enis.length, 1);
    assert.equal(enis[0]?.data.requesterId, 'amazon-rds');
    assert.ok(net.privateSubnets.includes(enis[0]?.data.subnetId ?? ''));
    assert.deepEqual(enis[0]?.data.groupIds, [net.securityGroupId]);
    assert.equal(enis[0]?.data.publicIp, undefined);

    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('app-db'))), 'DBInstanceAlreadyExistsFault');

    await untilStatus('app-db', 'backing-up');
    await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { DBInstanceIdentifier: 'app-db' });
    const ready = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'APP-DB' }))).DBInstances?.[0];
    assert.equal(ready?.DBInstanceStatus, 'available');
    assert.match(ready?.Endpoint?.Address ?? '', /^app-db\.[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com$/);
    assert.equal(ready?.Endpoint?.Port, 5432);
    assert.equal(ready?.MasterUserSecret?.SecretStatus, 'active');
    assert.ok(ready?.InstanceCreateTime instanceof Date);
    assert.equal(ready?.AvailabilityZone, enis[0]?.data.availabilityZone);

    const value = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const creds = JSON.parse(value.SecretString ?? '{}') as { username?: string; password?: string };
    assert.equal(creds.username, 'app');
    assert.ok((creds.password ?? '').length >= 16);
    assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
    const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    assert.equal(meta.OwningService, 'rds');
    assert.equal(meta.RotationEnabled, true);
    assert.equal(meta.RotationRules?.AutomaticallyAfterDays, 7);
    assert.match(meta.Name ?? '', /^rds!db-/);
    await rejectsWith(sm.send(new DeleteSecretCommand({ SecretId: secretArn, ForceDeleteWithoutRecovery: true })), 'InvalidRequestException', /managed by rds/);

    // The secret value never shows in the resource listing.
    const listing = JSON.stringify(await resources(sb));
    assert.ok(!listing.includes(creds.password ?? 'x'));
    const listed = (await resources(sb)).find((r) => r.type === 'db-instance' && r.id === 'app-db');
    assert.equal(listed?.state, 'available');
    assert.deepEqual(listed?.tags, { 'three-tier:stack': 'demo' });
  });

  it('answers DBInstanceNotFound, filters by db-instance-id and pages with Marker', async () => {
    await rejectsWith(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })), 'DBInstanceNotFoundFault', /nope/);
    for (let i = 0; i < 20; i++) {
      await rds.send(new CreateDBInstanceCommand(dbInput(`bulk-${i}`, { ManageMasterUserPassword: false, MasterUserPassword: 'a-long-password' })));
    }
    const byFilter = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['bulk-3', 'arn:aws:rds:us-east-1:123456789012:db:bulk-4'] }] }));
    assert.deepEqual(byFilter.DBInstances?.map((d) => d.DBInstanceIdentifier).sort(), ['bulk-3', 'bulk-4']);
    await rejectsWith(rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'made-up', Values: ['x'] }] })), 'InvalidParameterValue');

    const ids: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: marker }));
      ids.push(...(page.DBInstances ?? []).map((d) => d.DBInstanceIdentifier ?? ''));
      marker = page.Marker;
      pages++;
    } while (marker);
    assert.equal(pages, 2);
    assert.equal(ids.length, 21);
    assert.equal(new Set(ids).size, 21);
    for (let i = 0; i < 20; i++) await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: `bulk-${i}`, SkipFinalSnapshot: true }));
  });

  it('places a Multi-AZ instance in two AZs with an interface in each', async () => {
    await rejectsWith(
      rds.send(new CreateDBInstanceCommand(dbInput('maz-bad', { MultiAZ: true, AvailabilityZone: 'us-east-1a' }))),
      'InvalidParameterCombination',
    );
    const db = (
      await rds.send(
        new CreateDBInstanceCommand(dbInput('maz', { MultiAZ: true, StorageType: undefined, EngineVersion: undefined, ManageMasterUserPassword: false, MasterUserPassword: 'a-long-password' })),
      )
    ).DBInstance;
    assert.equal(db?.MultiAZ, true);
    assert.equal(db?.StorageType, 'gp3', 'gp3 by default');
    assert.equal(db?.EngineVersion?.split('.')[0], '17', 'PostgreSQL 17 by default');
    const first = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'app-db' }))).DBInstances?.[0];
    assert.equal(db?.KmsKeyId, first?.KmsKeyId, 'both encrypted with the one aws/rds key of the account');
    await rejectsWith(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'maz', FinalDBSnapshotIdentifier: 'maz-final' })),
      'InvalidDBInstanceStateFault',
      /final snapshot/,
    );
    assert.ok(db?.SecondaryAvailabilityZone && db.SecondaryAvailabilityZone !== db.AvailabilityZone);
    const zones = (await enisOf('maz')).map((e) => e.data.availabilityZone).sort();
    assert.deepEqual(zones, ['us-east-1a', 'us-east-1b']);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'maz', SkipFinalSnapshot: true }));
  });

  it('hides a fresh instance from describes inside the consistency window', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 1_000 });
    await rds.send(new CreateDBInstanceCommand(dbInput('fresh', { ManageMasterUserPassword: false, MasterUserPassword: 'a-long-password' })));
    await rejectsWith(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'fresh' })), 'DBInstanceNotFoundFault');
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'fresh-group', DBSubnetGroupDescription: 'x', SubnetIds: net.privateSubnets }));
    await rejectsWith(rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: 'fresh-group' })), 'DBSubnetGroupNotFoundFault');
    await eventually(() => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'fresh' })).then(() => true, () => undefined), 10_000, 'fresh to show');
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'fresh', SkipFinalSnapshot: true }));
  });

  it('stops and starts an available instance', async () => {
    await rds.send(new CreateDBInstanceCommand(dbInput('pausable', { ManageMasterUserPassword: false, MasterUserPassword: 'a-long-password' })));
    await rejectsWith(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'pausable' })), 'InvalidDBInstanceStateFault');
    await untilStatus('pausable', 'available');
    assert.equal((await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'pausable' }))).DBInstance?.DBInstanceStatus, 'stopping');
    await untilStatus('pausable', 'stopped');
    await rejectsWith(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'pausable' })), 'InvalidDBInstanceStateFault');
    await rejectsWith(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', DeletionProtection: true })), 'InvalidDBInstanceStateFault');
    assert.equal((await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'pausable' }))).DBInstance?.DBInstanceStatus, 'starting');
    await untilStatus('pausable', 'available');
    await rejectsWith(rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'pausable' })), 'InvalidDBInstanceStateFault');
  });

  it('modifies an instance: immediate class change through modifying, pending otherwise, deletion protection', async () => {
    await untilStatus('pausable', 'available');
    await rejectsWith(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', EngineVersion: '17.4' })), 'InvalidParameterValue', /not simulate/);
    await rejectsWith(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', AllocatedStorage: 10 })), 'InvalidParameterValue');
    const pending = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', AllocatedStorage: 40 }));
    assert.equal(pending.DBInstance?.PendingModifiedValues?.AllocatedStorage, 40);
    assert.equal(pending.DBInstance?.AllocatedStorage, 20);
    const now = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', DBInstanceClass: 'db.t3.small', ApplyImmediately: true }));
    assert.equal(now.DBInstance?.DBInstanceStatus, 'modifying');
    await untilStatus('pausable', 'available');
    assert.equal((await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'pausable' }))).DBInstances?.[0]?.DBInstanceClass, 'db.t3.small');
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', DeletionProtection: true }));
    await rejectsWith(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'pausable', SkipFinalSnapshot: true })), 'InvalidParameterCombination', /protect/);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'pausable', DeletionProtection: false }));
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'pausable', SkipFinalSnapshot: true }));
  });

  it('tags instances and subnet groups by ARN', async () => {
    const arn = 'arn:aws:rds:us-east-1:123456789012:db:app-db';
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'team', Value: 'web' }] }));
    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['three-tier:stack'] }));
    const tags = await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    assert.deepEqual(tags.TagList, [{ Key: 'team', Value: 'web' }]);
    assert.deepEqual((await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'app-db' }))).DBInstances?.[0]?.TagList, [{ Key: 'team', Value: 'web' }]);
    const groupArn = 'arn:aws:rds:us-east-1:123456789012:subgrp:db-group';
    await rds.send(new AddTagsToResourceCommand({ ResourceName: groupArn, Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }));
    assert.deepEqual((await rds.send(new ListTagsForResourceCommand({ ResourceName: groupArn }))).TagList, [{ Key: 'three-tier:stack', Value: 'demo' }]);
    await rejectsWith(rds.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:ghost' })), 'DBInstanceNotFoundFault');
    await rejectsWith(rds.send(new ListTagsForResourceCommand({ ResourceName: 'not-an-arn' })), 'InvalidParameterValue');
  });

  it('deletes an instance: final snapshot rule, deleting, a second delete refused, gone (waiter), ENI lingers, secret deleted', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 3_000 });
    await rejectsWith(rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: 'db-group' })), 'InvalidDBSubnetGroupStateFault', /app-db/);
    await rejectsWith(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'app-db' })), 'InvalidParameterCombination', /FinalDBSnapshotIdentifier/);
    const secretArn = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'app-db' }))).DBInstances?.[0]?.MasterUserSecret?.SecretArn ?? '';
    // A slower clock for this delete (2 min of AWS time = 1.2 s here), so the test can act while it runs.
    sb.world.config.timeScale = 0.01;
    const out = await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'app-db', SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
    sb.world.config.timeScale = 0.001;
    assert.equal(out.DBInstance?.DBInstanceStatus, 'deleting');
    await rejectsWith(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'app-db', SkipFinalSnapshot: true })),
      'InvalidDBInstanceStateFault',
      /Instance app-db is already being deleted\./,
    );
    // Still in use, and its identifier still taken, while it is being deleted.
    await rejectsWith(rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: 'db-group' })), 'InvalidDBSubnetGroupStateFault');
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('app-db'))), 'DBInstanceAlreadyExistsFault');

    await waitUntilDBInstanceDeleted({ client: rds, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { DBInstanceIdentifier: 'app-db' });
    await rejectsWith(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'app-db' })), 'DBInstanceNotFoundFault');

    const enis = await enisOf('app-db');
    assert.equal(enis.length, 1, 'the interface lingers after the instance is gone');
    assert.equal(enis[0]?.data.status, 'available');
    await eventually(async () => ((await enisOf('app-db')).length === 0 ? true : undefined), 10_000, 'the ENI to go');

    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: secretArn })), 'InvalidRequestException', /marked for deletion/);
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: secretArn }))).DeletedDate instanceof Date);
    const live = await sm.send(new ListSecretsCommand({}));
    assert.ok(!(live.SecretList ?? []).some((s) => s.ARN === secretArn));

    await eventually(
      () =>
        rds
          .send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: 'db-group' }))
          .then(() => true, (e: Error) => (e.name === 'InvalidDBSubnetGroupStateFault' ? undefined : Promise.reject(e))),
      10_000,
      'the subnet group to be free (bulk instances deleting)',
    );
    await rejectsWith(rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: 'db-group' })), 'DBSubnetGroupNotFoundFault');
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
  });
});
