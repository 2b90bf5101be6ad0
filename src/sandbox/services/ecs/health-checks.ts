/**
 * The load balancer's health checks of ECS tasks that are not real processes: at each interval of the target
 * group, the check's result is read off the simulated cloud (startup.ts healthVerdict: the security groups between
 * the load balancer, the task, the database and the cache; the task's TLS settings against RDS and ElastiCache) and
 * fed to the shared rules (src/sandbox/target-health.ts), which apply the thresholds. A task the data plane runs as
 * a process is checked over real HTTP by the data plane (src/sandbox/dataplane/processes.ts), whose results go
 * through the same rules. Then ECS reacts to what the load balancer decided, whoever checked: a
 * task whose target turned unhealthy is reported and, once its grace period is over, replaced.
 */
import { ResourceType, type TargetGroupData } from '../../model.js';
import { healthCheckCadence, nextHealthCheckAt, recordHealthCheck, type HealthCheckResult } from '../../target-health.js';
import { dataPlaneOf } from '../../dataplane/registry.js';
import { targetGroup } from '../../targets.js';
import type { Resource, World } from '../../world.js';
import type { TaskData } from './model.js';
import { healthVerdict } from './startup.js';
import { addEvent, serviceOfTask, stopTask, taskDefinitionOf, writeLog } from './tasks.js';

function serving(task: Resource<TaskData>): boolean {
  return task.state === 'RUNNING' && task.data.desiredStatus === 'RUNNING';
}

/** Run every simulated check that has come due since the last tick. */
export function runSimulatedHealthChecks(world: World): void {
  const now = world.now();
  for (const task of world.list<TaskData>(ResourceType.ecsTask)) {
    if (!serving(task) || task.data.targets.length === 0) continue;
    const t = task.data;
    const svc = serviceOfTask(world, t);
    const td = taskDefinitionOf(world, t.taskDefinitionArn);
    if (!svc || !td) continue;
    for (const ref of t.targets) {
      const tg = targetGroup(world, ref.targetGroupArn);
      const lb = svc.data.loadBalancers.find((l) => l.targetGroupArn === ref.targetGroupArn);
      if (!tg || !lb) continue;
      const first = nextHealthCheckAt(world, tg, t.privateIp, ref.port);
      if (first === undefined) continue;
      // Simulated checks run when due; a process's real checks are taken as they come.
      if (first > now && dataPlaneOf(world)?.runs(t.taskArn) !== true) continue;
      const verdict = healthVerdict(world, t, td.data, tg as Resource<TargetGroupData>, lb.containerName, lb.containerPort);
      if (verdict.real) {
        // Real checks ran in real time: each one counts, in order, against the same thresholds.
        for (const r of verdict.real) recordHealthCheck(world, tg, t.privateIp, ref.port, r, now);
        continue;
      }
      const result: HealthCheckResult = verdict.healthy
        ? { passed: true }
        : { passed: false, reason: verdict.reason ?? 'Target.FailedHealthChecks', description: verdict.description ?? 'Health checks failed' };
      // Every check missed since the last tick saw the same cloud, so it had the same result; past the larger
      // threshold more of them change nothing.
      const { intervalMs, healthy, unhealthy } = healthCheckCadence(world, tg);
      const due = Math.floor((now - first) / intervalMs) + 1;
      const run = Math.min(due, Math.max(healthy, unhealthy));
      const before = tg.data.targets.find((x) => x.id === t.privateIp && x.port === ref.port)?.state;
      let after = before;
      for (let i = due - run; i < due; i++) after = recordHealthCheck(world, tg, t.privateIp, ref.port, result, first + i * intervalMs)?.state;
      // What the application logs while it fails its checks (once per turn to unhealthy).
      if (after === 'unhealthy' && before !== 'unhealthy' && verdict.logLine) writeLog(world, t, verdict.logLine, lb.containerName);
    }
  }
}

/**
 * ECS watches its tasks' targets: one that turned unhealthy gets the service event and, after the service's
 * healthCheckGracePeriodSeconds from the task's start, the task is stopped ("Task failed ELB health checks").
 */
export function reactToTargetHealth(world: World): void {
  for (const task of world.list<TaskData>(ResourceType.ecsTask)) {
    const t = task.data;
    if (!serving(task) || t.unhealthyIn !== undefined) continue;
    const svc = serviceOfTask(world, t);
    if (!svc) continue;
    for (const ref of t.targets) {
      const tg = targetGroup(world, ref.targetGroupArn);
      const target = tg?.data.targets.find((x) => x.id === t.privateIp && x.port === ref.port);
      if (!tg || target?.state !== 'unhealthy') continue;
      addEvent(
        world,
        svc,
        `(service ${svc.data.serviceName}) (task ${t.taskId}) (port ${ref.port}) is unhealthy in (target-group ${tg.id}) due to (reason ${target.description ?? target.reason ?? 'Health checks failed'}).`,
      );
      const graceEnd = (t.startedAt ?? world.now()) + world.scaled((svc.data.healthCheckGracePeriodSeconds ?? 0) * 1000);
      t.unhealthyIn = tg.id;
      t.version++;
      world.scheduleAt(task, Math.max(world.now(), graceEnd), 'RUNNING', 'task-elb-kill');
      break;
    }
  }
}

/** The grace period is over: stop the task if its target is still unhealthy (it may have recovered meanwhile). */
export function onElbKill(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  if (t.desiredStatus !== 'RUNNING' || !t.unhealthyIn) return;
  const ref = t.targets.find((x) => x.targetGroupArn === t.unhealthyIn);
  const target = ref ? targetGroup(world, ref.targetGroupArn)?.data.targets.find((x) => x.id === t.privateIp && x.port === ref.port) : undefined;
  if (target && target.state !== 'unhealthy') {
    delete t.unhealthyIn;
    return;
  }
  const svc = serviceOfTask(world, t);
  stopTask(world, task, { reason: `Task failed ELB health checks in (target-group ${t.unhealthyIn})`, stopCode: 'ServiceSchedulerInitiated', failed: true });
  if (svc) addEvent(world, svc, `(service ${svc.data.serviceName}) has stopped 1 running tasks: (task ${t.taskId}).`);
}
