import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { primaryOf } from '../ecs-deployments.js';
import { diagnoseStoppedTask, diagnoseTargetGroup, diagnoseTargetHealth, type Diagnosis } from '../diagnose.js';
import type { DeploymentView, DriftItem, Health, ServiceView, StoppedTaskView, TargetView } from './model.js';
import type { Expected } from './expected.js';
import { recordedIdentity, recordedOf } from './expected.js';
import type { Observation } from './observe.js';
import { routineStop, taskIdOf } from './observe-ecs.js';
import { valueOf } from './read.js';
import { targetHealth } from './states.js';

/**
 * The ECS service as a user needs it: counts, deployments with their rollout state, the circuit breaker's events,
 * the last stopped tasks with their reasons, target health per target, and what each failure means, in the words
 * `up` uses (src/diagnose.ts, the same rules on the same texts: stopped reasons, the container's last log lines,
 * target health reasons).
 */
const EVENT_PATTERN = /circuit breaker|deployment failed|rolling back|unable to consistently start|is unhealthy in|failed ELB health checks/i;

const short = (arn: string | undefined): string => arn?.split('/').pop() ?? '';

function deploymentView(d: Deployment): DeploymentView {
  const v: DeploymentView = {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinition: short(d.taskDefinition),
    running: d.runningCount ?? 0,
    desired: d.desiredCount ?? 0,
    pending: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
  };
  if (d.rolloutState) v.rolloutState = d.rolloutState;
  if (d.rolloutStateReason) v.rolloutStateReason = d.rolloutStateReason;
  if (d.createdAt) v.createdAt = d.createdAt.toISOString();
  return v;
}

function reasonOf(task: Task): string {
  return [...new Set([task.stoppedReason, ...(task.containers ?? []).map((c) => c.reason)].filter(Boolean))].join('; ');
}

function stoppedView(task: Task, lines: string[]): StoppedTaskView {
  const routine = routineStop(task);
  const v: StoppedTaskView = { taskId: taskIdOf(task), taskDefinition: short(task.taskDefinitionArn), reason: reasonOf(task), logLines: lines, routine };
  if (task.stoppedAt) v.stoppedAt = task.stoppedAt.toISOString();
  if (task.stopCode) v.stopCode = task.stopCode;
  const exit = task.containers?.find((c) => c.exitCode !== undefined)?.exitCode;
  if (exit !== undefined) v.exitCode = exit;
  const d = routine ? undefined : diagnoseStoppedTask(task.stoppedReason, ...(task.containers ?? []).map((c) => c.reason), ...lines);
  if (d) v.diagnosis = d;
  return v;
}

function targetView(t: TargetHealthDescription, logs: string): TargetView {
  const v: TargetView = { id: t.Target?.Id ?? '', state: t.TargetHealth?.State ?? 'unknown' };
  if (t.Target?.Port !== undefined) v.port = t.Target.Port;
  if (t.TargetHealth?.Reason) v.reason = t.TargetHealth.Reason;
  if (t.TargetHealth?.Description) v.description = t.TargetHealth.Description;
  if (t.TargetHealth?.State === 'unhealthy') {
    const d = diagnoseTargetHealth(t.TargetHealth.Reason, t.TargetHealth.Description, logs);
    if (d) v.diagnosis = d;
  }
  return v;
}

export interface ServiceFindings {
  service?: ServiceView;
  targets: TargetView[];
  diagnoses: Diagnosis[];
  drift: DriftItem[];
}

function health(svc: Service, desired: number, targets: TargetView[], rolledBack: boolean, paused: boolean): Health {
  if (svc.status !== 'ACTIVE') return 'missing';
  if (paused && desired === 0 && (svc.runningCount ?? 0) === 0) return 'paused';
  const primary = primaryOf(svc);
  // A failed rollout, current or rolled back (the service then runs an older revision than the stack deployed).
  if (rolledBack || (svc.deployments ?? []).some((d) => d.rolloutState === 'FAILED')) return 'failed';
  if (targets.some((t) => t.state === 'unhealthy')) return 'failed';
  const healthy = targets.filter((t) => targetHealth(t.state) === 'ok').length;
  const running = svc.runningCount ?? 0;
  if (running < desired && (primary?.failedTasks ?? 0) > 0) return 'failed';
  if (primary?.rolloutState === 'IN_PROGRESS' || running < desired || healthy < desired) return 'pending';
  return 'ok';
}

/**
 * The stack's task definition is not the PRIMARY one and the circuit breaker rolled back: its deployment failed.
 * (Once rolled back, the failed deployment leaves `deployments`; the service's events keep the story.)
 */
function rolledBackFrom(svc: Service, expectedTd: string | undefined): boolean {
  const primary = primaryOf(svc)?.taskDefinition;
  const failedOurs = (svc.deployments ?? []).some((d) => d.taskDefinition === expectedTd && d.rolloutState === 'FAILED');
  return !!expectedTd && primary !== expectedTd && (failedOurs || (svc.events ?? []).some((ev) => /rolling back/i.test(ev.message ?? '')));
}

function serviceDrift(e: Expected, svc: Service, expectedTd: string | undefined, rolledBack: boolean, sgEcs: string | undefined): DriftItem[] {
  const id = svc.serviceName ?? '';
  const out: DriftItem[] = [];
  const item = (what: string, fix: string): void => {
    out.push({ resource: 'ecs-service', awsId: id, change: 'setting-changed', what, fix });
  };
  if (svc.desiredCount !== undefined && svc.desiredCount !== e.desiredCount) {
    if (e.desiredCount === 0) item(`the service's desired count is ${svc.desiredCount} while the stack is paused`, 'run `three-tier resume` to bring the stack back, or scale the service to 0 again');
    else item(`the service's desired count is ${svc.desiredCount}; the stack says ${e.desiredCount}`, `run \`three-tier up --tasks ${e.desiredCount}\` to set it back, or \`three-tier up --tasks ${svc.desiredCount}\` to keep ${svc.desiredCount}`);
  }
  const primary = primaryOf(svc)?.taskDefinition;
  if (expectedTd && primary && primary !== expectedTd && !rolledBack) {
    item(`the service runs task definition ${short(primary)}; the stack deployed ${short(expectedTd)}`, 'run `three-tier up`: it deploys the stack\'s task definition again');
  }
  const net = svc.networkConfiguration?.awsvpcConfiguration;
  if (net?.assignPublicIp === 'ENABLED') item('the tasks get public IP addresses (assignPublicIp ENABLED)', `aws ecs update-service --cluster ${e.config.stack} --service ${id} --network-configuration (with assignPublicIp=DISABLED)`);
  if (sgEcs && net?.securityGroups && (net.securityGroups.length !== 1 || net.securityGroups[0] !== sgEcs)) {
    item(`the tasks use security groups ${net.securityGroups.join(', ')} instead of ${sgEcs}`, 'set the service\'s network configuration back, or destroy and up');
  }
  const breaker = svc.deploymentConfiguration?.deploymentCircuitBreaker;
  if (breaker && (!breaker.enable || !breaker.rollback)) item('the deployment circuit breaker (with rollback) is turned off', `aws ecs update-service --cluster ${e.config.stack} --service ${id} --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true}"`);
  return out;
}

function dedupe(ds: (Diagnosis | undefined)[]): Diagnosis[] {
  const seenCodes = new Set<string>();
  return ds.filter((d): d is Diagnosis => !!d && !seenCodes.has(d.code) && !!seenCodes.add(d.code));
}

export function serviceFindings(e: Expected, o: Observation, sgEcs: string | undefined): ServiceFindings {
  const tasks = valueOf(o.ecs.stoppedTasks) ?? [];
  const stopped = tasks.map((t) => stoppedView(t, o.ecs.logLines.get(taskIdOf(t)) ?? []));
  const logs = stopped.flatMap((s) => s.logLines).join('\n');
  const targets = (valueOf(o.elb.targetGroup)?.targets ?? []).map((t) => targetView(t, logs));
  const svc = valueOf(o.ecs.service);
  const running = svc?.runningCount ?? 0;
  const groupCheck = valueOf(o.elb.targetGroup) ? diagnoseTargetGroup(recordedOf(e, 'target-group')?.outputs?.['targetType'], targets.length, running) : undefined;
  const diagnoses = (current: boolean): Diagnosis[] => dedupe([...(current ? stopped.map((s) => s.diagnosis) : []), ...targets.map((t) => t.diagnosis), groupCheck]);
  if (!svc) return { targets, diagnoses: diagnoses(true), drift: [] };
  const primary = primaryOf(svc)?.taskDefinition;
  // A deploy that did not see its end (the manifest's record) rolled out its revision: what the stack deployed, not drift.
  const deploying = e.manifest?.deployment?.taskDefinitionArn;
  const expectedTd = deploying !== undefined && primary === deploying ? deploying : recordedIdentity(e, 'task-definition')?.['arn'];
  const rolledBack = rolledBackFrom(svc, expectedTd);
  const events = (svc.events ?? []).filter((ev) => EVENT_PATTERN.test(ev.message ?? '')).slice(0, 5);
  const view: ServiceView = {
    name: svc.serviceName ?? '',
    status: svc.status ?? 'unknown',
    running,
    desired: svc.desiredCount ?? 0,
    pending: svc.pendingCount ?? 0,
    deployments: (svc.deployments ?? []).map(deploymentView),
    events: events.map((ev) => (ev.createdAt ? { at: ev.createdAt.toISOString(), message: ev.message ?? '' } : { message: ev.message ?? '' })),
    stoppedTasks: stopped,
    health: health(svc, svc.desiredCount ?? e.desiredCount, targets, rolledBack, e.paused.has('ecs-service')),
  };
  if (primary) view.taskDefinition = short(primary);
  if (rolledBack) view.rolledBackFrom = short(expectedTd);
  // Stopped tasks are kept for an hour: once the service is healthy again, their causes are history, not advice.
  return { service: view, targets, diagnoses: diagnoses(view.health !== 'ok'), drift: serviceDrift(e, svc, expectedTd, rolledBack, sgEcs) };
}
