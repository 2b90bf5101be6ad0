import type { AddTagsToResourceMessage, ListTagsForResourceMessage, RemoveTagsFromResourceMessage, TagListMessage } from '@aws-sdk/client-rds';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { invalidValue, readTags, required, tagList } from './common.js';
import { snapshotNotFound } from './snapshots.js';
import { subnetGroupNotFound } from './subnet-groups.js';

/** The DB instance (`db:`), snapshot (`snapshot:`) or DB subnet group (`subgrp:`) an ARN of this account and region names. */
function byArn(world: World, arn: string): Resource {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):(db|subgrp|snapshot):(.+)$/.exec(arn);
  if (!m || m[1] !== world.config.region || m[2] !== world.config.accountId) {
    throw invalidValue('The specified resource name does not match an RDS resource in this region.');
  }
  const name = (m[4] as string).toLowerCase();
  if (m[3] === 'db') {
    const db = world.get(ResourceType.dbInstance, name);
    if (!db) throw new AwsError('DBInstanceNotFound', `DBInstance ${name} not found.`, 404);
    return db;
  }
  if (m[3] === 'snapshot') {
    const snap = world.get(ResourceType.dbSnapshot, name);
    if (!snap) throw snapshotNotFound(name);
    return snap;
  }
  const group = world.get(ResourceType.dbSubnetGroup, name);
  if (!group) throw subnetGroupNotFound(name);
  return group;
}

const listTagsForResource = op<ListTagsForResourceMessage, TagListMessage>((input, { world }) => ({
  TagList: tagList(byArn(world, required(input.ResourceName, 'ResourceName')).tags),
}));

const addTagsToResource = op<AddTagsToResourceMessage, Record<string, never>>((input, { world }) => {
  const r = byArn(world, required(input.ResourceName, 'ResourceName'));
  const tags = readTags(required(input.Tags, 'Tags'));
  readTags(tagList({ ...r.tags, ...tags }));
  Object.assign(r.tags, tags);
  return {};
});

const removeTagsFromResource = op<RemoveTagsFromResourceMessage, Record<string, never>>((input, { world }) => {
  const r = byArn(world, required(input.ResourceName, 'ResourceName'));
  for (const k of required(input.TagKeys, 'TagKeys')) delete r.tags[k];
  return {};
});

export const tagHandlers: Record<string, Handler> = {
  ListTagsForResource: listTagsForResource,
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
};
