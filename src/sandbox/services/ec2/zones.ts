import type { AvailabilityZone, DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult } from '@aws-sdk/client-ec2';
import type { World } from '../../world.js';
import { applyFilters, ec2op, invalidValue, matchingNothing } from './common.js';

/**
 * Availability zones of the sandbox's region. us-east-1 has six (a..f, zone ids use1-az1..az6); every other region
 * three (a, b, c). Real zone-id mappings differ per account; these are fixed.
 */
export interface Zone {
  name: string;
  id: string;
}

/** The zone-id prefix AWS uses for a region: us-east-1 -> use1, ap-southeast-2 -> apse2, eu-central-1 -> euc1. */
function regionAbbreviation(region: string): string {
  const parts = region.split('-');
  if (parts.length < 3) return region.replace(/-/g, '');
  const [area, direction, number] = [parts[0] as string, parts.slice(1, -1).join(''), parts[parts.length - 1] as string];
  const short = direction
    .replace('north', 'n')
    .replace('south', 's')
    .replace('east', 'e')
    .replace('west', 'w')
    .replace('central', 'c');
  return `${area}${short}${number}`;
}

export function zonesOf(region: string): Zone[] {
  const letters = region === 'us-east-1' ? ['a', 'b', 'c', 'd', 'e', 'f'] : ['a', 'b', 'c'];
  const abbr = regionAbbreviation(region);
  return letters.map((l, i) => ({ name: `${region}${l}`, id: `${abbr}-az${i + 1}` }));
}

export function zones(world: World): Zone[] {
  return zonesOf(world.config.region);
}

function zoneOut(world: World, z: Zone): AvailabilityZone {
  const region = world.config.region;
  return {
    ZoneName: z.name,
    ZoneId: z.id,
    State: 'available',
    RegionName: region,
    GroupName: region,
    NetworkBorderGroup: region,
    OptInStatus: 'opt-in-not-required',
    ZoneType: 'availability-zone',
    Messages: [],
  };
}

export const zoneHandlers = {
  DescribeAvailabilityZones: ec2op<DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult>((input, { world }) => {
    let list = zones(world);
    for (const name of input.ZoneNames ?? []) {
      if (!list.some((z) => z.name === name)) throw invalidValue(`Invalid availability zone: [${name}]`);
    }
    for (const id of input.ZoneIds ?? []) {
      if (!list.some((z) => z.id === id)) throw invalidValue(`Invalid availability zone ID: [${id}]`);
    }
    if (input.ZoneNames?.length) list = list.filter((z) => input.ZoneNames?.includes(z.name));
    if (input.ZoneIds?.length) list = list.filter((z) => input.ZoneIds?.includes(z.id));
    const region = world.config.region;
    list = applyFilters(list, input.Filters, {
      'zone-name': (z) => z.name,
      'zone-id': (z) => z.id,
      'region-name': () => region,
      'group-name': () => region,
      'network-border-group': () => region,
      state: () => 'available',
      'opt-in-status': () => 'opt-in-not-required',
      'zone-type': () => 'availability-zone',
      ...matchingNothing('group-long-name', 'message', 'parent-zone-id', 'parent-zone-name'),
    });
    return { AvailabilityZones: list.map((z) => zoneOut(world, z)) };
  }),
};
