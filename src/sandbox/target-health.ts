import type { TargetData, TargetGroupData } from './model.js';
import type { Resource, World } from './world.js';

/**
 * A target's health as the load balancer decides it, from the results of its health checks: the one place where
 * checks become states. Whoever performs a check feeds its result here (`recordHealthCheck`): the simulated checker
 * (src/sandbox/services/ecs/health-checks.ts, which reads the verdict off the simulated cloud); the data plane's real
 * HTTP checks, each result once (src/sandbox/dataplane/processes.ts). The rules (ELB user guide, "Health checks for Application Load Balancer target groups"):
 * checks run every HealthCheckIntervalSeconds; a target turns `healthy` after HealthyThresholdCount consecutive
 * passed checks and `unhealthy` after UnhealthyThresholdCount consecutive failed ones, from `initial` or from the
 * other state; a draining or unused target is not checked.
 */
export type HealthCheckResult =
  | { passed: true }
  | {
      passed: false;
      /** The target health reason code (Target.Timeout, Target.ResponseCodeMismatch, Target.FailedHealthChecks). */
      reason: string;
      description: string;
    };

/** The group's health-check cadence: the interval in wall ms (scaled) and the two thresholds. */
export function healthCheckCadence(world: World, tg: Resource<TargetGroupData>): { intervalMs: number; healthy: number; unhealthy: number } {
  return {
    intervalMs: Math.max(1, world.scaled(tg.data.healthCheckIntervalSeconds * 1000)),
    healthy: tg.data.healthyThresholdCount,
    unhealthy: tg.data.unhealthyThresholdCount,
  };
}

function findTarget(tg: Resource<TargetGroupData>, id: string, port: number): TargetData | undefined {
  return tg.data.targets.find((t) => t.id === id && t.port === port && t.state !== 'draining' && t.state !== 'unused');
}

/**
 * One health check of the target `id:port` finished at `at` (world ms; now by default) with `result`. Counts it and
 * moves the target's state when a threshold is reached. Returns the target afterwards, or undefined when the group
 * does not check it (not registered, draining, or in a group no load balancer uses).
 */
export function recordHealthCheck(world: World, tg: Resource<TargetGroupData>, id: string, port: number, result: HealthCheckResult, at: number = world.now()): TargetData | undefined {
  const target = findTarget(tg, id, port);
  if (!target) return undefined;
  const checks = target.checks ?? { passed: 0, failed: 0, lastAt: at };
  checks.lastAt = at;
  if (result.passed) {
    checks.passed++;
    checks.failed = 0;
  } else {
    checks.failed++;
    checks.passed = 0;
  }
  target.checks = checks;
  const { healthy, unhealthy } = healthCheckCadence(world, tg);
  if (result.passed && target.state !== 'healthy' && checks.passed >= healthy) {
    setState(target, 'healthy', at);
  } else if (!result.passed && checks.failed >= unhealthy) {
    if (target.state !== 'unhealthy') setState(target, 'unhealthy', at, result.reason, result.description);
    else setReason(target, result.reason, result.description);
  } else if (target.state === 'initial' && target.reason === 'Elb.RegistrationInProgress') {
    // Registered: the first checks are under way.
    setReason(target, 'Elb.InitialHealthChecking', 'Initial health checks in progress');
  }
  return target;
}

/**
 * When the next check of a target is due (world ms): an interval after the last one, or after its registration.
 * Undefined when the group does not check it.
 */
export function nextHealthCheckAt(world: World, tg: Resource<TargetGroupData>, id: string, port: number): number | undefined {
  const target = findTarget(tg, id, port);
  if (!target) return undefined;
  return (target.checks?.lastAt ?? target.registeredAt ?? target.since) + healthCheckCadence(world, tg).intervalMs;
}

function setState(target: TargetData, state: 'healthy' | 'unhealthy', at: number, reason?: string, description?: string): void {
  target.state = state;
  target.since = at;
  setReason(target, reason, description);
}

function setReason(target: TargetData, reason: string | undefined, description: string | undefined): void {
  if (reason === undefined) delete target.reason;
  else target.reason = reason;
  if (description === undefined) delete target.description;
  else target.description = description;
}
