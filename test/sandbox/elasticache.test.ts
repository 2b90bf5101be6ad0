import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  DeleteCacheSubnetGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeCacheSubnetGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  waitUntilReplicationGroupAvailable,
  waitUntilReplicationGroupDeleted,
  type CreateReplicationGroupCommandInput,
} from '@aws-sdk/client-elasticache';
import { ResourceType, type EniData } from '../../src/sandbox/model.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';


describe('sandbox ElastiCache: cache subnet groups and replication groups', () => {
  let sb: Sandbox;
  let ec: ElastiCacheClient;
  let net: Network;
  let otherNet: Network;

  const rgInput = (id: string, extra: Partial<CreateReplicationGroupCommandInput> = {}): CreateReplicationGroupCommandInput => ({
    ReplicationGroupId: id,
    ReplicationGroupDescription: 'cache for the api',
    Engine: 'redis',
    NumCacheClusters: 1,
    AutomaticFailoverEnabled: false,
    CacheNodeType: 'cache.t4g.micro',
    CacheSubnetGroupName: 'cache-group',
    SecurityGroupIds: [net.securityGroupId],
    TransitEncryptionEnabled: true,
    AtRestEncryptionEnabled: true,
    ...extra,
  });
  const status = async (id: string) => (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0]?.Status;
  const enisOf = async (id: string) => {
    await resources(sb);
    return sb.world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.ownerRef === `replication-group:${id}`);
  };

  before(async () => {
    sb = await sandbox();
    ec = new ElastiCacheClient(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
    otherNet = buildNetwork(sb.world, 1);
    await ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'Cache-Group', CacheSubnetGroupDescription: 'cache', SubnetIds: net.privateSubnets }));
  });
  after(async () => {
    await sb.close();
  });
  // A test that fails midway must not leave a fault or a clock setting to the next one.
  afterEach(async () => {
    sb.world.config.timeScale = 0.001;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0, eniLingerMs: null });
  });

  it('creates cache subnet groups once, lowercased, and answers the not-found and in-use faults', async () => {
    const g = (await ec.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: 'cache-group' }))).CacheSubnetGroups?.[0];
    assert.equal(g?.CacheSubnetGroupName, 'cache-group');
    assert.equal(g?.VpcId, net.vpcId);
    assert.equal(g?.ARN, 'arn:aws:elasticache:us-east-1:123456789012:subnetgroup:cache-group');
    assert.equal(g?.Subnets?.length, 2);
    await rejectsWith(
      ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'cache-group', CacheSubnetGroupDescription: 'x', SubnetIds: net.privateSubnets })),
      'CacheSubnetGroupAlreadyExistsFault',
    );
    await rejectsWith(
      ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'ghost', CacheSubnetGroupDescription: 'x', SubnetIds: ['subnet-0123456789abcdef0'] })),
      'InvalidSubnet',
    );
    await rejectsWith(
      ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'mixed', CacheSubnetGroupDescription: 'x', SubnetIds: [net.privateSubnets[0]!, otherNet.privateSubnets[0]!] })),
      'InvalidSubnet',
    );
    await rejectsWith(
      ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'bad_name', CacheSubnetGroupDescription: 'x', SubnetIds: net.privateSubnets })),
      'InvalidParameterValueException',
    );
    await rejectsWith(ec.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: 'nope' })), 'CacheSubnetGroupNotFoundFault');
    await rejectsWith(ec.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: 'nope' })), 'CacheSubnetGroupNotFoundFault');
  });

  it('pages cache subnet groups with MaxRecords and Marker', async () => {
    for (let i = 0; i < 20; i++) {
      await ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: `page-${i}`, CacheSubnetGroupDescription: 'p', SubnetIds: net.privateSubnets }));
    }
    const first = await ec.send(new DescribeCacheSubnetGroupsCommand({ MaxRecords: 20 }));
    assert.equal(first.CacheSubnetGroups?.length, 20);
    assert.ok(first.Marker);
    const second = await ec.send(new DescribeCacheSubnetGroupsCommand({ MaxRecords: 20, Marker: first.Marker }));
    assert.equal(second.CacheSubnetGroups?.length, 1);
    assert.equal(second.Marker, undefined);
    assert.equal(new Set([...(first.CacheSubnetGroups ?? []), ...(second.CacheSubnetGroups ?? [])].map((g) => g.CacheSubnetGroupName)).size, 21);
    await rejectsWith(ec.send(new DescribeCacheSubnetGroupsCommand({ MaxRecords: 101 })), 'InvalidParameterValueException');
    for (let i = 0; i < 20; i++) await ec.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: `page-${i}` }));
  });

  it('validates CreateReplicationGroup', async () => {
    for (const id of ['1cache', 'cache--x', 'cache-', 'c'.repeat(41), 'under_score']) {
      await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput(id))), 'InvalidParameterValueException', /identifier/);
    }
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('nodesc', { ReplicationGroupDescription: undefined }))), 'InvalidParameterValueException', /ReplicationGroupDescription/);
    await rejectsWith(
      ec.send(new CreateReplicationGroupCommand(rgInput('failover', { AutomaticFailoverEnabled: true }))),
      'InvalidParameterCombinationException',
    );
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('memcache', { Engine: 'memcached' }))), 'InvalidParameterValueException');
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('nodetype', { CacheNodeType: 'cache.x9.huge' }))), 'InvalidParameterValueException');
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('nogroup', { CacheSubnetGroupName: 'missing' }))), 'CacheSubnetGroupNotFoundFault');
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('novpc', { CacheSubnetGroupName: undefined }))), 'InvalidVPCNetworkStateFault');
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('notype', { CacheNodeType: undefined }))), 'InvalidParameterValueException', /CacheNodeType/);
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('nosg', { SecurityGroupIds: ['sg-0123456789abcdef0'] }))), 'InvalidParameterValueException');
    await rejectsWith(
      ec.send(new CreateReplicationGroupCommand(rgInput('token', { TransitEncryptionEnabled: false, AuthToken: 'a-long-enough-token-123' }))),
      'InvalidParameterCombinationException',
    );
    assert.deepEqual((await ec.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups, []);
  });

  it('creates a replication group: creating, then available with its primary endpoint (waiter), one ENI per cluster', async () => {
    // A slower clock for this create (6 min of AWS time = 1.8 s here), so the test can act while it runs.
    sb.world.config.timeScale = 0.005;
    const out = await ec.send(new CreateReplicationGroupCommand(rgInput('App-Cache', { Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] })));
    sb.world.config.timeScale = 0.001;
    const rg = out.ReplicationGroup;
    assert.equal(rg?.ReplicationGroupId, 'app-cache');
    assert.equal(rg?.Status, 'creating');
    assert.deepEqual(rg?.MemberClusters, ['app-cache-001']);
    assert.equal(rg?.NodeGroups?.[0]?.PrimaryEndpoint, undefined, 'no endpoint while creating');
    assert.equal(rg?.TransitEncryptionEnabled, true);
    assert.equal(rg?.AtRestEncryptionEnabled, true);
    assert.equal(rg?.KmsKeyId, undefined, 'at rest without a key of the caller: a key ElastiCache manages, not reported');
    assert.equal(rg?.AutomaticFailover, 'disabled');
    assert.equal(rg?.ARN, 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:app-cache');

    const enis = await enisOf('app-cache');
    assert.equal(enis.length, 1);
    assert.equal(enis[0]?.data.requesterId, 'amazon-elasticache');
    assert.deepEqual(enis[0]?.data.groupIds, [net.securityGroupId]);
    assert.ok(net.privateSubnets.includes(enis[0]?.data.subnetId ?? ''));

    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('app-cache'))), 'ReplicationGroupAlreadyExistsFault');
    await rejectsWith(
      ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'app-cache' })),
      'InvalidReplicationGroupStateFault',
      /creating/,
    );

    await waitUntilReplicationGroupAvailable({ client: ec, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { ReplicationGroupId: 'app-cache' });
    const ready = (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'APP-CACHE' }))).ReplicationGroups?.[0];
    assert.equal(ready?.Status, 'available');
    const primary = ready?.NodeGroups?.[0]?.PrimaryEndpoint;
    assert.match(primary?.Address ?? '', /^master\.app-cache\.[a-z0-9]{6}\.use1\.cache\.amazonaws\.com$/);
    assert.equal(primary?.Port, 6379);
    assert.equal(ready?.NodeGroups?.[0]?.NodeGroupMembers?.[0]?.CurrentRole, 'primary');
    assert.equal(ready?.NodeGroups?.[0]?.NodeGroupMembers?.[0]?.PreferredAvailabilityZone, enis[0]?.data.availabilityZone);
    const listed = (await resources(sb)).find((r) => r.type === 'replication-group' && r.id === 'app-cache');
    assert.equal(listed?.state, 'available');
    assert.deepEqual(listed?.tags, { 'three-tier:stack': 'demo' });
  });

  it('answers ReplicationGroupNotFound and pages replication groups', async () => {
    await rejectsWith(ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'nope' })), 'ReplicationGroupNotFoundFault');
    await rejectsWith(ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'nope' })), 'ReplicationGroupNotFoundFault');
    for (let i = 0; i < 20; i++) await ec.send(new CreateReplicationGroupCommand(rgInput(`bulk-${i}`, { Engine: 'valkey' })));
    const ids: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await ec.send(new DescribeReplicationGroupsCommand({ MaxRecords: 20, Marker: marker }));
      ids.push(...(page.ReplicationGroups ?? []).map((r) => r.ReplicationGroupId ?? ''));
      marker = page.Marker;
      pages++;
    } while (marker);
    assert.equal(pages, 2);
    assert.equal(new Set(ids).size, 21);
    const valkey = (await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'bulk-0' }))).ReplicationGroups?.[0];
    assert.equal(valkey?.Engine, 'valkey');
  });

  it('creates two clusters with automatic failover: a primary and a replica, one ENI each', async () => {
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('maz-bad', { MultiAZEnabled: true }))), 'InvalidParameterCombinationException');
    const rg = (await ec.send(new CreateReplicationGroupCommand(rgInput('pair', { NumCacheClusters: 2, AutomaticFailoverEnabled: true, MultiAZEnabled: true }))))
      .ReplicationGroup;
    assert.deepEqual(rg?.MemberClusters, ['pair-001', 'pair-002']);
    assert.equal(rg?.AutomaticFailover, 'enabled');
    assert.equal(rg?.MultiAZ, 'enabled');
    assert.deepEqual(rg?.NodeGroups?.[0]?.NodeGroupMembers?.map((m) => m.CurrentRole), ['primary', 'replica']);
    const zones = (await enisOf('pair')).map((e) => e.data.availabilityZone).sort();
    assert.deepEqual(zones, ['us-east-1a', 'us-east-1b']);
  });

  it('hides a fresh replication group from describes inside the consistency window', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 1_000 });
    await ec.send(new CreateReplicationGroupCommand(rgInput('fresh')));
    await rejectsWith(ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'fresh' })), 'ReplicationGroupNotFoundFault');
    await eventually(() => ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'fresh' })).then(() => true, () => undefined), 10_000, 'fresh to show');
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
  });

  it('tags replication groups and subnet groups by ARN', async () => {
    const arn = 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:app-cache';
    const added = await ec.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'team', Value: 'web' }] }));
    assert.deepEqual(added.TagList?.map((t) => t.Key).sort(), ['team', 'three-tier:stack']);
    await ec.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['team'] }));
    assert.deepEqual((await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList, [{ Key: 'three-tier:stack', Value: 'demo' }]);
    const groupArn = 'arn:aws:elasticache:us-east-1:123456789012:subnetgroup:cache-group';
    await ec.send(new AddTagsToResourceCommand({ ResourceName: groupArn, Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }));
    assert.deepEqual((await ec.send(new ListTagsForResourceCommand({ ResourceName: groupArn }))).TagList, [{ Key: 'three-tier:stack', Value: 'demo' }]);
    await rejectsWith(
      ec.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:ghost' })),
      'ReplicationGroupNotFoundFault',
    );
    await rejectsWith(ec.send(new ListTagsForResourceCommand({ ResourceName: 'nonsense' })), 'InvalidARNFault');
    await rejectsWith(ec.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['absent'] })), 'TagNotFoundFault');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(ec.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: many })), 'TagQuotaPerResourceExceeded');
  });

  it('deletes a replication group: deleting, gone (waiter), ENI lingers, then the subnet group can go', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 3_000 });
    await rejectsWith(ec.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: 'cache-group' })), 'CacheSubnetGroupInUse');
    // A slower clock for this delete (3 min of AWS time = 1.8 s here), so the test can act while it runs.
    sb.world.config.timeScale = 0.01;
    const out = await ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'app-cache' }));
    sb.world.config.timeScale = 0.001;
    assert.equal(out.ReplicationGroup?.Status, 'deleting');
    assert.equal(await status('app-cache'), 'deleting');
    await rejectsWith(ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'app-cache' })), 'InvalidReplicationGroupStateFault', /deleting/);
    await rejectsWith(ec.send(new CreateReplicationGroupCommand(rgInput('app-cache'))), 'ReplicationGroupAlreadyExistsFault');
    await rejectsWith(ec.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: 'cache-group' })), 'CacheSubnetGroupInUse');

    await waitUntilReplicationGroupDeleted({ client: ec, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { ReplicationGroupId: 'app-cache' });
    await rejectsWith(ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'app-cache' })), 'ReplicationGroupNotFoundFault');
    const enis = await enisOf('app-cache');
    assert.equal(enis.length, 1, 'the interface lingers after the group is gone');
    assert.equal(enis[0]?.data.status, 'available');
    await eventually(async () => ((await enisOf('app-cache')).length === 0 ? true : undefined), 10_000, 'the ENI to go');

    for (const id of [...Array.from({ length: 20 }, (_, i) => `bulk-${i}`), 'pair', 'fresh']) {
      await eventually(async () => ((await status(id)) === 'available' ? true : undefined), 10_000, `${id} available`);
      await ec.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: id }));
    }
    await eventually(
      () =>
        ec
          .send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: 'cache-group' }))
          .then(() => true, (e: Error) => (e.name === 'CacheSubnetGroupInUse' ? undefined : Promise.reject(e))),
      10_000,
      'the subnet group to be free',
    );
    await rejectsWith(ec.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: 'cache-group' })), 'CacheSubnetGroupNotFoundFault');
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
  });
});
