import type { AddTagsToResourceMessage, ListTagsForResourceMessage, RemoveTagsFromResourceMessage, TagListMessage } from '@aws-sdk/client-elasticache';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { readTags, required, tagList } from '../rds/common.js';
import { replicationGroupNotFound } from './replication-groups.js';
import { snapshotNotFound } from './snapshots.js';
import { cacheSubnetGroupNotFound } from './subnet-groups.js';

const TAG_LIMIT = 50;

/** The replication group, cache subnet group or snapshot an ARN of this account and region names. */
function byArn(world: World, arn: string): Resource {
  const m = /^arn:aws[a-z-]*:elasticache:([a-z0-9-]+):(\d{12}):(replicationgroup|subnetgroup|snapshot):(.+)$/.exec(arn);
  if (!m || m[1] !== world.config.region || m[2] !== world.config.accountId) throw new AwsError('InvalidARN', `The ARN ${arn} is not valid.`, 400);
  const name = (m[4] as string).toLowerCase();
  if (m[3] === 'replicationgroup') {
    const rg = world.get(ResourceType.replicationGroup, name);
    if (!rg) throw replicationGroupNotFound(name);
    return rg;
  }
  if (m[3] === 'snapshot') {
    const snap = world.get(ResourceType.cacheSnapshot, name);
    if (!snap) throw snapshotNotFound(name);
    return snap;
  }
  const g = world.get(ResourceType.cacheSubnetGroup, name);
  if (!g) throw cacheSubnetGroupNotFound(name);
  return g;
}

const listTagsForResource = op<ListTagsForResourceMessage, TagListMessage>((input, { world }) => ({
  TagList: tagList(byArn(world, required(input.ResourceName, 'ResourceName')).tags),
}));

const addTagsToResource = op<AddTagsToResourceMessage, TagListMessage>((input, { world }) => {
  const r = byArn(world, required(input.ResourceName, 'ResourceName'));
  const tags = readTags(required(input.Tags, 'Tags'), Number.MAX_SAFE_INTEGER);
  if (Object.keys({ ...r.tags, ...tags }).length > TAG_LIMIT) {
    throw new AwsError('TagQuotaPerResourceExceeded', `The request cannot be processed because it would cause the resource to have more than the allowed number of tags (${TAG_LIMIT}).`, 400);
  }
  Object.assign(r.tags, tags);
  return { TagList: tagList(r.tags) };
});

const removeTagsFromResource = op<RemoveTagsFromResourceMessage, TagListMessage>((input, { world }) => {
  const r = byArn(world, required(input.ResourceName, 'ResourceName'));
  const keys = required(input.TagKeys, 'TagKeys');
  const missing = keys.find((k) => !(k in r.tags));
  if (missing !== undefined) throw new AwsError('TagNotFound', `The tag ${missing} was not found on this resource.`, 404);
  for (const k of keys) delete r.tags[k];
  return { TagList: tagList(r.tags) };
});

export const tagHandlers: Record<string, Handler> = {
  ListTagsForResource: listTagsForResource,
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
};
