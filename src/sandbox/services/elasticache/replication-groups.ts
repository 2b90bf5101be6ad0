import type {
  CreateReplicationGroupMessage,
  CreateReplicationGroupResult,
  DeleteReplicationGroupMessage,
  DeleteReplicationGroupResult,
  DescribeReplicationGroupsMessage,
  Endpoint,
  ReplicationGroup,
  ReplicationGroupMessage,
} from '@aws-sdk/client-elasticache';
import { AwsError } from '../../errors.js';
import { createManagedEni, releaseManagedEnis } from '../../enis.js';
import { ResourceType, type VpcData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import { zoneOffers, zonesOffering } from '../../offerings.js';
import { accountHash, invalidCombination, invalidValue, paginate, pickSubnet, readSecurityGroups, readTags, required } from '../rds/common.js';
import { CACHE_SERVICE, cacheSubnetGroupNotFound, findCacheSubnetGroup } from './subnet-groups.js';
import { acceptsVersion, cacheEngines } from './engine-versions.js';
import { restoreFrom, snapshotToRestore } from './snapshots.js';

/**
 * type 'replication-group', id = the id (lowercase). World states: creating -> available; available ->
 * snapshotting -> available while a snapshot is taken (snapshots.ts); deleting -> gone.
 */
export interface ReplicationGroupData {
  id: string;
  description: string;
  arn: string;
  engine: string;
  engineVersion: string;
  cacheNodeType: string;
  automaticFailover: boolean;
  multiAz: boolean;
  subnetGroupName: string;
  vpcId: string;
  securityGroupIds: string[];
  transitEncryption: boolean;
  atRestEncryption: boolean;
  kmsKeyId?: string;
  authTokenEnabled: boolean;
  port: number;
  snapshotRetentionLimit: number;
  members: { clusterId: string; availabilityZone: string }[];
  /** Wall ms of ReplicationGroupCreateTime. */
  createdTime: number;
  /** The snapshot it was created from (CreateReplicationGroup SnapshotName); in no AWS answer, for tests. */
  restoredFrom?: string;
}

export const replicationGroupNotFound = (id: string): AwsError => new AwsError('ReplicationGroupNotFoundFault', `ReplicationGroup ${id} not found.`, 404);

const NODE_TYPES = new Set([
  'cache.t3.micro', 'cache.t3.small', 'cache.t3.medium',
  'cache.t4g.micro', 'cache.t4g.small', 'cache.t4g.medium',
  'cache.m5.large', 'cache.m6g.large', 'cache.m7g.large',
  'cache.r5.large', 'cache.r6g.large', 'cache.r7g.large',
]);

/** ElastiCache's answer for a node type the zone does not offer (wire code InsufficientCacheClusterCapacity). */
function insufficientCacheCapacity(world: World, nodeType: string, zone: string): AwsError {
  return new AwsError(
    'InsufficientCacheClusterCapacity',
    `${nodeType} (VPC) is not currently supported in the availability zone ${zone}.  Retry the launch with no availability zone or target: ${zonesOffering(world, nodeType).join(', ')}.`,
    400,
  );
}

export function ownerRef(id: string): string {
  return `${ResourceType.replicationGroup}:${id}`;
}

/** us-east-1 -> use1, eu-central-1 -> euc1, ap-southeast-2 -> apse2: the region part of cache endpoints. */
export function regionShort(region: string): string {
  const parts = region.split('-');
  const words: Record<string, string> = { north: 'n', south: 's', east: 'e', west: 'w', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };
  return parts.map((p, i) => (i === 0 || /^\d+$/.test(p) ? p : words[p] ?? p.charAt(0))).join('');
}

/** A node's endpoint host: `master.` / `replica.` or a member cluster's id, then the group's id. */
export function host(world: World, prefix: string, id: string): string {
  return `${prefix}.${id}.${accountHash(world, 'elasticache-endpoint', 6)}.${regionShort(world.config.region)}.cache.amazonaws.com`;
}

function describe(world: World, rg: Resource<ReplicationGroupData>): ReplicationGroup {
  const d = rg.data;
  const built = rg.state !== 'creating';
  const endpoint = (address: string): Endpoint => ({ Address: address, Port: d.port });
  const out: ReplicationGroup = {
    ReplicationGroupId: d.id,
    Description: d.description,
    GlobalReplicationGroupInfo: {},
    Status: rg.state,
    PendingModifiedValues: {},
    MemberClusters: d.members.map((m) => m.clusterId),
    NodeGroups: [
      {
        NodeGroupId: '0001',
        Status: rg.state,
        ...(built ? { PrimaryEndpoint: endpoint(host(world, 'master', d.id)), ReaderEndpoint: endpoint(host(world, 'replica', d.id)) } : {}),
        NodeGroupMembers: d.members.map((m, i) => ({
          CacheClusterId: m.clusterId,
          CacheNodeId: '0001',
          ...(built ? { ReadEndpoint: endpoint(host(world, m.clusterId, d.id)) } : {}),
          PreferredAvailabilityZone: m.availabilityZone,
          CurrentRole: i === 0 ? 'primary' : 'replica',
        })),
      },
    ],
    AutomaticFailover: d.automaticFailover ? 'enabled' : 'disabled',
    MultiAZ: d.multiAz ? 'enabled' : 'disabled',
    SnapshotRetentionLimit: d.snapshotRetentionLimit,
    SnapshotWindow: '05:00-06:00',
    ClusterEnabled: false,
    CacheNodeType: d.cacheNodeType,
    AuthTokenEnabled: d.authTokenEnabled,
    TransitEncryptionEnabled: d.transitEncryption,
    AtRestEncryptionEnabled: d.atRestEncryption,
    ARN: d.arn,
    LogDeliveryConfigurations: [],
    DataTiering: 'disabled',
    AutoMinorVersionUpgrade: true,
    NetworkType: 'ipv4',
    IpDiscovery: 'ipv4',
    ClusterMode: 'disabled',
    Engine: d.engine,
  };
  if (d.transitEncryption) out.TransitEncryptionMode = 'required';
  if (d.kmsKeyId !== undefined) out.KmsKeyId = d.kmsKeyId;
  out.ReplicationGroupCreateTime = new Date(d.createdTime);
  return out;
}

function find(world: World, id: string): Resource<ReplicationGroupData> | undefined {
  return world.get<ReplicationGroupData>(ResourceType.replicationGroup, id.toLowerCase());
}

/** 1-40 letters, digits and hyphens; starts with a letter; no trailing hyphen, no two hyphens in a row. */
function checkId(id: string): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(id) || id.endsWith('-') || id.includes('--')) {
    throw invalidValue(
      `Invalid replication group identifier: ${id}. It must begin with a letter, contain 1 to 40 letters, digits or hyphens, and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
}

const createReplicationGroup = op<CreateReplicationGroupMessage, CreateReplicationGroupResult>((input, { world }) => {
  const raw = required(input.ReplicationGroupId, 'ReplicationGroupId');
  checkId(raw);
  const id = raw.toLowerCase();
  const description = required(input.ReplicationGroupDescription, 'ReplicationGroupDescription');
  const engine = (input.Engine ?? 'redis').toLowerCase();
  const offered = cacheEngines[engine];
  if (!offered) throw invalidValue(`Invalid engine: ${engine}. The sandbox simulates redis and valkey.`);
  const engineVersion = input.EngineVersion ?? offered.default;
  if (!acceptsVersion(offered, engineVersion)) throw invalidCombination(`Cannot find version ${engineVersion} for ${engine}`);
  if (input.NumNodeGroups !== undefined && input.NumNodeGroups > 1) throw invalidValue('The sandbox does not simulate cluster mode (NumNodeGroups > 1).');
  if (input.NodeGroupConfiguration !== undefined) throw invalidValue('The sandbox does not simulate NodeGroupConfiguration.');
  const numCacheClusters = input.NumCacheClusters ?? 1;
  if (!Number.isInteger(numCacheClusters) || numCacheClusters < 1 || numCacheClusters > 6) {
    throw invalidValue(`Invalid value for NumCacheClusters: ${numCacheClusters}. It must be between 1 and 6.`);
  }
  const automaticFailover = input.AutomaticFailoverEnabled === true;
  if (automaticFailover && numCacheClusters < 2) {
    throw invalidCombination('Automatic failover requires at least 2 cache clusters: NumCacheClusters must be 2 or more when AutomaticFailoverEnabled is true.');
  }
  const multiAz = input.MultiAZEnabled === true;
  if (multiAz && !automaticFailover) throw invalidCombination('Multi-AZ requires automatic failover: set AutomaticFailoverEnabled to true.');
  const cacheNodeType = required(input.CacheNodeType, 'CacheNodeType');
  if (!NODE_TYPES.has(cacheNodeType)) throw invalidValue(`Invalid cache node type: ${cacheNodeType}`);
  const transitEncryption = input.TransitEncryptionEnabled === true;
  if (input.AuthToken !== undefined) {
    if (!transitEncryption) throw invalidCombination('AuthToken can only be specified when TransitEncryptionEnabled is true.');
    if (!/^[\x21-\x7e]{16,128}$/.test(input.AuthToken) || /[@"/]/.test(input.AuthToken)) {
      throw invalidValue('Invalid AuthToken: it must be 16 to 128 printable characters, without @, " or /.');
    }
  }
  const port = input.Port ?? 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidValue(`Invalid port: ${port}`);
  const tags = readTags(input.Tags);
  const restore = input.SnapshotName === undefined ? undefined : snapshotToRestore(world, input.SnapshotName);
  if (find(world, id)) throw new AwsError('ReplicationGroupAlreadyExists', `Replication group ${id} already exists.`, 400);

  if (input.CacheSubnetGroupName === undefined) {
    throw new AwsError('InvalidVPCNetworkStateFault', 'The sandbox has no default VPC: specify CacheSubnetGroupName.', 400);
  }
  const group = findCacheSubnetGroup(world, input.CacheSubnetGroupName);
  if (!group) throw cacheSubnetGroupNotFound(input.CacheSubnetGroupName);
  const vpc = world.get<VpcData>(ResourceType.vpc, group.data.vpcId);
  const securityGroupIds = readSecurityGroups(world, input.SecurityGroupIds ?? (vpc ? [vpc.data.defaultSecurityGroupId] : []), group.data.vpcId, {
    missing: (g) => invalidValue(`Some security group Id not recognized by EC2: ${g}`),
    otherVpc: (g) => invalidValue(`The security group ${g} does not belong to the VPC ${group.data.vpcId} of cache subnet group ${group.id}.`),
  });
  const preferred = input.PreferredCacheClusterAZs ?? [];
  if (preferred.length > 0 && preferred.length !== numCacheClusters) {
    throw invalidValue('The number of PreferredCacheClusterAZs must equal NumCacheClusters.');
  }
  // A node goes only to a zone that offers its type; ElastiCache has no API that lists them, it refuses the create.
  const offering = group.data.subnets.filter((sn) => zoneOffers(world, sn.availabilityZone, cacheNodeType));
  const start = world.nextCounter('cache-placement');
  const placements = Array.from({ length: numCacheClusters }, (_, i) => {
    const wanted = preferred[i];
    const p = pickSubnet(wanted === undefined ? offering : group.data.subnets, start + i, wanted);
    if (!p && wanted !== undefined) throw invalidValue(`Cache subnet group ${group.id} has no subnet in availability zone ${wanted}.`);
    if (!p || !offering.includes(p)) throw insufficientCacheCapacity(world, cacheNodeType, p?.availabilityZone ?? group.data.subnets[0]?.availabilityZone ?? '');
    return p;
  });

  const arn = world.arn('elasticache', `replicationgroup:${id}`);
  const data: ReplicationGroupData = {
    id,
    description,
    arn,
    engine,
    engineVersion,
    cacheNodeType,
    automaticFailover,
    multiAz,
    subnetGroupName: group.id,
    vpcId: group.data.vpcId,
    securityGroupIds,
    transitEncryption,
    atRestEncryption: input.AtRestEncryptionEnabled === true,
    authTokenEnabled: input.AuthToken !== undefined,
    port,
    snapshotRetentionLimit: input.SnapshotRetentionLimit ?? 0,
    members: placements.map((p, i) => ({ clusterId: `${id}-${String(i + 1).padStart(3, '0')}`, availabilityZone: p.availabilityZone })),
    createdTime: world.now(),
  };
  // At-rest encryption without a key of the caller's uses a key ElastiCache manages: no KmsKeyId is reported.
  if (data.atRestEncryption && input.KmsKeyId !== undefined) data.kmsKeyId = input.KmsKeyId;
  if (restore) data.restoredFrom = restore.data.name;
  const rg = world.create(CACHE_SERVICE, ResourceType.replicationGroup, id, { state: 'creating', data, tags });
  if (restore) restoreFrom(world, restore, awsDurations.cacheCreate);
  placements.forEach((p, i) => {
    createManagedEni(world, {
      subnetId: p.subnetId,
      groupIds: securityGroupIds,
      description: `ElastiCache ${data.members[i]?.clusterId ?? id}`,
      requesterId: 'amazon-elasticache',
      ownerRef: ownerRef(id),
    });
  });
  world.schedule(rg, awsDurations.cacheCreate, 'available');
  return { ReplicationGroup: describe(world, rg) };
});

const describeReplicationGroups = op<DescribeReplicationGroupsMessage, ReplicationGroupMessage>((input, { world }) => {
  let found: Resource<ReplicationGroupData>[];
  if (input.ReplicationGroupId !== undefined) {
    const rg = find(world, input.ReplicationGroupId);
    if (!rg || world.hiddenByConsistency(rg)) throw replicationGroupNotFound(input.ReplicationGroupId);
    found = [rg];
  } else {
    found = replicationGroups(world).filter((rg) => !world.hiddenByConsistency(rg));
  }
  const { page, marker } = paginate(found, input.Marker, input.MaxRecords);
  return { ReplicationGroups: page.map((rg) => describe(world, rg)), Marker: marker };
});

/** Only an available group can be deleted (not one still creating, modifying, or already deleting). */
const deleteReplicationGroup = op<DeleteReplicationGroupMessage, DeleteReplicationGroupResult>((input, { world }) => {
  const id = required(input.ReplicationGroupId, 'ReplicationGroupId');
  const rg = find(world, id);
  if (!rg) throw replicationGroupNotFound(id);
  if (input.RetainPrimaryCluster === true) throw invalidValue('The sandbox does not simulate RetainPrimaryCluster.');
  if (input.FinalSnapshotIdentifier !== undefined) checkId(input.FinalSnapshotIdentifier);
  if (rg.state !== 'available') {
    throw new AwsError('InvalidReplicationGroupState', `Replication group ${rg.id} has status ${rg.state} which is not valid for deletion.`, 400);
  }
  world.clearTransitions(rg);
  world.setState(rg, 'deleting');
  world.schedule(rg, awsDurations.cacheDelete, 'deleted', 'rg-gone');
  return { ReplicationGroup: describe(world, rg) };
});

export function replicationGroups(world: World): Resource<ReplicationGroupData>[] {
  return world.list<ReplicationGroupData>(ResourceType.replicationGroup);
}

export function groupsUsing(world: World, subnetGroupName: string): string[] {
  return replicationGroups(world)
    .filter((rg) => rg.data.subnetGroupName === subnetGroupName)
    .map((rg) => rg.id);
}

export const replicationGroupHandlers: Record<string, Handler> = {
  CreateReplicationGroup: createReplicationGroup,
  DescribeReplicationGroups: describeReplicationGroups,
  DeleteReplicationGroup: deleteReplicationGroup,
};

export function installReplicationGroups(world: World): void {
  world.onTransition(ResourceType.replicationGroup, 'rg-gone', (w, rg) => {
    w.remove(ResourceType.replicationGroup, rg.id);
    releaseManagedEnis(w, ownerRef(rg.id), 'linger');
  });
}
