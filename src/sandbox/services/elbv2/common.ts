import { randomBytes, randomInt } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { creationKey, pageAfterKey, type PageLimits } from '../../paging.js';
import { tagList, tagMap } from '../../tags.js';
import type { Resource } from '../../world.js';

/** The signing name: what /_sandbox/resources shows as the service of load balancers, target groups, listeners. */
export const ELB_SERVICE = 'elasticloadbalancing';

/** ELBv2's generic validation error (wire code ValidationError, unmodelled: `err.name` is the code). */
export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

/** A required member that is missing, in the words ELBv2's request validation uses. */
export function required<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null || value === '') {
    throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/** Load balancer and target group names: at most 32 of [0-9A-Za-z-], no hyphen at either end. */
export function checkName(kind: 'Load balancer' | 'Target group', name: string): void {
  if (name.length > 32) throw validation(`${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[0-9A-Za-z-]+$/.test(name)) {
    throw validation(`${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  }
  if (name.startsWith('-') || name.endsWith('-')) throw validation(`${kind} name '${name}' cannot begin or end with '-' character`);
  if (kind === 'Load balancer' && name.startsWith('internal-')) throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
}

/** 16 hex digits: the id part of load balancer, target group and listener ARNs. */
export function hexId(): string {
  return randomBytes(8).toString('hex');
}

export function digits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

/** ARNs of this service, checked for shape before a lookup, as ELBv2 does ("is not a valid ... ARN"). */
const arnShapes = {
  'load balancer': /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[0-9A-Za-z-]{1,32}\/[0-9a-f]{16}$/,
  'target group': /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[0-9A-Za-z-]{1,32}\/[0-9a-f]{16}$/,
  listener: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[0-9A-Za-z-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  rule: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener-rule\/app\/[0-9A-Za-z-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
} as const;

export function checkArn(kind: keyof typeof arnShapes, arn: string): void {
  if (!arnShapes[kind].test(arn)) throw validation(`'${arn}' is not a valid ${kind} ARN`);
}

export function arnKind(arn: string): keyof typeof arnShapes | undefined {
  for (const kind of Object.keys(arnShapes) as (keyof typeof arnShapes)[]) if (arnShapes[kind].test(arn)) return kind;
  return undefined;
}

export interface Tag {
  Key: string | undefined;
  Value?: string | undefined;
}

export { tagList };

/** Load balancer and target group attributes answer as `{Key, Value}` lists, as tags do. */
export const attributeList = tagList;

/** Tags of a create or AddTags call: at most 50, no key twice, no `aws:` prefix. */
export function readTags(tags: Tag[] | undefined): Record<string, string> {
  return tagMap(tags, {
    entry: (t) => {
      const key = required(t.Key, 'tags.member.key');
      if (key.toLowerCase().startsWith('aws:')) throw validation(`Tag key '${key}' cannot start with 'aws:'`);
      return [key, t.Value ?? ''];
    },
    duplicate: (key) => new AwsError('DuplicateTagKeys', `Tag key '${key}' is duplicated`, 400),
    max: 50,
    tooMany: () => new AwsError('TooManyTags', 'The quota for the number of tags that can be assigned to a resource has been reached', 400),
  });
}

/** ELBv2's page sizes (PageSize 1-400, default 400) and marker errors. */
export const pageLimits: PageLimits = {
  min: 1,
  max: 400,
  default: 400,
  badSize: (n) => validation(`1 validation error detected: Value '${n}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`),
  badToken: (m) => validation(`Invalid marker '${m}'`),
};

/**
 * Marker pagination (Marker / PageSize, NextMarker): the marker names the last item of the previous page, so a
 * walk stays correct when items are added or removed between pages.
 */
export function paginate<T extends Resource>(items: T[], marker: string | undefined, pageSize: number | undefined): { page: T[]; next?: string } {
  const { items: page, next } = pageAfterKey(items, creationKey, marker, pageSize, pageLimits);
  return next === undefined ? { page } : { page, next };
}

/** The hosted zone of Application Load Balancers per region (the alias target zone Route 53 needs). */
const albZones: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'ca-central-1': 'ZQSVJUPU6J1EY',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-west-2': 'ZHURV8PSTC4K8',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-south-1': 'ZP97RAFLXTNZK',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-southeast-2': 'Z1GM3OXH4ZPM65',
  'sa-east-1': 'Z2P70J7HTTTPLU',
};

export function albHostedZone(region: string): string {
  return albZones[region] ?? 'Z35SXDOTRQ7X7K';
}

/** A plausible AWS public IPv4 address for an internet-facing node (the sandbox never routes to it). */
export function publicIp(): string {
  return `3.${randomInt(80, 240)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}
