import type { SandboxService } from '../service.js';
import { groupsUsing, installReplicationGroups, replicationGroupHandlers } from './elasticache/replication-groups.js';
import { cacheSubnetGroupHandlers } from './elasticache/subnet-groups.js';
import { installSnapshots, snapshotHandlers } from './elasticache/snapshots.js';
import { tagHandlers } from './elasticache/tags.js';
import { cacheClusterHandlers } from './elasticache/cache-clusters.js';
import { engineVersionHandlers } from './elasticache/engine-versions.js';

/**
 * ElastiCache (awsQuery): cache subnet groups, Redis / Valkey replication groups (cluster mode disabled) with
 * their network interfaces, and their manual snapshots. The promises are in docs/sandbox/elasticache.md.
 */
export const elasticache: SandboxService = {
  name: 'elasticache',
  protocol: 'query',
  version: '2015-02-02', xmlns: 'http://elasticache.amazonaws.com/doc/2015-02-02/',
  loadClient: () => import('@aws-sdk/client-elasticache') as Promise<Record<string, unknown>>,
  handlers: {
    ...cacheSubnetGroupHandlers(groupsUsing),
    ...replicationGroupHandlers,
    ...snapshotHandlers,
    ...tagHandlers,
    ...cacheClusterHandlers,
    ...engineVersionHandlers,
  },
  install: (world) => {
    installReplicationGroups(world);
    installSnapshots(world);
  },
};
