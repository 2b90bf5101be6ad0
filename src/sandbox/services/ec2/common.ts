import type { Filter, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { op, type CallContext, type Handler } from '../../service.js';
import { pageByOffset } from '../../paging.js';
import { tagMap } from '../../tags.js';

/**
 * What every simulated EC2 operation shares: the wire errors, id kinds and their NotFound answers, tags on create,
 * describe filters (with AWS's `*` and `?` wildcards) and MaxResults/NextToken pagination.
 */

export function missing(parameter: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${parameter}`);
}

export function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

export function combination(message: string): AwsError {
  return new AwsError('InvalidParameterCombination', message);
}

export function dependencyViolation(message: string): AwsError {
  return new AwsError('DependencyViolation', message);
}

export function required<T>(value: T | undefined | null, parameter: string): T {
  if (value === undefined || value === null || value === '') throw missing(parameter);
  return value;
}

/** An EC2 resource kind: its world type, id prefix, tag resource type and the errors AWS answers for it. */
export interface Kind {
  type: string;
  prefix: string;
  /** The `resource-type` DescribeTags reports and TagSpecifications must name. */
  tagType: string;
  notFound: (id: string) => AwsError;
  /** The `.Malformed` code, where AWS has one for this kind. */
  malformed?: string;
}

export const kinds = {
  vpc: {
    type: ResourceType.vpc,
    prefix: 'vpc',
    tagType: 'vpc',
    notFound: (id) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
    malformed: 'InvalidVpcID.Malformed',
  },
  subnet: {
    type: ResourceType.subnet,
    prefix: 'subnet',
    tagType: 'subnet',
    notFound: (id) => new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
    malformed: 'InvalidSubnetID.Malformed',
  },
  internetGateway: {
    type: ResourceType.internetGateway,
    prefix: 'igw',
    tagType: 'internet-gateway',
    notFound: (id) => new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`),
  },
  elasticIp: {
    type: ResourceType.elasticIp,
    prefix: 'eipalloc',
    tagType: 'elastic-ip',
    notFound: (id) => new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`),
  },
  natGateway: {
    type: ResourceType.natGateway,
    prefix: 'nat',
    tagType: 'natgateway',
    notFound: (id) => new AwsError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`),
  },
  routeTable: {
    type: ResourceType.routeTable,
    prefix: 'rtb',
    tagType: 'route-table',
    notFound: (id) => new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`),
    malformed: 'InvalidRouteTableID.Malformed',
  },
  securityGroup: {
    type: ResourceType.securityGroup,
    prefix: 'sg',
    tagType: 'security-group',
    notFound: (id) => new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
    malformed: 'InvalidGroupId.Malformed',
  },
  networkInterface: {
    type: ResourceType.networkInterface,
    prefix: 'eni',
    tagType: 'network-interface',
    notFound: (id) => new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
    malformed: 'InvalidNetworkInterfaceID.Malformed',
  },
  vpcEndpoint: {
    type: ResourceType.vpcEndpoint,
    prefix: 'vpce',
    tagType: 'vpc-endpoint',
    notFound: (id) => new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`),
    malformed: 'InvalidVpcEndpointId.Malformed',
  },
} satisfies Record<string, Kind>;

export function checkWellFormed(kind: Kind, id: string): void {
  if (kind.malformed && !new RegExp(`^${kind.prefix}-[0-9a-f]{8,17}$`).test(id)) {
    throw new AwsError(kind.malformed, `Invalid id: "${id}" (expecting "${kind.prefix}-...")`);
  }
}

/**
 * The resource an operation names, or the kind's NotFound. `consistent: false` (describe-by-id, CreateTags) also
 * answers NotFound while the resource is inside the eventual-consistency fault window; any other call (one that
 * changes the resource or points another at it) while it is inside the fresh-id window.
 */
export function lookup<D>(world: World, kind: Kind, id: string | undefined, parameter: string, opts: { consistent?: boolean } = {}): Resource<D> {
  const value = required(id, parameter);
  checkWellFormed(kind, value);
  const r = world.get<D>(kind.type, value);
  if (!r || (opts.consistent === false ? world.hiddenByConsistency(r as Resource) : world.hiddenAsFreshId(r as Resource))) throw kind.notFound(value);
  return r;
}

/**
 * Describe: the resources named by `ids` (each must exist, else the kind's NotFound), or all of them, minus those
 * still hidden by the eventual-consistency window.
 */
export function selectByIds<D>(world: World, kind: Kind, ids: string[] | undefined): Resource<D>[] {
  if (ids && ids.length > 0) return [...new Set(ids)].map((id) => lookup<D>(world, kind, id, 'id', { consistent: false }));
  return world.list<D>(kind.type).filter((r) => !world.hiddenByConsistency(r as Resource));
}

// ---------------------------------------------------------------------------------------------------------------
// Tags

export { tagList } from '../../tags.js';

export const maxTagsPerResource = 50;

export function validateTags(tags: Tag[]): Record<string, string> {
  return tagMap(tags, {
    entry: (t) => {
      const key = t.Key;
      if (key === undefined || key === '') throw invalidValue('Tag key cannot be null or empty.');
      if (key.length > 128) throw invalidValue(`Tag key exceeds the maximum length of 128 characters: ${key}`);
      if (key.toLowerCase().startsWith('aws:')) throw invalidValue(`Tag keys starting with 'aws:' are reserved for internal use`);
      const value = t.Value ?? '';
      if (value.length > 256) throw invalidValue(`Tag value exceeds the maximum length of 256 characters: ${value}`);
      return [key, value];
    },
    max: maxTagsPerResource,
    tooMany: tagLimit,
  });
}

export function tagLimit(): AwsError {
  return new AwsError('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.');
}

/** Tags on create: every TagSpecification must name this operation's resource type. */
export function tagsOnCreate(specs: TagSpecification[] | undefined, tagType: string): Record<string, string> {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== tagType) {
      throw invalidValue(`'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    if (!spec.Tags || spec.Tags.length === 0) throw invalidValue('Tag specification must have at least one tag');
    tags.push(...spec.Tags);
  }
  return validateTags(tags);
}

// ---------------------------------------------------------------------------------------------------------------
// Filters

/** What a filter name reads from a resource: one value, several, or none. */
export type FilterValue = string | number | boolean | undefined | (string | undefined)[];
export type FilterGetters<R> = Record<string, (r: R) => FilterValue>;

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Documented filters on what the sandbox does not model (IPv6, prefix lists, instances, …): accepted, matching nothing. */
export function matchingNothing<R>(...names: string[]): FilterGetters<R> {
  return Object.fromEntries(names.map((name) => [name, () => undefined]));
}

function asStrings(v: FilterValue): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.filter((x): x is string => x !== undefined);
  return [String(v)];
}

/**
 * Apply EC2 filters: a resource passes when, for every filter, one of its values matches one of the filter's values
 * (wildcards allowed). `tag:<key>`, `tag-key` and `tag-value` work on every describe that has tags. An unknown
 * filter name is AWS's InvalidParameterValue.
 */
export function applyFilters<R>(items: R[], filters: Filter[] | undefined, getters: FilterGetters<R>, tagsOf?: (r: R) => Record<string, string>): R[] {
  if (!filters || filters.length === 0) return items;
  const tests: ((r: R) => boolean)[] = [];
  for (const f of filters) {
    const name = required(f.Name, 'Filter.Name');
    const patterns = (f.Values ?? []).map(globToRegExp);
    const any = (values: string[]): boolean => values.some((v) => patterns.some((p) => p.test(v)));
    if (tagsOf && name.startsWith('tag:')) {
      const key = name.slice(4);
      tests.push((r) => {
        const tags = tagsOf(r);
        return Object.prototype.hasOwnProperty.call(tags, key) && any([tags[key] as string]);
      });
    } else if (tagsOf && name === 'tag-key') {
      tests.push((r) => any(Object.keys(tagsOf(r))));
    } else if (tagsOf && name === 'tag-value') {
      tests.push((r) => any(Object.values(tagsOf(r))));
    } else {
      const get = getters[name];
      if (!get) throw invalidValue(`The filter '${name}' is invalid`);
      tests.push((r) => any(asStrings(get(r))));
    }
  }
  return items.filter((r) => tests.every((t) => t(r)));
}

// ---------------------------------------------------------------------------------------------------------------
// Pagination

/**
 * One page of a describe, in the stable creation order of the listing (see paging.ts). MaxResults outside the
 * operation's range is AWS's InvalidParameterValue; without MaxResults, everything comes back.
 */
export function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, range: [number, number] = [5, 1000]): { page: T[]; NextToken?: string } {
  const [min, max] = range;
  const { items: page, next } = pageByOffset(items, nextToken, maxResults, {
    min,
    max,
    badSize: (n) => invalidValue(`Value ( ${n} ) for parameter maxResults is invalid. Parameter must be between ${min} and ${max}.`),
    badToken: (t) => new AwsError('InvalidPaginationToken', `Invalid pagination token: ${t}`),
  });
  return next === undefined ? { page } : { page, NextToken: next };
}

// ---------------------------------------------------------------------------------------------------------------
// Misc

export function ownerId(world: World): string {
  return world.config.accountId;
}

export function ec2Arn(world: World, resource: string): string {
  return world.arn('ec2', resource);
}

/** ClientToken: up to 64 ASCII characters (EC2 idempotency). */
export function checkClientToken(token: string | undefined): void {
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))) {
    throw invalidValue(`Value (${token}) for parameter clientToken is invalid. The client token must be at most 64 ASCII characters.`);
  }
}

export function idempotentMismatch(token: string): AwsError {
  return new AwsError('IdempotentParameterMismatch', `The client token '${token}' was already used with different parameters.`);
}

/**
 * ClientToken idempotency: the resource an earlier call with this token made, when `same` says the parameters match
 * (the caller answers with it again), IdempotentParameterMismatch when they do not, undefined for a new token.
 */
export function priorByClientToken<D extends { clientToken?: string }>(
  world: World,
  type: string,
  token: string | undefined,
  same: (data: D) => boolean,
): Resource<D> | undefined {
  if (token === undefined) return undefined;
  const prior = world.list<D>(type).find((r) => r.data.clientToken === token);
  if (prior && !same(prior.data)) throw idempotentMismatch(token);
  return prior;
}

/**
 * A typed EC2 handler. DryRun answers DryRunOperation (HTTP 412, as EC2 does) before anything changes: the sandbox
 * has no permissions to check.
 */
export function ec2op<I extends object, O>(fn: (input: I, ctx: CallContext) => O): Handler {
  return op<I, O>((input, ctx) => {
    if ((input as { DryRun?: boolean }).DryRun) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    return fn(input, ctx);
  });
}
