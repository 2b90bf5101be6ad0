import { createHash } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { ResourceType, type SecurityGroupData, type SubnetData } from '../../model.js';
import { creationKey, pageAfterKey, type PageLimits } from '../../paging.js';
import { tagMap } from '../../tags.js';
import type { Resource, World } from '../../world.js';

/**
 * Helpers shared by the two awsQuery services with Marker / MaxRecords pagination and name-based resources: RDS
 * and ElastiCache. Each passes its own error codes.
 */
export const invalidValue = (message: string): AwsError => new AwsError('InvalidParameterValue', message, 400);
export const invalidCombination = (message: string): AwsError => new AwsError('InvalidParameterCombination', message, 400);

/** A required member that is missing, in the words RDS and ElastiCache use. */
export function required<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null || value === '') throw invalidValue(`The parameter ${member} must be provided and must not be blank.`);
  return value;
}

export interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

export function readTags(tags: Tag[] | undefined, limit = 50): Record<string, string> {
  return tagMap(tags, {
    entry: (t) => {
      if (!t.Key) throw invalidValue('Tag keys must not be empty.');
      return [t.Key, t.Value ?? ''];
    },
    max: limit,
    tooMany: () => invalidValue(`A resource can have at most ${limit} tags.`),
  });
}

export { tagList } from '../../tags.js';

/** MaxRecords between 20 and 100 (default 100), as RDS and ElastiCache enforce, and their marker error. */
export const recordLimits: PageLimits = {
  min: 20,
  max: 100,
  default: 100,
  badSize: (n) => invalidValue(`Invalid value ${n} for MaxRecords. Must be between 20 and 100`),
  badToken: (m) => invalidValue(`Invalid marker: ${m}`),
};

/** Marker pagination of resources in creation order: the marker names the last item of the previous page. */
export function paginate<T extends Resource>(items: T[], marker: string | undefined, maxRecords: number | undefined): { page: T[]; marker?: string } {
  const { items: page, next } = pageAfterKey(items, creationKey, marker, maxRecords, recordLimits);
  return next === undefined ? { page } : { page, marker: next };
}

/** Lowercase letters and digits derived from the account and region: the per-account part of endpoint names. */
export function accountHash(world: World, salt: string, length: number): string {
  const hex = createHash('sha256').update(`${salt}:${world.config.accountId}:${world.config.region}`).digest('hex');
  let out = '';
  for (let i = 0; out.length < length; i += 2) {
    const n = parseInt(hex.slice(i % hex.length, (i % hex.length) + 2), 16);
    out += 'abcdefghijklmnopqrstuvwxyz0123456789'[n % 36];
  }
  return out;
}

export interface SubnetPick {
  subnetId: string;
  availabilityZone: string;
}

/** Subnets of a subnet group: every one exists, all in one VPC. Errors are the caller's codes. */
export function readSubnets(
  world: World,
  ids: string[],
  errors: { missing: (id: string) => AwsError; vpcs: () => AwsError },
): { vpcId: string; subnets: SubnetPick[] } {
  const subnets: Resource<SubnetData>[] = [];
  for (const id of ids) {
    const s = world.get<SubnetData>(ResourceType.subnet, id);
    if (!s) throw errors.missing(id);
    if (!subnets.some((x) => x.id === id)) subnets.push(s);
  }
  if (new Set(subnets.map((s) => s.data.vpcId)).size > 1) throw errors.vpcs();
  return {
    vpcId: subnets[0]?.data.vpcId ?? '',
    subnets: subnets.map((s) => ({ subnetId: s.id, availabilityZone: s.data.availabilityZone })),
  };
}

/** Security groups that exist and belong to the VPC, or the caller's errors. */
export function readSecurityGroups(
  world: World,
  ids: string[],
  vpcId: string,
  errors: { missing: (id: string) => AwsError; otherVpc: (id: string) => AwsError },
): string[] {
  for (const id of ids) {
    const sg = world.get<SecurityGroupData>(ResourceType.securityGroup, id);
    if (!sg) throw errors.missing(id);
    if (sg.data.vpcId !== vpcId) throw errors.otherVpc(id);
  }
  return [...new Set(ids)];
}

/** The subnet for an interface: the one in the wanted AZ, else round-robin by index. */
export function pickSubnet(subnets: SubnetPick[], index: number, wantedAz?: string): SubnetPick | undefined {
  if (wantedAz) return subnets.find((s) => s.availabilityZone === wantedAz);
  return subnets[index % subnets.length];
}
