import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeCacheEngineVersionsCommand,
  ElastiCacheClient,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';

/** The member clusters of replication groups, and the engine versions CreateReplicationGroup offers. */
describe('sandbox ElastiCache: cache clusters and engine versions', () => {
  let sb: Sandbox;
  let ec: ElastiCacheClient;
  let net: Network;
  before(async () => {
    sb = await sandbox();
    ec = new ElastiCacheClient(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 5);
    await ec.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: 'cache', CacheSubnetGroupDescription: 'c', SubnetIds: net.privateSubnets }));
  });
  after(async () => {
    await sb.close();
  });

  it('describes each member of a replication group as a one-node cache cluster, with its node once built', async () => {
    await ec.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'Sessions',
        ReplicationGroupDescription: 's',
        CacheNodeType: 'cache.t4g.micro',
        NumCacheClusters: 2,
        AutomaticFailoverEnabled: true,
        CacheSubnetGroupName: 'cache',
        SecurityGroupIds: [net.securityGroupId],
        TransitEncryptionEnabled: true,
      }),
    );
    const creating = (await ec.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }))).CacheClusters ?? [];
    assert.deepEqual(creating.map((c) => c.CacheClusterId), ['sessions-001', 'sessions-002']);
    assert.equal(creating[0]?.CacheClusterStatus, 'creating');
    assert.equal(creating[0]?.CacheNodes?.[0]?.Endpoint, undefined);
    await waitUntilReplicationGroupAvailable({ client: ec, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { ReplicationGroupId: 'sessions' });
    const c = (await ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'SESSIONS-002', ShowCacheNodeInfo: true }))).CacheClusters ?? [];
    assert.equal(c.length, 1);
    assert.equal(c[0]?.ReplicationGroupId, 'sessions');
    assert.equal(c[0]?.CacheClusterStatus, 'available');
    assert.equal(c[0]?.NumCacheNodes, 1);
    assert.equal(c[0]?.TransitEncryptionEnabled, true);
    assert.equal(c[0]?.ARN, 'arn:aws:elasticache:us-east-1:123456789012:cluster:sessions-002');
    assert.deepEqual(c[0]?.SecurityGroups, [{ SecurityGroupId: net.securityGroupId, Status: 'active' }]);
    assert.match(c[0]?.CacheNodes?.[0]?.Endpoint?.Address ?? '', /^sessions-002\.sessions\./);
    assert.equal(c[0]?.CacheNodes?.[0]?.Endpoint?.Port, 6379);
    const withoutNodes = (await ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'sessions-001' }))).CacheClusters?.[0];
    assert.equal(withoutNodes?.CacheNodes, undefined);
    assert.deepEqual((await ec.send(new DescribeCacheClustersCommand({ ShowCacheClustersNotInReplicationGroups: true }))).CacheClusters, []);
    await rejectsWith(ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'nope-001' })), 'CacheClusterNotFoundFault', /CacheCluster not found: nope-001/);
    await rejectsWith(ec.send(new DescribeCacheClustersCommand({ MaxRecords: 101 })), 'InvalidParameterValueException');
  });

  it('lists the engine versions it offers, each one CreateReplicationGroup accepts', async () => {
    const all = (await ec.send(new DescribeCacheEngineVersionsCommand({}))).CacheEngineVersions ?? [];
    assert.deepEqual([...new Set(all.map((v) => v.Engine))], ['redis', 'valkey']);
    const redisDefault = (await ec.send(new DescribeCacheEngineVersionsCommand({ Engine: 'redis', DefaultOnly: true }))).CacheEngineVersions ?? [];
    assert.equal(redisDefault.length, 1);
    const family = (await ec.send(new DescribeCacheEngineVersionsCommand({ CacheParameterGroupFamily: 'redis7' }))).CacheEngineVersions ?? [];
    assert.ok(family.length > 0 && family.every((v) => v.Engine === 'redis' && v.EngineVersion?.startsWith('7.')));
    for (const [i, v] of all.entries()) {
      const rg = await ec.send(
        new CreateReplicationGroupCommand({
          ReplicationGroupId: `ver-${i}`,
          ReplicationGroupDescription: 'v',
          Engine: v.Engine,
          EngineVersion: v.EngineVersion,
          CacheNodeType: 'cache.t4g.micro',
          CacheSubnetGroupName: 'cache',
        }),
      );
      assert.equal(rg.ReplicationGroup?.Engine, v.Engine);
    }
  });
});
