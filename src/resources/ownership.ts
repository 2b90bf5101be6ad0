import { DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, ListTagsForResourceCommand as RdsListTags } from '@aws-sdk/client-rds';
import { DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand, ListTagsForResourceCommand as CacheListTags } from '@aws-sdk/client-elasticache';
import { DescribeRepositoriesCommand, ListTagsForResourceCommand as EcrListTags } from '@aws-sdk/client-ecr';
import { DescribeLogGroupsCommand, ListTagsForResourceCommand as LogsListTags } from '@aws-sdk/client-cloudwatch-logs';
import { ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { ListTagsForResourceCommand as EcsListTags } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ThreeTierError } from '../errors.js';
import { STACK_TAG, type Identity, type NodeContext } from '../engine/kind.js';
import { orGone } from './common.js';
import { REGION_TAG } from '../names.js';

/**
 * Resources found by a derived name (load balancer, database, roles, ...) are the stack's only when they carry its
 * `three-tier:stack` tag. Without this check, a user's own `demo-db` would be adopted by `up --stack demo` and
 * deleted by `destroy --stack demo`. EC2 resources are found by tag already and need no second look.
 */
type Tags = Record<string, string>;
type TagReader = (ctx: NodeContext, identity: Identity) => Promise<Tags | undefined>;

const pairs = (list: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Tags =>
  Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
const lowerPairs = (list: { key?: string | undefined; value?: string | undefined }[] | undefined): Tags =>
  Object.fromEntries((list ?? []).map((t) => [t.key ?? '', t.value ?? '']));

const elbv2: TagReader = async (ctx, id) =>
  orGone(async () => pairs((await ctx.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [id['arn'] ?? ''] }))).TagDescriptions?.[0]?.Tags));

const ecs: TagReader = async (ctx, id) => orGone(async () => lowerPairs((await ctx.clients.ecs.send(new EcsListTags({ resourceArn: id['arn'] ?? '' }))).tags));

const readers: Record<string, TagReader> = {
  'load-balancer': elbv2,
  'target-group': elbv2,
  listener: elbv2,
  'db-instance': async (ctx, id) =>
    orGone(async () => {
      const db = (await ctx.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id['identifier'] ?? '' }))).DBInstances?.[0];
      return db ? pairs(db.TagList) : undefined;
    }),
  'db-subnet-group': async (ctx, id) =>
    orGone(async () => {
      const g = (await ctx.clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: id['name'] ?? '' }))).DBSubnetGroups?.[0];
      return g?.DBSubnetGroupArn ? pairs((await ctx.clients.rds.send(new RdsListTags({ ResourceName: g.DBSubnetGroupArn }))).TagList) : undefined;
    }),
  'cache-subnet-group': async (ctx, id) =>
    orGone(async () => {
      const g = (await ctx.clients.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: id['name'] ?? '' }))).CacheSubnetGroups?.[0];
      return g?.ARN ? pairs((await ctx.clients.elasticache.send(new CacheListTags({ ResourceName: g.ARN }))).TagList) : undefined;
    }),
  'replication-group': async (ctx, id) =>
    orGone(async () => {
      const g = (await ctx.clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id['id'] ?? '' }))).ReplicationGroups?.[0];
      return g?.ARN ? pairs((await ctx.clients.elasticache.send(new CacheListTags({ ResourceName: g.ARN }))).TagList) : undefined;
    }),
  'ecr-repository': async (ctx, id) =>
    orGone(async () => {
      const r = (await ctx.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [id['name'] ?? ''] }))).repositories?.[0];
      return r?.repositoryArn ? pairs((await ctx.clients.ecr.send(new EcrListTags({ resourceArn: r.repositoryArn }))).tags) : undefined;
    }),
  'log-group': async (ctx, id) =>
    orGone(async () => {
      const name = id['name'] ?? '';
      const g = (await ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups?.find((x) => x.logGroupName === name);
      // The log group ARN as DescribeLogGroups gives it ends in ":*", which the tagging API does not take.
      const arn = g?.arn?.replace(/:\*$/, '');
      return arn ? ((await ctx.clients.logs.send(new LogsListTags({ resourceArn: arn }))).tags ?? {}) : undefined;
    }),
  'iam-role': async (ctx, id) => orGone(async () => pairs((await ctx.clients.iam.send(new ListRoleTagsCommand({ RoleName: id['name'] ?? '' }))).Tags)),
  // DescribeSecret answers a secret's tags, and describes one scheduled for deletion too.
  secret: async (ctx, id) => orGone(async () => pairs((await ctx.clients.secrets.send(new DescribeSecretCommand({ SecretId: id['arn'] || id['name'] || '' }))).Tags)),
  'ecs-cluster': ecs,
  'task-definition': ecs,
  'ecs-service': ecs,
};

function describe(kind: string, identity: Identity): string {
  return `${kind} ${identity['name'] ?? identity['identifier'] ?? identity['id'] ?? identity['arn'] ?? '?'}`;
}

/** Whether resources of this kind are found by a derived name, and so need their tag looked at. */
export function foundByName(kind: string): boolean {
  return kind in readers;
}

/** Whether the stack owns this resource (its stack tag). Undefined when the resource is gone. */
async function ownedByStack(ctx: NodeContext, kind: string, identity: Identity): Promise<boolean | undefined> {
  const read = readers[kind];
  if (!read) return true;
  const tags = await read(ctx, identity);
  if (tags === undefined) return undefined;
  // IAM is global: a role tagged for another region belongs to the same-named stack there.
  if (tags[REGION_TAG] !== undefined && tags[REGION_TAG] !== ctx.config.region) return false;
  return tags[STACK_TAG] === ctx.config.stack;
}

/** Keep only what the stack owns: what destroy may delete and up may adopt. */
export async function ownedOnly(ctx: NodeContext, kind: string, found: Identity[]): Promise<Identity[]> {
  const out: Identity[] = [];
  for (const identity of found) if ((await ownedByStack(ctx, kind, identity)) === true) out.push(identity);
  return out;
}

/** What is there under the stack's names but is not the stack's: what `up` must not touch. */
export async function notOwned(ctx: NodeContext, kind: string, found: Identity[]): Promise<Identity[]> {
  const out: Identity[] = [];
  for (const identity of found) if ((await ownedByStack(ctx, kind, identity)) === false) out.push(identity);
  return out;
}

/** The error for names that are taken, before anything is created. */
export function namesTaken(stack: string, taken: { kind: string; identity: Identity }[]): ThreeTierError {
  return new ThreeTierError(
    'NAME_TAKEN',
    `stack "${stack}" cannot be created: ${taken.map((t) => describe(t.kind, t.identity)).join(', ')} already exist${taken.length === 1 ? 's' : ''} and ${taken.length === 1 ? 'is' : 'are'} not part of it (no ${STACK_TAG}=${stack} tag). Nothing was created.`,
    { kind: 'usage', hints: ['choose another stack name (--stack), or remove or rename those resources if they are leftovers you no longer need'] },
  );
}

/**
 * A create answered "already exists": adopt it only if it is the stack's own (a run whose answer was lost).
 * Otherwise stop before the manifest records it, naming what is in the way.
 */
export async function assertOwned(ctx: NodeContext, kind: string, identity: Identity): Promise<void> {
  const owned = await ownedByStack(ctx, kind, identity);
  if (owned === false) {
    throw new ThreeTierError('NAME_TAKEN', `${describe(kind, identity)} already exists and is not part of stack "${ctx.config.stack}" (it has no ${STACK_TAG}=${ctx.config.stack} tag)`, {
      kind: 'usage',
      hints: ['choose another stack name (--stack), or remove or rename that resource if it is a leftover you no longer need'],
    });
  }
}
