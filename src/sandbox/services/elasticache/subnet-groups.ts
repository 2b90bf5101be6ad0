import type {
  CacheSubnetGroup,
  CacheSubnetGroupMessage,
  CreateCacheSubnetGroupMessage,
  CreateCacheSubnetGroupResult,
  DeleteCacheSubnetGroupMessage,
  DescribeCacheSubnetGroupsMessage,
} from '@aws-sdk/client-elasticache';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { invalidValue, paginate, readSubnets, readTags, required, type SubnetPick } from '../rds/common.js';

export const CACHE_SERVICE = 'elasticache';

/** type 'cache-subnet-group', id = the name (stored lowercase). */
export interface CacheSubnetGroupData {
  name: string;
  description: string;
  arn: string;
  vpcId: string;
  subnets: SubnetPick[];
}

export const cacheSubnetGroupNotFound = (name: string): AwsError =>
  new AwsError('CacheSubnetGroupNotFoundFault', `Cache subnet group ${name} not found.`, 400);

export function findCacheSubnetGroup(world: World, name: string): Resource<CacheSubnetGroupData> | undefined {
  return world.get<CacheSubnetGroupData>(ResourceType.cacheSubnetGroup, name.toLowerCase());
}

function describe(g: Resource<CacheSubnetGroupData>): CacheSubnetGroup {
  const d = g.data;
  return {
    CacheSubnetGroupName: d.name,
    CacheSubnetGroupDescription: d.description,
    VpcId: d.vpcId,
    Subnets: d.subnets.map((s) => ({
      SubnetIdentifier: s.subnetId,
      SubnetAvailabilityZone: { Name: s.availabilityZone },
      SupportedNetworkTypes: ['ipv4'],
    })),
    ARN: d.arn,
    SupportedNetworkTypes: ['ipv4'],
  };
}

/** Replication groups (deleting ones included) that use a cache subnet group. */
type UsersOf = (world: World, groupName: string) => string[];

export function cacheSubnetGroupHandlers(usersOf: UsersOf): Record<string, Handler> {
  const create = op<CreateCacheSubnetGroupMessage, CreateCacheSubnetGroupResult>((input, { world }) => {
    const raw = required(input.CacheSubnetGroupName, 'CacheSubnetGroupName');
    const name = raw.toLowerCase();
    if (!/^[a-z0-9-]{1,255}$/.test(name) || name === 'default') {
      throw invalidValue(`Invalid cache subnet group name: ${raw}. It must contain no more than 255 alphanumeric characters or hyphens, and must not be "default".`);
    }
    const description = required(input.CacheSubnetGroupDescription, 'CacheSubnetGroupDescription');
    const ids = required(input.SubnetIds, 'SubnetIds');
    const tags = readTags(input.Tags);
    if (findCacheSubnetGroup(world, name)) {
      throw new AwsError('CacheSubnetGroupAlreadyExists', `Cache subnet group ${name} already exists.`, 400);
    }
    const { vpcId, subnets } = readSubnets(world, ids, {
      missing: (id) => new AwsError('InvalidSubnet', `The subnet ID ${id} does not exist.`, 400),
      vpcs: () => new AwsError('InvalidSubnet', 'The subnets of a cache subnet group must all be in the same VPC.', 400),
    });
    const g = world.create<CacheSubnetGroupData>(CACHE_SERVICE, ResourceType.cacheSubnetGroup, name, {
      state: 'available',
      data: { name, description, arn: world.arn('elasticache', `subnetgroup:${name}`), vpcId, subnets },
      tags,
    });
    return { CacheSubnetGroup: describe(g) };
  });

  const describeGroups = op<DescribeCacheSubnetGroupsMessage, CacheSubnetGroupMessage>((input, { world }) => {
    let found: Resource<CacheSubnetGroupData>[];
    if (input.CacheSubnetGroupName !== undefined) {
      const g = findCacheSubnetGroup(world, input.CacheSubnetGroupName);
      if (!g || world.hiddenByConsistency(g)) throw cacheSubnetGroupNotFound(input.CacheSubnetGroupName);
      found = [g];
    } else {
      found = world.list<CacheSubnetGroupData>(ResourceType.cacheSubnetGroup).filter((g) => !world.hiddenByConsistency(g));
    }
    const { page, marker } = paginate(found, input.Marker, input.MaxRecords);
    return { CacheSubnetGroups: page.map(describe), Marker: marker };
  });

  const remove = op<DeleteCacheSubnetGroupMessage, Record<string, never>>((input, { world }) => {
    const name = required(input.CacheSubnetGroupName, 'CacheSubnetGroupName');
    const g = findCacheSubnetGroup(world, name);
    if (!g) throw cacheSubnetGroupNotFound(name);
    if (usersOf(world, g.id).length > 0) {
      throw new AwsError('CacheSubnetGroupInUse', `Cache subnet group ${g.id} is currently in use by a cache cluster.`, 400);
    }
    world.remove(ResourceType.cacheSubnetGroup, g.id);
    return {};
  });

  return {
    CreateCacheSubnetGroup: create,
    DescribeCacheSubnetGroups: describeGroups,
    DeleteCacheSubnetGroup: remove,
  };
}
