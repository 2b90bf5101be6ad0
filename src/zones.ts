import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBEngineVersionsCommand, DescribeOrderableDBInstanceOptionsCommand } from '@aws-sdk/client-rds';
import { ThreeTierError } from './errors.js';
import { fargateRunsIn } from './fargate-zones.js';
import type { AwsClients } from './aws/clients.js';
import type { StackConfig } from './config.js';

/** A zone the region offers this account: its name (per account) and id (the same physical zone in every account). */
export interface ZoneChoice {
  name: string;
  id: string;
}

/** Why a zone was left out. */
export interface SkippedZone extends ZoneChoice {
  why: string;
}

export interface ChosenZones {
  names: [string, string];
  ids: [string, string];
  /** The region's zones left out, with why (a zone that lacks the DB class or Fargate). */
  skipped: SkippedZone[];
  /** What was checked, in words, for the plan. */
  checked: string;
}

/** The region's zones that are available to this account (a standard zone, no opt-in needed), by name. */
async function regionZones(clients: AwsClients): Promise<ZoneChoice[]> {
  const out = await clients.ec2.send(
    new DescribeAvailabilityZonesCommand({
      Filters: [
        { Name: 'state', Values: ['available'] },
        { Name: 'zone-type', Values: ['availability-zone'] },
        { Name: 'opt-in-status', Values: ['opt-in-not-required'] },
      ],
    }),
  );
  return (out.AvailabilityZones ?? [])
    .filter((z) => z.ZoneName && z.ZoneId)
    .map((z) => ({ name: z.ZoneName ?? '', id: z.ZoneId ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The zone names where RDS offers the DB class (gp3 storage, in a VPC) for the stack's PostgreSQL version. The
 * version may be a major (`16`): RDS resolves it to the major's default minor, which DescribeDBEngineVersions names;
 * the orderable options are listed for exact versions.
 */
async function zonesOfferingDbClass(clients: AwsClients, config: StackConfig): Promise<{ zones: Set<string>; version: string }> {
  let version = config.dbEngineVersion;
  if (!version.includes('.')) {
    const out = await clients.rds.send(new DescribeDBEngineVersionsCommand({ Engine: 'postgres', EngineVersion: version, DefaultOnly: true }));
    const resolved = out.DBEngineVersions?.[0]?.EngineVersion;
    if (!resolved) {
      throw new ThreeTierError('DB_VERSION_NOT_OFFERED', `RDS in ${config.region} offers no PostgreSQL ${version}`, {
        kind: 'usage',
        hints: [`list what it offers: aws rds describe-db-engine-versions --engine postgres --region ${config.region}`],
      });
    }
    version = resolved;
  }
  const zones = new Set<string>();
  let marker: string | undefined;
  do {
    const out = await clients.rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres', EngineVersion: version, DBInstanceClass: config.dbInstanceClass, Vpc: true, MaxRecords: 100, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const o of out.OrderableDBInstanceOptions ?? []) {
      if (o.StorageType !== undefined && o.StorageType !== 'gp3') continue;
      for (const z of o.AvailabilityZones ?? []) if (z.Name) zones.add(z.Name);
    }
    marker = out.Marker;
  } while (marker);
  return { zones, version };
}

/**
 * The two availability zones of the stack: the first two (by name) that the region offers to this account and that
 * offer everything the stack needs there: the DB instance class (RDS's orderable options, per zone) and Fargate
 * (only some zone ids in some regions, src/fargate-zones.ts). ElastiCache publishes no per-zone offerings: its
 * node goes to a zone of the two that offers the node type, and a create with none answers
 * InsufficientCacheClusterCapacity, naming the zones that do. Chosen once; the manifest keeps them, so a later run
 * never moves a subnet.
 */
export async function chooseAvailabilityZones(clients: AwsClients, config: StackConfig): Promise<ChosenZones> {
  const [all, db] = await Promise.all([regionZones(clients), zonesOfferingDbClass(clients, config)]);
  const skipped: SkippedZone[] = [];
  const usable: ZoneChoice[] = [];
  for (const z of all) {
    const lacks = [
      ...(db.zones.has(z.name) ? [] : [`RDS offers no ${config.dbInstanceClass} (PostgreSQL ${db.version}) there`]),
      ...(fargateRunsIn(config.region, z.id) ? [] : ['Fargate does not run there']),
    ];
    if (lacks.length > 0) skipped.push({ ...z, why: lacks.join('; ') });
    else usable.push(z);
  }
  const checked = `zones offering ${config.dbInstanceClass} and Fargate`;
  const [a, b] = usable;
  if (!a || !b) {
    const detail = all.length === 0 ? 'it offers no availability zone to this account' : skipped.map((z) => `${z.name} (${z.id}): ${z.why}`).join('; ');
    throw new ThreeTierError(
      'REGION_CANNOT_HOST',
      `region ${config.region} cannot host the stack: it needs two availability zones offering ${config.dbInstanceClass} and Fargate, and has ${usable.length}${usable.length === 1 ? ` (${a?.name})` : ''}. ${detail}`,
      {
        kind: 'usage',
        hints: ['choose another region with --region', ...(config.dbInstanceClass === 'db.t4g.micro' ? [] : ['or another DB class with --db-class (db.t4g.micro is offered most widely)'])],
      },
    );
  }
  return { names: [a.name, b.name], ids: [a.id, b.id], skipped, checked };
}
