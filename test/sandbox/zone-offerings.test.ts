import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBEngineVersionsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  waitUntilDBInstanceAvailable,
  type CreateDBInstanceCommandInput,
} from '@aws-sdk/client-rds';
import { CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, ElastiCacheClient, type CreateReplicationGroupCommandInput } from '@aws-sdk/client-elasticache';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';

/**
 * Per-zone offerings: a zone set not to offer db.t4g.micro and cache.t4g.micro (POST /_sandbox/offerings, by zone
 * id) is left out of DescribeOrderableDBInstanceOptions, and creates placed there answer AWS's capacity errors; a
 * create that may go elsewhere goes elsewhere. Through the real SDK clients.
 */
describe('sandbox: per-zone offerings', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  let ec: ElastiCacheClient;
  let net: Network;

  const dbInput = (id: string, extra: Partial<CreateDBInstanceCommandInput> = {}): CreateDBInstanceCommandInput => ({
    DBInstanceIdentifier: id,
    DBInstanceClass: 'db.t4g.micro',
    Engine: 'postgres',
    EngineVersion: '16',
    AllocatedStorage: 20,
    StorageType: 'gp3',
    MasterUsername: 'app_admin',
    ManageMasterUserPassword: true,
    DBSubnetGroupName: 'zones',
    ...extra,
  });
  const rgInput = (id: string, extra: Partial<CreateReplicationGroupCommandInput> = {}): CreateReplicationGroupCommandInput => ({
    ReplicationGroupId: id,
    ReplicationGroupDescription: 'cache',
    Engine: 'redis',
    NumCacheClusters: 1,
    CacheNodeType: 'cache.t4g.micro',
    CacheSubnetGroupName: 'zones',
    ...extra,
  });

  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
    ec = new ElastiCacheClient(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'zones', DBSubnetGroupDescription: 'a and b', SubnetIds: net.privateSubnets }));
    await ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'zones', CacheSubnetGroupDescription: 'a and b', SubnetIds: net.privateSubnets }));
  });
  after(async () => {
    rds.destroy();
    ec.destroy();
    await sb.close();
  });

  it('DescribeAvailabilityZones maps each zone name to its zone id', async () => {
    const ec2 = new EC2Client(clientConfig(sb));
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az2'] }));
    assert.deepEqual(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId]), [['us-east-1b', 'use1-az2']]);
    ec2.destroy();
  });

  it('the offerings are set by zone id, and a bad one is refused naming it', async () => {
    const bad = await control<{ error: string }>(sb, 'POST', '/_sandbox/offerings', { 'us-east-1b': ['db.t4g.micro'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /us-east-1b.*zone id/);
    const set = await control<{ unoffered: Record<string, string[]> }>(sb, 'POST', '/_sandbox/offerings', { 'use1-az2': ['db.t4g.micro', 'cache.t4g.micro'] });
    assert.deepEqual(set.body.unoffered, { 'use1-az2': ['db.t4g.micro', 'cache.t4g.micro'] });
  });

  it('DescribeOrderableDBInstanceOptions lists the zones of each class, paginated; Engine is required', async () => {
    const versionOf = async (major: string): Promise<string> =>
      (await rds.send(new DescribeDBEngineVersionsCommand({ Engine: 'postgres', EngineVersion: major, DefaultOnly: true }))).DBEngineVersions?.[0]?.EngineVersion ?? '';
    const [v16, v17] = [await versionOf('16'), await versionOf('17')];
    const micro = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres', EngineVersion: v16, DBInstanceClass: 'db.t4g.micro' }));
    assert.ok((micro.OrderableDBInstanceOptions ?? []).length > 0);
    for (const o of micro.OrderableDBInstanceOptions ?? []) {
      const names = (o.AvailabilityZones ?? []).map((z) => z.Name);
      assert.ok(names.includes('us-east-1a'));
      assert.ok(!names.includes('us-east-1b'), 'the zone without the class is not listed');
    }
    const small = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres', EngineVersion: v16, DBInstanceClass: 'db.t4g.small' }));
    assert.ok(small.OrderableDBInstanceOptions?.[0]?.AvailabilityZones?.some((z) => z.Name === 'us-east-1b'), 'another class is still offered there');
    // Every option of the engine, 20 at a time, ends with no marker and repeats none.
    const seen = new Set<string>();
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres', EngineVersion: v17, MaxRecords: 20, ...(marker ? { Marker: marker } : {}) }));
      for (const o of page.OrderableDBInstanceOptions ?? []) seen.add(`${o.DBInstanceClass}/${o.StorageType}`);
      marker = page.Marker;
      pages++;
    } while (marker);
    assert.ok(pages > 1 && seen.size > 20);
    assert.deepEqual((await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'mysql' }))).OrderableDBInstanceOptions, []);
    await rejectsWith(rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: undefined as unknown as string })), 'InvalidParameterValue', /Engine/);
  });

  it('RDS places an instance only where its class is offered, and answers InsufficientDBInstanceCapacity otherwise', async () => {
    await rejectsWith(
      rds.send(new CreateDBInstanceCommand(dbInput('in-b', { AvailabilityZone: 'us-east-1b' }))),
      'InsufficientDBInstanceCapacityFault',
      /^Cannot create a db\.t4g\.micro database instance because there are no availability zones with sufficient capacity for VPC and storage type : gp3 for db\.t4g\.micro\. Please try the request again at a later time\.$/,
    );
    // Without a zone, each create lands in the zone that offers the class.
    for (const id of ['any-1', 'any-2']) {
      const out = await rds.send(new CreateDBInstanceCommand(dbInput(id)));
      assert.equal(out.DBInstance?.AvailabilityZone, 'us-east-1a');
    }
    await rejectsWith(rds.send(new CreateDBInstanceCommand(dbInput('multi', { MultiAZ: true }))), 'InsufficientDBInstanceCapacityFault');
    await control(sb, 'POST', '/_sandbox/offerings', { 'use1-az1': ['db.t4g.large'], 'use1-az2': ['db.t4g.micro', 'cache.t4g.micro'] });
    await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { DBInstanceIdentifier: 'any-1' });
    await rejectsWith(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'any-1', DBInstanceClass: 'db.t4g.large', ApplyImmediately: true })), 'InsufficientDBInstanceCapacityFault', /db\.t4g\.large/);
  });

  it('ElastiCache answers InsufficientCacheClusterCapacity, naming the zones that offer the node type', async () => {
    await rejectsWith(
      ec.send(new CreateReplicationGroupCommand(rgInput('in-b', { PreferredCacheClusterAZs: ['us-east-1b'] }))),
      'InsufficientCacheClusterCapacityFault',
      /^cache\.t4g\.micro \(VPC\) is not currently supported in the availability zone us-east-1b\. {2}Retry the launch with no availability zone or target: us-east-1a, us-east-1c, us-east-1d, us-east-1e, us-east-1f\.$/,
    );
    const out = await ec.send(new CreateReplicationGroupCommand(rgInput('anywhere')));
    assert.equal(out.ReplicationGroup?.Status, 'creating');
    await control(sb, 'POST', '/_sandbox/offerings', { 'use1-az1': ['cache.t4g.micro'], 'use1-az2': ['cache.t4g.micro'] });
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('nowhere'))), 'InsufficientCacheClusterCapacityFault', /availability zone us-east-1a/);
    await control(sb, 'POST', '/_sandbox/offerings', {});
  });
});
