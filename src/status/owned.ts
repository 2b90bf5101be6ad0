import { DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListTagsForResourceCommand as CacheListTags } from '@aws-sdk/client-elasticache';
import { ListTagsForResourceCommand as EcrListTags } from '@aws-sdk/client-ecr';
import { ListTagsForResourceCommand as LogsListTags } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../aws/clients.js';
import { stackNames, type StackNames } from '../names.js';
import { STACK_TAG } from '../engine/kind.js';
import { gone, seen, valueOf, type Reads, type Seen } from './read.js';
import type { ElbObservation } from './observe-elb.js';
import type { DataObservation } from './observe-data.js';
import type { EcsObservation } from './observe-ecs.js';
import type { OtherObservation } from './observe-other.js';

/**
 * Names are not ownership (src/resources/ownership.ts): what is read by a derived name counts as the stack's only
 * when it carries the stack's tag. A resource whose id the manifest recorded is the stack's; for the others the
 * tags are read (in the describe's own answer where it has them, else one tag call per service, ELBv2's batched),
 * and what is not the stack's is set aside as foreign: someone else's resource under the stack's name.
 */
export interface Foreign {
  resource: string;
  name: string;
}

type Pairs = { Key?: string | undefined; Value?: string | undefined }[] | undefined;
const stackOf = (tags: Pairs): string | undefined => tags?.find((t) => t.Key === STACK_TAG)?.Value;

export interface NamedObservation {
  elb: ElbObservation;
  data: DataObservation;
  ecs: EcsObservation;
  other: OtherObservation;
}

interface Candidate {
  resource: string;
  name: string;
  id: string;
  /** The stack tag when the describe answered it; otherwise read by `lookup`. */
  tagged?: string | undefined;
  service?: 'elbv2' | 'elasticache' | 'ecr' | 'logs';
  drop: () => void;
}

function candidates(o: NamedObservation, names: StackNames): Candidate[] {
  const out: Candidate[] = [];
  const add = <T>(s: Seen<T>, c: (v: T) => Omit<Candidate, 'drop'>, set: (v: Seen<T>) => void): void => {
    const v = valueOf(s);
    if (v !== undefined) out.push({ ...c(v), drop: () => set(gone) });
  };
  add(o.elb.loadBalancer, (v) => ({ resource: 'load-balancer', name: v.LoadBalancerName ?? '', id: v.LoadBalancerArn ?? '', service: 'elbv2' }), (s) => {
    o.elb.loadBalancer = s;
    // Its listeners are its own: not the stack's either.
    o.elb.listeners = seen([]);
  });
  add(o.elb.targetGroup, (v) => ({ resource: 'target-group', name: v.arn.split('/')[1] ?? v.arn, id: v.arn, service: 'elbv2' }), (s) => (o.elb.targetGroup = s));
  add(o.data.dbInstance, (v) => ({ resource: 'database', name: v.DBInstanceIdentifier ?? '', id: v.DBInstanceIdentifier ?? '', tagged: stackOf(v.TagList) ?? '' }), (s) => (o.data.dbInstance = s));
  add(o.data.replicationGroup, (v) => ({ resource: 'cache', name: v.ReplicationGroupId ?? '', id: v.ReplicationGroupId ?? '', service: 'elasticache' }), (s) => (o.data.replicationGroup = s));
  add(o.ecs.service, (v) => ({ resource: 'ecs-service', name: v.serviceName ?? '', id: v.serviceArn ?? '', tagged: v.tags?.find((t) => t.key === STACK_TAG)?.value ?? '' }), (s) => (o.ecs.service = s));
  add(o.other.repository, (v) => ({ resource: 'ecr-repository', name: v.repositoryName ?? '', id: v.repositoryName ?? '', service: 'ecr' }), (s) => (o.other.repository = s));
  add(o.other.logGroup, (v) => ({ resource: 'log-group', name: v.logGroupName ?? '', id: v.logGroupName ?? '', service: 'logs' }), (s) => (o.other.logGroup = s));
  add(o.other.role, (v) => ({ resource: 'execution-role', name: v.RoleName ?? '', id: v.RoleName ?? '', tagged: stackOf(v.Tags) ?? '' }), (s) => (o.other.role = s));
  add(o.other.taskRole, (v) => ({ resource: 'task-role', name: v.RoleName ?? '', id: v.RoleName ?? '', tagged: stackOf(v.Tags) ?? '' }), (s) => (o.other.taskRole = s));
  // ListSecrets answers each secret's tags; the node of a secret is the one whose derived name it holds.
  for (const secret of valueOf(o.other.secrets) ?? []) {
    const resource = Object.entries(names.secret).find(([, n]) => n === secret.Name)?.[0];
    if (resource === undefined) continue;
    out.push({
      resource,
      name: secret.Name ?? '',
      id: secret.ARN ?? '',
      tagged: stackOf(secret.Tags) ?? '',
      drop: () => (o.other.secrets = seen((valueOf(o.other.secrets) ?? []).filter((x) => x !== secret))),
    });
  }
  return out;
}

/** ARNs for the tag APIs, from what the describes answered. */
function arnOf(o: NamedObservation, c: Candidate): string {
  if (c.service === 'elasticache') return valueOf(o.data.replicationGroup)?.ARN ?? '';
  if (c.service === 'ecr') return valueOf(o.other.repository)?.repositoryArn ?? '';
  // DescribeLogGroups' ARN ends in ":*", which the tagging API does not take.
  if (c.service === 'logs') return valueOf(o.other.logGroup)?.arn?.replace(/:\*$/, '') ?? '';
  return c.id;
}

async function readTags(reads: Reads, clients: AwsClients, o: NamedObservation, unknown: Candidate[]): Promise<void> {
  const elb = unknown.filter((c) => c.service === 'elbv2');
  const jobs: Promise<unknown>[] = [];
  if (elb.length) {
    jobs.push(
      reads.read('elbv2', 'DescribeTags', async () => {
        const out = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: elb.map((c) => c.id) }));
        for (const c of elb) c.tagged = stackOf(out.TagDescriptions?.find((d) => d.ResourceArn === c.id)?.Tags) ?? '';
        return true;
      }),
    );
  }
  for (const c of unknown) {
    const arn = arnOf(o, c);
    if (c.service === 'elasticache') {
      jobs.push(reads.read('elasticache', 'ListTagsForResource', async () => (c.tagged = stackOf((await clients.elasticache.send(new CacheListTags({ ResourceName: arn }))).TagList) ?? '')));
    } else if (c.service === 'ecr') {
      jobs.push(reads.read('ecr', 'ListTagsForResource', async () => (c.tagged = stackOf((await clients.ecr.send(new EcrListTags({ resourceArn: arn }))).tags) ?? '')));
    } else if (c.service === 'logs') {
      jobs.push(reads.read('logs', 'ListTagsForResource', async () => (c.tagged = (await clients.logs.send(new LogsListTags({ resourceArn: arn }))).tags?.[STACK_TAG] ?? '')));
    }
  }
  await Promise.all(jobs);
}

/** Set aside what is not the stack's; `recorded` answers the AWS id the manifest holds for a logical id. */
export async function dropForeign(reads: Reads, clients: AwsClients, stack: string, o: NamedObservation, recorded: (id: string) => string | undefined): Promise<Foreign[]> {
  const unverified = candidates(o, stackNames(stack)).filter((c) => recorded(c.resource) !== c.id);
  await readTags(
    reads,
    clients,
    o,
    unverified.filter((c) => c.tagged === undefined),
  );
  const foreign: Foreign[] = [];
  // A tag that could not be read (failed call) leaves the resource as it is: the read error already says so.
  for (const c of unverified) {
    if (c.tagged !== undefined && c.tagged !== stack) {
      c.drop();
      foreign.push({ resource: c.resource, name: c.name });
    }
  }
  return foreign;
}
