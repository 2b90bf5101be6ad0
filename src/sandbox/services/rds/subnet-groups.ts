import type {
  CreateDBSubnetGroupMessage,
  CreateDBSubnetGroupResult,
  DBSubnetGroup,
  DBSubnetGroupMessage,
  DeleteDBSubnetGroupMessage,
  DescribeDBSubnetGroupsMessage,
} from '@aws-sdk/client-rds';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { paginate, readSubnets, readTags, required, invalidValue, type SubnetPick } from './common.js';

/** type 'db-subnet-group', id = the name (stored lowercase). */
export interface DbSubnetGroupData {
  name: string;
  description: string;
  arn: string;
  vpcId: string;
  subnets: SubnetPick[];
}

export const RDS_SERVICE = 'rds';

export const subnetGroupNotFound = (name: string): AwsError => new AwsError('DBSubnetGroupNotFoundFault', `DBSubnetGroup '${name}' not found.`, 404);

export function describeSubnetGroup(g: Resource<DbSubnetGroupData>): DBSubnetGroup {
  const d = g.data;
  return {
    DBSubnetGroupName: d.name,
    DBSubnetGroupDescription: d.description,
    VpcId: d.vpcId,
    SubnetGroupStatus: 'Complete',
    Subnets: d.subnets.map((s) => ({
      SubnetIdentifier: s.subnetId,
      SubnetAvailabilityZone: { Name: s.availabilityZone },
      SubnetOutpost: {},
      SubnetStatus: 'Active',
    })),
    DBSubnetGroupArn: d.arn,
    SupportedNetworkTypes: ['IPV4'],
  };
}

export function findSubnetGroup(world: World, name: string): Resource<DbSubnetGroupData> | undefined {
  return world.get<DbSubnetGroupData>(ResourceType.dbSubnetGroup, name.toLowerCase());
}

/** Instances (of any state, deleting included) that still use a subnet group. */
type UsersOf = (world: World, groupName: string) => string[];

export function subnetGroupHandlers(usersOf: UsersOf): Record<string, Handler> {
  const createDBSubnetGroup = op<CreateDBSubnetGroupMessage, CreateDBSubnetGroupResult>((input, { world }) => {
    const raw = required(input.DBSubnetGroupName, 'DBSubnetGroupName');
    const name = raw.toLowerCase();
    if (!/^[a-z0-9 ._-]{1,255}$/.test(name) || name === 'default') {
      throw invalidValue(`Invalid DB subnet group name: ${raw}. It must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens, and must not be "default".`);
    }
    const description = required(input.DBSubnetGroupDescription, 'DBSubnetGroupDescription');
    const ids = required(input.SubnetIds, 'SubnetIds');
    const tags = readTags(input.Tags);
    if (findSubnetGroup(world, name)) throw new AwsError('DBSubnetGroupAlreadyExists', `The DB subnet group '${name}' already exists.`, 400);
    const { vpcId, subnets } = readSubnets(world, ids, {
      missing: (id) => new AwsError('InvalidSubnet', `Some input subnets in :[${id}] are invalid.`, 400),
      vpcs: () => new AwsError('InvalidSubnet', 'The subnets of a DB subnet group must all be in the same VPC.', 400),
    });
    const zones = [...new Set(subnets.map((s) => s.availabilityZone))];
    if (zones.length < 2) {
      throw new AwsError(
        'DBSubnetGroupDoesNotCoverEnoughAZs',
        `The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: ${zones.join(', ')}. Add subnets to cover at least 2 AZs.`,
        400,
      );
    }
    const arn = world.arn('rds', `subgrp:${name}`);
    const g = world.create<DbSubnetGroupData>(RDS_SERVICE, ResourceType.dbSubnetGroup, name, {
      state: 'Complete',
      data: { name, description, arn, vpcId, subnets },
      tags,
    });
    return { DBSubnetGroup: describeSubnetGroup(g) };
  });

  const describeDBSubnetGroups = op<DescribeDBSubnetGroupsMessage, DBSubnetGroupMessage>((input, { world }) => {
    let found: Resource<DbSubnetGroupData>[];
    if (input.DBSubnetGroupName !== undefined) {
      const g = findSubnetGroup(world, input.DBSubnetGroupName);
      if (!g || world.hiddenByConsistency(g)) throw subnetGroupNotFound(input.DBSubnetGroupName);
      found = [g];
    } else {
      found = world.list<DbSubnetGroupData>(ResourceType.dbSubnetGroup).filter((g) => !world.hiddenByConsistency(g));
    }
    const { page, marker } = paginate(found, input.Marker, input.MaxRecords);
    return { DBSubnetGroups: page.map(describeSubnetGroup), Marker: marker };
  });

  const deleteDBSubnetGroup = op<DeleteDBSubnetGroupMessage, Record<string, never>>((input, { world }) => {
    const name = required(input.DBSubnetGroupName, 'DBSubnetGroupName');
    const g = findSubnetGroup(world, name);
    if (!g) throw subnetGroupNotFound(name);
    const users = usersOf(world, g.id);
    if (users.length > 0) {
      throw new AwsError(
        'InvalidDBSubnetGroupStateFault',
        `Cannot delete the subnet group '${g.id}' because at least one database instance: ${users[0]} is still using it.`,
        400,
      );
    }
    world.remove(ResourceType.dbSubnetGroup, g.id);
    return {};
  });

  return {
    CreateDBSubnetGroup: createDBSubnetGroup,
    DescribeDBSubnetGroups: describeDBSubnetGroups,
    DeleteDBSubnetGroup: deleteDBSubnetGroup,
  };
}
