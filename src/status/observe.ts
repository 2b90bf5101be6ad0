import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients.js';
import type { Identity } from '../engine/kind.js';
import { iamRoleName, stackNames } from '../names.js';
import type { ReadError } from './model.js';
import { Reads, valueOf } from './read.js';
import { observeEc2, type Ec2Observation } from './observe-ec2.js';
import { observeElb, type ElbObservation } from './observe-elb.js';
import { observeData, type DataObservation } from './observe-data.js';
import { observeEcs, type EcsObservation } from './observe-ecs.js';
import { observeOther, type OtherObservation } from './observe-other.js';
import { dropForeign, type Foreign } from './owned.js';

/**
 * One observation of a whole stack: every service read at once, each batched (one describe per resource type, by
 * the stack's tag or the derived names), so the stack costs at most 16 calls in two round trips when the manifest
 * holds its ARNs (test/status/healthy.test.ts counts them; IAM has no batched read, so its two roles take two). Nothing is changed: only Describe, Get and List calls.
 */
export interface Observation {
  ec2: Ec2Observation;
  elb: ElbObservation;
  data: DataObservation;
  ecs: EcsObservation;
  other: OtherObservation;
  /** Resources under the stack's names that are not the stack's (no stack tag). */
  foreign: Foreign[];
  account?: string;
  errors: ReadError[];
}

/** Which identity key holds the AWS id a named resource is compared by. */
const ID_KEY: Record<string, string> = {
  'load-balancer': 'arn',
  'target-group': 'arn',
  database: 'identifier',
  cache: 'id',
  'ecs-service': 'arn',
  'ecr-repository': 'name',
  'log-group': 'name',
  'execution-role': 'name',
  'task-role': 'name',
  'api-key': 'arn',
  'redis-auth': 'arn',
};

/** The account, from any ARN AWS answered with; STS is asked only when nothing answered one. */
async function accountOf(reads: Reads, clients: AwsClients, o: Omit<Observation, 'account' | 'errors' | 'foreign'>): Promise<string | undefined> {
  const arns = [
    valueOf(o.elb.loadBalancer)?.LoadBalancerArn,
    valueOf(o.ecs.service)?.serviceArn,
    valueOf(o.data.dbInstance)?.DBInstanceArn,
    valueOf(o.other.role)?.Arn,
    valueOf(o.other.taskRole)?.Arn,
    valueOf(o.other.repository)?.repositoryArn,
  ];
  for (const arn of arns) {
    const account = arn?.split(':')[4];
    if (account) return account;
  }
  const who = await reads.read('sts', 'GetCallerIdentity', async () => (await clients.sts.send(new GetCallerIdentityCommand({}))).Account);
  return valueOf(who);
}

export async function observe(clients: AwsClients, stack: string, recorded: (id: string) => Identity | undefined): Promise<Observation> {
  const reads = new Reads();
  const names = stackNames(stack);
  const [ec2, elb, data, ecs, other] = await Promise.all([
    observeEc2(reads, clients, stack),
    observeElb(reads, clients, names, { loadBalancerArn: recorded('load-balancer')?.['arn'], targetGroupArn: recorded('target-group')?.['arn'] }),
    observeData(reads, clients, names),
    observeEcs(reads, clients, names),
    observeOther(
      reads,
      clients,
      names,
      recorded('execution-role')?.['name'] || iamRoleName(stack, clients.region, 'task-execution'),
      recorded('task-role')?.['name'] || iamRoleName(stack, clients.region, 'task'),
    ),
  ]);
  const named = { elb, data, ecs, other };
  const foreign = await dropForeign(reads, clients, stack, named, (id) => recorded(id)?.[ID_KEY[id] ?? ''] || undefined);
  const account = await accountOf(reads, clients, { ec2, ...named });
  const out: Observation = { ec2, ...named, foreign, errors: reads.errors };
  if (account !== undefined) out.account = account;
  return out;
}
