import type { SandboxService } from '../service.js';
import { groupsUsing, installReplicationGroups, replicationGroupHandlers } from './elasticache/replication-groups.js';
import { cacheSubnetGroupHandlers } from './elasticache/subnet-groups.js';
import { tagHandlers } from './elasticache/tags.js';
import { cacheClusterHandlers } from './elasticache/cache-clusters.js';
import { engineVersionHandlers } from './elasticache/engine-versions.js';

/**
 * ElastiCache (awsQuery): cache subnet groups and Redis / Valkey replication groups (cluster mode disabled) with
 * their network interfaces. The promises are in docs/sandbox/elasticache.md.
 */
export const elasticache: SandboxService = {
  name: 'elasticache',
  protocol: 'query',
  version: '2015-02-02', xmlns: 'http://elasticache.amazonaws.com/doc/2015-02-02/',
  loadClient: () => import('@aws-sdk/client-elasticache') as Promise<Record<string, unknown>>,
  handlers: {
    ...cacheSubnetGroupHandlers(groupsUsing),
    ...replicationGroupHandlers,
    ...tagHandlers,
    ...cacheClusterHandlers,
    ...engineVersionHandlers,
  },
  install: installReplicationGroups,
};
