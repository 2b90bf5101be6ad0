/** What the CloudWatch Logs handlers share: the name rules, the group lookup and paging, with Logs' own errors. */
import { AwsError } from '../../errors.js';
import { pageByOffset, type PageLimits } from '../../paging.js';
import type { Resource, World } from '../../world.js';
import { logGroup, type LogGroupData } from './store.js';

const NAME = /^[.\-_/#A-Za-z0-9]+$/;

export const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);
export const groupNotFound = (): AwsError => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);

export function checkGroupName(name: string | undefined): string {
  if (name === undefined || name === '') throw invalid("1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
  if (name.length > 512) throw invalid(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512`);
  if (!NAME.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
  return name;
}

/** The group named directly, or by `logGroupIdentifier` (a name or an ARN). */
export function groupOf(world: World, name: string | undefined, identifier?: string): Resource<LogGroupData> {
  let key = name;
  if (key === undefined && identifier !== undefined) {
    const m = /^arn:aws:logs:[^:]*:\d{12}:log-group:(.+?)(?::\*)?$/.exec(identifier);
    key = m?.[1] ?? identifier;
  }
  const group = logGroup(world, checkGroupName(key));
  if (!group) throw groupNotFound();
  return group;
}

/** Page sizes 1..max (default max) and offset tokens, with Logs' own errors. */
export function limits(max: number, field = 'limit'): PageLimits {
  return {
    min: 1,
    max,
    default: max,
    badSize: (n) => invalid(`1 validation error detected: Value '${n}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`),
    badToken: () => invalid('The specified nextToken is invalid.'),
  };
}

export function pageOf<T>(items: T[], token: string | undefined, limit: number | undefined, max: number): { items: T[]; nextToken?: string } {
  const p = pageByOffset(items, token, limit, limits(max));
  return p.next === undefined ? { items: p.items } : { items: p.items, nextToken: p.next };
}
