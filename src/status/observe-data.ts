import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, type DBInstance } from '@aws-sdk/client-rds';
import { DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand, type ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { AwsClients } from '../aws/clients.js';
import type { StackNames } from '../names.js';
import { seen, type Reads, type Seen } from './read.js';

/**
 * The data tier in two calls: the database instance and the replication group by their derived names. Their subnet
 * groups cannot be deleted while in use (InvalidDBSubnetGroupStateFault, CacheSubnetGroupInUse), so they are read
 * only when their user is gone: the instance itself says which subnet group it sits in.
 */
export interface DataObservation {
  dbInstance: Seen<DBInstance>;
  /** `in-use` when the instance exists (and so must its subnet group). */
  dbSubnetGroup: Seen<'in-use' | 'exists'>;
  replicationGroup: Seen<ReplicationGroup>;
  cacheSubnetGroup: Seen<'in-use' | 'exists'>;
}

async function subnetGroup(parent: Seen<unknown>, read: () => Promise<Seen<'exists'>>): Promise<Seen<'in-use' | 'exists'>> {
  if (parent.state === 'seen') return seen('in-use');
  return read();
}

export async function observeData(reads: Reads, clients: AwsClients, names: StackNames): Promise<DataObservation> {
  const [dbInstance, replicationGroup] = await Promise.all([
    reads.read('rds', 'DescribeDBInstances', async () => (await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.dbInstance }))).DBInstances?.[0]),
    reads.read(
      'elasticache',
      'DescribeReplicationGroups',
      async () => (await clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: names.replicationGroup }))).ReplicationGroups?.[0],
    ),
  ]);
  const [dbSubnetGroup, cacheSubnetGroup] = await Promise.all([
    subnetGroup(dbInstance, () =>
      reads.read('rds', 'DescribeDBSubnetGroups', async () =>
        (await clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: names.dbSubnetGroup }))).DBSubnetGroups?.length ? ('exists' as const) : undefined,
      ),
    ),
    subnetGroup(replicationGroup, () =>
      reads.read('elasticache', 'DescribeCacheSubnetGroups', async () =>
        (await clients.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: names.cacheSubnetGroup }))).CacheSubnetGroups?.length
          ? ('exists' as const)
          : undefined,
      ),
    ),
  ]);
  return { dbInstance, dbSubnetGroup, replicationGroup, cacheSubnetGroup };
}
