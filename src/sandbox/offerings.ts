/**
 * Per-zone offerings. AWS offers DB instance classes and cache node types per availability zone, not per region:
 * RDS lists the zones of each class (DescribeOrderableDBInstanceOptions), ElastiCache lists nothing and answers a
 * create in a zone without the node type with InsufficientCacheClusterCapacity. The sandbox's zones offer every
 * class and node type except what its config's `unoffered` map takes away (zone id -> `db.*` classes, `cache.*`
 * node types), set at start (`world.unoffered`) or with `POST /_sandbox/offerings`. Fargate's zones (only some zone
 * ids in some regions, src/fargate-zones.ts) are not modelled here: no API lists them, and the sandbox's ECS places
 * tasks in any zone.
 */
import { zones, type Zone } from './services/ec2/zones.js';
import type { World } from './world.js';

/** The zone of a name or id in this world's region. */
export function zoneOf(world: World, nameOrId: string): Zone | undefined {
  return zones(world).find((z) => z.name === nameOrId || z.id === nameOrId);
}

/** Whether the zone (by name or id) offers a DB class or a cache node type. */
export function zoneOffers(world: World, nameOrId: string, what: string): boolean {
  const zone = zoneOf(world, nameOrId);
  if (!zone) return false;
  return !(world.config.unoffered[zone.id] ?? []).includes(what);
}

/** The region's zone names that offer it, in name order. */
export function zonesOffering(world: World, what: string): string[] {
  return zones(world)
    .filter((z) => zoneOffers(world, z.name, what))
    .map((z) => z.name);
}
