import type {
  AddTagsInput,
  AddTagsOutput,
  DescribeTagsInput,
  DescribeTagsOutput,
  RemoveTagsInput,
  RemoveTagsOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { arnKind, readTags, required, tagList, validation } from './common.js';

/** The load balancer, target group or listener an ARN names, or the not-found error of its kind. */
function byArn(world: World, arn: string): Resource {
  const kind = arnKind(arn);
  if (kind === 'load balancer') {
    const r = world.get(ResourceType.loadBalancer, arn);
    if (!r) throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`, 400);
    return r;
  }
  if (kind === 'target group') {
    const r = world.get(ResourceType.targetGroup, arn);
    if (!r) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`, 400);
    return r;
  }
  if (kind === 'listener') {
    const r = world.get(ResourceType.listener, arn);
    if (!r) throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`, 400);
    return r;
  }
  throw validation(`'${arn}' is not a valid resource ARN`);
}

const addTags = op<AddTagsInput, AddTagsOutput>((input, { world }) => {
  const arns = required(input.ResourceArns, 'resourceArns');
  const tags = readTags(required(input.Tags, 'tags'));
  const resources = arns.map((a) => byArn(world, a));
  for (const r of resources) {
    if (Object.keys({ ...r.tags, ...tags }).length > 50) {
      throw new AwsError('TooManyTags', 'The quota for the number of tags that can be assigned to a resource has been reached', 400);
    }
  }
  for (const r of resources) Object.assign(r.tags, tags);
  return {};
});

const removeTags = op<RemoveTagsInput, RemoveTagsOutput>((input, { world }) => {
  const arns = required(input.ResourceArns, 'resourceArns');
  const keys = required(input.TagKeys, 'tagKeys');
  const resources = arns.map((a) => byArn(world, a));
  for (const r of resources) for (const k of keys) delete r.tags[k];
  return {};
});

const describeTags = op<DescribeTagsInput, DescribeTagsOutput>((input, { world }) => {
  const arns = required(input.ResourceArns, 'resourceArns');
  if (arns.length > 20) {
    throw validation(`1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20`);
  }
  return { TagDescriptions: arns.map((a) => ({ ResourceArn: a, Tags: tagList(byArn(world, a).tags) })) };
});

export const tagHandlers: Record<string, Handler> = {
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags,
};
