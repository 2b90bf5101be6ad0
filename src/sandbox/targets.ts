import { ResourceType, type TargetData, type TargetGroupData } from './model.js';
import type { Resource, World } from './world.js';

/**
 * Target registration, shared by ELBv2 (RegisterTargets / DeregisterTargets / DescribeTargetHealth) and ECS (a
 * service registers its tasks' IPs in its `ip` target group and drains them when tasks stop).
 */
export function targetGroup(world: World, arn: string): Resource<TargetGroupData> | undefined {
  return world.get<TargetGroupData>(ResourceType.targetGroup, arn);
}

export function registerTarget(world: World, tg: Resource<TargetGroupData>, target: { id: string; port?: number; availabilityZone?: string }): TargetData {
  const port = target.port ?? tg.data.port;
  const existing = tg.data.targets.find((t) => t.id === target.id && t.port === port);
  if (existing && existing.state !== 'draining') return existing;
  if (existing) tg.data.targets = tg.data.targets.filter((t) => t !== existing);
  const data: TargetData = {
    id: target.id,
    port,
    // A target group that no load balancer uses does not check health: AWS reports `unused`.
    state: tg.data.loadBalancerArns.length === 0 ? 'unused' : 'initial',
    reason: tg.data.loadBalancerArns.length === 0 ? 'Target.NotInUse' : 'Elb.RegistrationInProgress',
    since: world.now(),
    registeredAt: world.now(),
  };
  if (target.availabilityZone !== undefined) data.availabilityZone = target.availabilityZone;
  tg.data.targets.push(data);
  return data;
}

export function setTargetHealth(world: World, tg: Resource<TargetGroupData>, id: string, state: TargetData['state'], reason?: string, description?: string): void {
  for (const t of tg.data.targets) {
    if (t.id !== id || t.state === 'draining') continue;
    t.state = state;
    t.since = world.now();
    if (reason === undefined) delete t.reason;
    else t.reason = reason;
    if (description === undefined) delete t.description;
    else t.description = description;
  }
}

/** Seconds of the group's deregistration delay (attribute deregistration_delay.timeout_seconds, AWS default 300). */
export function deregistrationDelaySeconds(tg: Resource<TargetGroupData>): number {
  const raw = tg.data.attributes['deregistration_delay.timeout_seconds'];
  const n = raw === undefined ? 300 : Number(raw);
  return Number.isFinite(n) ? n : 300;
}

/** Start draining a target; it disappears from the group after the deregistration delay (scaled). */
export function deregisterTarget(world: World, tg: Resource<TargetGroupData>, id: string, port?: number): void {
  const until = world.now() + world.scaled(deregistrationDelaySeconds(tg) * 1000);
  for (const t of tg.data.targets) {
    if (t.id !== id || (port !== undefined && t.port !== port) || t.state === 'draining') continue;
    t.state = 'draining';
    t.reason = 'Target.DeregistrationInProgress';
    t.description = 'Target deregistration is in progress';
    t.since = until;
  }
}

/** Remove targets whose draining time is over. Called by the ELBv2 reconciler. */
export function expireDrainedTargets(world: World): void {
  const now = world.now();
  for (const tg of world.list<TargetGroupData>(ResourceType.targetGroup)) {
    tg.data.targets = tg.data.targets.filter((t) => !(t.state === 'draining' && t.since <= now));
  }
}
