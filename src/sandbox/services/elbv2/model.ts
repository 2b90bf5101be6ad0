import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceType, type TargetGroupData } from '../../model.js';
import type { Resource, World } from '../../world.js';

/** type 'load-balancer', id = the load balancer ARN. World states: provisioning -> active; deleting until gone. */
export interface LoadBalancerData {
  name: string;
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  scheme: 'internet-facing' | 'internal';
  type: 'application';
  ipAddressType: string;
  vpcId: string;
  zones: { subnetId: string; zoneName: string }[];
  securityGroups: string[];
  attributes: Record<string, string>;
  /** The state the API keeps reporting while a delete completes (ELBv2 has no `deleting` state code). */
  stateAtDelete?: string;
}

/** type 'listener', id = the listener ARN. */
export interface ListenerData {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  /** SDK-shaped, as given (JSON-safe). */
  defaultActions: Action[];
  sslPolicy?: string;
  certificateArns?: string[];
}

export function loadBalancers(world: World): Resource<LoadBalancerData>[] {
  return world.list<LoadBalancerData>(ResourceType.loadBalancer);
}

export function targetGroups(world: World): Resource<TargetGroupData>[] {
  return world.list<TargetGroupData>(ResourceType.targetGroup);
}

export function listeners(world: World): Resource<ListenerData>[] {
  return world.list<ListenerData>(ResourceType.listener);
}


/** Target group ARNs a set of actions forwards to (plain TargetGroupArn and weighted ForwardConfig). */
export function forwardedGroups(actions: Action[]): string[] {
  const out = new Set<string>();
  for (const a of actions) {
    if (a.Type !== 'forward') continue;
    if (a.TargetGroupArn) out.add(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) out.add(t.TargetGroupArn);
  }
  return [...out];
}
