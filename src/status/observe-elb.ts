import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Listener,
  type LoadBalancer,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.js';
import type { StackNames } from '../names.js';
import { gone, seen, valueOf, type Reads, type Seen } from './read.js';

/**
 * The load balancer side in three calls at once when the manifest holds the ARNs: the load balancer by its name,
 * its listeners and the target group's health by the recorded ARNs. Only when a recorded ARN is missing or
 * no longer the live one (the resource was replaced) does a second round read by the live ARN or the name.
 */
export interface TargetGroupSeen {
  arn: string;
  targets: TargetHealthDescription[];
}

export interface ElbObservation {
  loadBalancer: Seen<LoadBalancer>;
  listeners: Seen<Listener[]>;
  targetGroup: Seen<TargetGroupSeen>;
}

export interface ElbRecorded {
  loadBalancerArn?: string | undefined;
  targetGroupArn?: string | undefined;
}

function listeners(reads: Reads, clients: AwsClients, arn: string): Promise<Seen<Listener[]>> {
  return reads.read('elbv2', 'DescribeListeners', async () => (await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? []);
}

function health(reads: Reads, clients: AwsClients, arn: string): Promise<Seen<TargetGroupSeen>> {
  return reads.read('elbv2', 'DescribeTargetHealth', async () => ({
    arn,
    targets: (await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? [],
  }));
}

async function targetGroupByName(reads: Reads, clients: AwsClients, name: string): Promise<Seen<TargetGroupSeen>> {
  const tg = await reads.read('elbv2', 'DescribeTargetGroups', async () => (await clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]);
  const arn = valueOf(tg)?.TargetGroupArn;
  if (tg.state !== 'seen' || !arn) return tg.state === 'failed' ? tg : gone;
  return health(reads, clients, arn);
}

export async function observeElb(reads: Reads, clients: AwsClients, names: StackNames, recorded: ElbRecorded): Promise<ElbObservation> {
  const lbArn = recorded.loadBalancerArn;
  const tgArn = recorded.targetGroupArn;
  const [loadBalancer, recordedListeners, recordedTargets] = await Promise.all([
    reads.read('elbv2', 'DescribeLoadBalancers', async () => (await clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: [names.loadBalancer] }))).LoadBalancers?.[0]),
    lbArn ? listeners(reads, clients, lbArn) : Promise.resolve(undefined),
    tgArn ? health(reads, clients, tgArn) : Promise.resolve(undefined),
  ]);
  const liveArn = valueOf(loadBalancer)?.LoadBalancerArn;
  let seenListeners: Seen<Listener[]>;
  if (loadBalancer.state === 'failed') seenListeners = loadBalancer;
  else if (!liveArn) seenListeners = seen([]);
  else seenListeners = liveArn === lbArn && recordedListeners ? recordedListeners : await listeners(reads, clients, liveArn);
  const targetGroup = recordedTargets && recordedTargets.state !== 'gone' ? recordedTargets : await targetGroupByName(reads, clients, names.targetGroup);
  return { loadBalancer, listeners: seenListeners, targetGroup };
}
