import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, TagDescription } from '@aws-sdk/client-ec2';
import { AwsError } from '../../errors.js';
import { ResourceType, type SecurityGroupData, type SecurityGroupRule } from '../../model.js';
import type { World } from '../../world.js';
import { applyFilters, ec2op, kinds, lookup, maxTagsPerResource, missing, paginate, required, tagLimit, validateTags, type Kind } from './common.js';

/** Something that carries EC2 tags: a world resource, or a security group rule inside its group. */
interface Taggable {
  id: string;
  resourceType: string;
  tags: Record<string, string>;
  setTags(tags: Record<string, string>): void;
}

const allKinds: Kind[] = Object.values(kinds);

function ruleTaggable(rule: SecurityGroupRule): Taggable {
  return {
    id: rule.ruleId,
    resourceType: 'security-group-rule',
    tags: rule.tags ?? {},
    setTags: (tags) => {
      if (Object.keys(tags).length === 0) delete rule.tags;
      else rule.tags = tags;
    },
  };
}

/** The resource CreateTags/DeleteTags names; a fresh one inside the consistency window is not found yet. */
function resolve(world: World, id: string): Taggable {
  if (id.startsWith('sgr-')) {
    for (const g of world.list<SecurityGroupData>(ResourceType.securityGroup)) {
      const rule = [...g.data.ingress, ...g.data.egress].find((r) => r.ruleId === id);
      if (rule) return ruleTaggable(rule);
    }
    throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
  }
  const kind = allKinds.find((k) => id.startsWith(`${k.prefix}-`));
  if (!kind) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  const r = lookup(world, kind, id, 'resourceId', { consistent: false });
  return { id: r.id, resourceType: kind.tagType, tags: r.tags, setTags: (tags) => (r.tags = tags) };
}

function everything(world: World): Taggable[] {
  const out: Taggable[] = [];
  for (const kind of allKinds) {
    for (const r of world.list(kind.type)) out.push({ id: r.id, resourceType: kind.tagType, tags: r.tags, setTags: (tags) => (r.tags = tags) });
  }
  for (const g of world.list<SecurityGroupData>(ResourceType.securityGroup)) {
    for (const rule of [...g.data.ingress, ...g.data.egress]) out.push(ruleTaggable(rule));
  }
  return out;
}

export const tagHandlers = {
  CreateTags: ec2op<CreateTagsRequest, Record<string, never>>((input, { world }) => {
    const ids = required(input.Resources, 'resourceIdSet');
    if (ids.length === 0) throw missing('resourceIdSet');
    const tags = validateTags(required(input.Tags, 'tagSet'));
    // All or nothing: resolve and check every resource before changing any.
    const targets = ids.map((id) => resolve(world, id));
    for (const t of targets) {
      if (Object.keys({ ...t.tags, ...tags }).length > maxTagsPerResource) throw tagLimit();
    }
    for (const t of targets) t.setTags({ ...t.tags, ...tags });
    return {};
  }),

  DeleteTags: ec2op<DeleteTagsRequest, Record<string, never>>((input, { world }) => {
    const ids = required(input.Resources, 'resourceIdSet');
    const targets = ids.map((id) => resolve(world, id));
    for (const t of targets) {
      const next = { ...t.tags };
      if (!input.Tags || input.Tags.length === 0) {
        // No tags named: every user tag goes.
        for (const k of Object.keys(next)) delete next[k];
      } else {
        for (const tag of input.Tags) {
          const key = required(tag.Key, 'tag.key');
          // With a value, the tag goes only when the value matches (an empty string matches only an empty value).
          if (tag.Value === undefined || next[key] === tag.Value) delete next[key];
        }
      }
      t.setTags(next);
    }
    return {};
  }),

  DescribeTags: ec2op<DescribeTagsRequest, DescribeTagsResult>((input, { world }) => {
    const rows: TagDescription[] = [];
    for (const t of everything(world)) {
      for (const [Key, Value] of Object.entries(t.tags)) rows.push({ ResourceId: t.id, ResourceType: t.resourceType as TagDescription['ResourceType'], Key, Value });
    }
    const list = applyFilters(rows, input.Filters, {
      'resource-id': (r) => r.ResourceId,
      'resource-type': (r) => r.ResourceType,
      key: (r) => r.Key,
      value: (r) => r.Value,
    });
    const { page, NextToken } = paginate(list, input.MaxResults, input.NextToken);
    return { Tags: page, NextToken };
  }),
};
