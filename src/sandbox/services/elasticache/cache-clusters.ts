/**
 * DescribeCacheClusters: the member clusters of the replication groups (the sandbox creates clusters only as
 * members of a replication group, one node each, `<group>-001`, `-002`, ...), with their nodes when
 * ShowCacheNodeInfo is set. See docs/sandbox/elasticache.md.
 */
import type { CacheCluster, CacheClusterMessage, DescribeCacheClustersMessage } from '@aws-sdk/client-elasticache';
import { AwsError } from '../../errors.js';
import { pageByOffset } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { recordLimits } from '../rds/common.js';
import { cacheEngines } from './engine-versions.js';
import { host, replicationGroups, type ReplicationGroupData } from './replication-groups.js';

interface Member {
  group: Resource<ReplicationGroupData>;
  index: number;
}

const clusterNotFound = (id: string): AwsError => new AwsError('CacheClusterNotFound', `CacheCluster not found: ${id}`, 404);

function parameterGroupOf(d: ReplicationGroupData): string {
  const family = cacheEngines[d.engine]?.versions.find((v) => d.engineVersion === v.version || d.engineVersion.startsWith(`${v.version}.`))?.family;
  return `default.${family ?? `${d.engine}${d.engineVersion.split('.')[0] ?? ''}`}`;
}

function describe(world: World, { group, index }: Member, showNodes: boolean): CacheCluster {
  const d = group.data;
  const m = d.members[index] as ReplicationGroupData['members'][number];
  const out: CacheCluster = {
    CacheClusterId: m.clusterId,
    ClientDownloadLandingPage: 'https://console.aws.amazon.com/elasticache/home#client-download:',
    CacheNodeType: d.cacheNodeType,
    Engine: d.engine,
    EngineVersion: d.engineVersion,
    CacheClusterStatus: group.state,
    NumCacheNodes: 1,
    PreferredAvailabilityZone: m.availabilityZone,
    CacheClusterCreateTime: new Date(d.createdTime),
    PreferredMaintenanceWindow: 'sun:06:00-sun:07:00',
    PendingModifiedValues: {},
    CacheSecurityGroups: [],
    CacheParameterGroup: { CacheParameterGroupName: parameterGroupOf(d), ParameterApplyStatus: 'in-sync', CacheNodeIdsToReboot: [] },
    CacheSubnetGroupName: d.subnetGroupName,
    AutoMinorVersionUpgrade: true,
    SecurityGroups: d.securityGroupIds.map((SecurityGroupId) => ({ SecurityGroupId, Status: 'active' })),
    ReplicationGroupId: d.id,
    SnapshotRetentionLimit: d.snapshotRetentionLimit,
    SnapshotWindow: '05:00-06:00',
    AuthTokenEnabled: d.authTokenEnabled,
    TransitEncryptionEnabled: d.transitEncryption,
    AtRestEncryptionEnabled: d.atRestEncryption,
    ARN: world.arn('elasticache', `cluster:${m.clusterId}`),
    ReplicationGroupLogDeliveryEnabled: false,
    LogDeliveryConfigurations: [],
    NetworkType: 'ipv4',
    IpDiscovery: 'ipv4',
  };
  if (d.transitEncryption) out.TransitEncryptionMode = 'required';
  if (showNodes) {
    out.CacheNodes = [
      {
        CacheNodeId: '0001',
        CacheNodeStatus: group.state,
        CacheNodeCreateTime: new Date(d.createdTime),
        ParameterGroupStatus: 'in-sync',
        CustomerAvailabilityZone: m.availabilityZone,
        // The node's address exists once the group is built.
        ...(group.state !== 'creating' ? { Endpoint: { Address: host(world, m.clusterId, d.id), Port: d.port } } : {}),
      },
    ];
  }
  return out;
}

const describeCacheClusters = op<DescribeCacheClustersMessage, CacheClusterMessage>((input, { world }) => {
  let members: Member[] = replicationGroups(world)
    .filter((g) => !world.hiddenByConsistency(g))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    .flatMap((group) => group.data.members.map((_, index) => ({ group, index })));
  // Every cluster of the sandbox belongs to a replication group.
  if (input.ShowCacheClustersNotInReplicationGroups === true) members = [];
  if (input.CacheClusterId !== undefined) {
    const id = input.CacheClusterId.toLowerCase();
    members = members.filter((x) => x.group.data.members[x.index]?.clusterId === id);
    if (members.length === 0) throw clusterNotFound(input.CacheClusterId);
  }
  const p = pageByOffset(members, input.Marker, input.MaxRecords, recordLimits);
  return { CacheClusters: p.items.map((x) => describe(world, x, input.ShowCacheNodeInfo === true)), Marker: p.next };
});

export const cacheClusterHandlers: Record<string, Handler> = {
  DescribeCacheClusters: describeCacheClusters,
};
