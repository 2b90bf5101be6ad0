/**
 * The ECS service scheduler, run by the world after every tick: keep `desiredCount` tasks of the PRIMARY
 * deployment, replace old deployments' tasks once new ones are ready (minimumHealthyPercent 100, maximumPercent
 * 200), complete deployments, trip the circuit breaker and roll back, throttle failing launches, drain deleted
 * services, and finish deleting task definitions nothing uses any more.
 */
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { ecsDurations, newDeploymentId, type DeploymentData, type ServiceData, type TaskData, type TaskDefinitionData } from './model.js';
import { addEvent, isReady, launchTask, stopTask, taskDefinitionOf } from './tasks.js';
import { reactToTargetHealth, runSimulatedHealthChecks } from './health-checks.js';

/** Failed tasks that trip the breaker: half the desired count, at least 3 and at most 200. */
export function breakerThreshold(desiredCount: number): number {
  return Math.max(3, Math.min(200, Math.ceil(desiredCount / 2)));
}

export function newDeployment(world: World, taskDefinition: string, reason?: string): DeploymentData {
  const now = world.now();
  const id = newDeploymentId();
  return {
    id,
    status: 'PRIMARY',
    taskDefinition,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
    createdAt: now,
    updatedAt: now,
    consecutiveFailures: 0,
    nextLaunchAt: 0,
    halted: false,
  };
}

/** Start a new PRIMARY deployment; the old primary becomes ACTIVE until its tasks are gone. */
export function startDeployment(world: World, svc: Resource<ServiceData>, taskDefinition: string, reason?: string): DeploymentData {
  const now = world.now();
  for (const d of svc.data.deployments) {
    if (d.status === 'PRIMARY') {
      d.status = 'ACTIVE';
      d.updatedAt = now;
    }
  }
  const d = newDeployment(world, taskDefinition, reason);
  svc.data.deployments.unshift(d);
  // INACTIVE deployments are history; keep a few.
  const inactive = svc.data.deployments.filter((x) => x.status === 'INACTIVE');
  if (inactive.length > 10) svc.data.deployments = svc.data.deployments.filter((x) => x.status !== 'INACTIVE' || inactive.indexOf(x) < 10);
  svc.data.steady = false;
  return d;
}

export function serviceTasks(world: World, svc: Resource<ServiceData>): Resource<TaskData>[] {
  return world
    .list<TaskData>(ResourceType.ecsTask)
    .filter((t) => t.data.serviceName === svc.data.serviceName && t.data.clusterName === svc.data.clusterName && svc.data.deployments.some((d) => d.id === t.data.deploymentId));
}

function taskTags(svc: Resource<ServiceData>, td: Resource<TaskDefinitionData>): Record<string, string> {
  const tags: Record<string, string> = {};
  if (svc.data.propagateTags === 'SERVICE') Object.assign(tags, svc.tags);
  if (svc.data.propagateTags === 'TASK_DEFINITION') Object.assign(tags, td.tags);
  if (svc.data.enableECSManagedTags) {
    tags['aws:ecs:clusterName'] = svc.data.clusterName;
    tags['aws:ecs:serviceName'] = svc.data.serviceName;
  }
  return tags;
}

function stoppedEvent(world: World, svc: Resource<ServiceData>, tasks: Resource<TaskData>[]): void {
  if (tasks.length === 0) return;
  addEvent(world, svc, `(service ${svc.data.serviceName}) has stopped ${tasks.length} running tasks: ${tasks.map((t) => `(task ${t.data.taskId})`).join(' ')}.`);
}

function scaleIn(world: World, tasks: Resource<TaskData>[]): void {
  for (const t of tasks) stopTask(world, t, { reason: `Scaling activity initiated by (deployment ${t.data.deploymentId ?? ''})`, stopCode: 'ServiceSchedulerInitiated' });
}

function tripBreaker(world: World, svc: Resource<ServiceData>, primary: DeploymentData): void {
  const s = svc.data;
  const now = world.now();
  primary.rolloutState = 'FAILED';
  primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  primary.halted = true;
  primary.updatedAt = now;
  addEvent(world, svc, `(service ${s.serviceName}) (deployment ${primary.id}) deployment failed: tasks failed to start.`);
  const target = s.lastCompleted;
  if (!s.circuitBreaker.rollback || !target || target.deploymentId === primary.id || !taskDefinitionOf(world, target.taskDefinition)) return;
  startDeployment(world, svc, target.taskDefinition, `ECS deployment circuit breaker: rolling back to deploymentId ${target.deploymentId}.`);
  addEvent(world, svc, `(service ${s.serviceName}) rolling back to deployment ${target.deploymentId}.`);
}

function launch(world: World, svc: Resource<ServiceData>, primary: DeploymentData, count: number): void {
  const td = taskDefinitionOf(world, primary.taskDefinition);
  if (!td) return;
  const started: Resource<TaskData>[] = [];
  for (let i = 0; i < count; i++) {
    try {
      started.push(launchTask(world, svc, primary, td, taskTags(svc, td)));
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      addEvent(world, svc, `(service ${svc.data.serviceName}) failed to launch a task with (error ${e.message}).`);
      primary.consecutiveFailures++;
      primary.failedTasks++;
      primary.nextLaunchAt = world.now() + world.scaled(ecsDurations.launchBackoff);
      break;
    }
  }
  if (started.length > 0) {
    addEvent(world, svc, `(service ${svc.data.serviceName}) has started ${started.length} tasks: ${started.map((t) => `(task ${t.data.taskId})`).join(' ')}.`);
  }
}

function reconcileActive(world: World, svc: Resource<ServiceData>): void {
  const s = svc.data;
  const now = world.now();
  let primary = s.deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return;
  const live = (): Resource<TaskData>[] => serviceTasks(world, svc).filter((t) => t.data.desiredStatus === 'RUNNING');

  // Each task of the deployment that becomes ready resets the breaker's failure count (resetOnHealthyTask, AWS's
  // default) while monitoring goes on, and ends a streak of start failures (the service throttle).
  for (const t of live()) {
    if (t.data.deploymentId !== primary.id || t.data.becameReady || !isReady(world, t)) continue;
    t.data.becameReady = true;
    if (s.circuitBreaker.resetOnHealthyTask !== false) primary.failedTasks = 0;
    primary.consecutiveFailures = 0;
    primary.throttleReported = false;
    primary.nextLaunchAt = 0;
  }
  if (s.circuitBreaker.enable && primary.rolloutState === 'IN_PROGRESS' && primary.failedTasks >= breakerThreshold(s.desiredCount)) {
    tripBreaker(world, svc, primary);
    primary = s.deployments.find((d) => d.status === 'PRIMARY') ?? primary;
  }

  const primaryId = primary.id;
  let mine = live().filter((t) => t.data.deploymentId === primaryId);
  if (!primary.halted && mine.length < s.desiredCount && now >= primary.nextLaunchAt) {
    launch(world, svc, primary, s.desiredCount - mine.length);
    mine = live().filter((t) => t.data.deploymentId === primaryId);
  }
  if (mine.length > s.desiredCount) {
    const excess = [...mine].sort((a, b) => Number(isReady(world, a)) - Number(isReady(world, b))).slice(0, mine.length - s.desiredCount);
    scaleIn(world, excess);
    stoppedEvent(world, svc, excess.filter((t) => t.state === 'DEACTIVATING'));
    mine = live().filter((t) => t.data.deploymentId === primaryId);
  }

  // Old deployments keep serving until the new one has as many ready tasks as desired.
  const ready = mine.filter((t) => isReady(world, t)).length;
  let keep = Math.max(0, s.desiredCount - ready);
  const old = live()
    .filter((t) => t.data.deploymentId !== primaryId)
    .sort((a, b) => Number(isReady(world, b)) - Number(isReady(world, a)));
  const retire: Resource<TaskData>[] = [];
  for (const t of old) {
    if (keep > 0 && isReady(world, t)) keep--;
    else retire.push(t);
  }
  scaleIn(world, retire);
  stoppedEvent(world, svc, retire.filter((t) => t.state === 'DEACTIVATING'));

  const all = serviceTasks(world, svc);
  for (const d of s.deployments) {
    if (d.status === 'ACTIVE' && !all.some((t) => t.data.deploymentId === d.id && t.state !== 'STOPPED')) {
      d.status = 'INACTIVE';
      d.updatedAt = now;
    }
  }
  const othersActive = s.deployments.some((d) => d.status === 'ACTIVE');
  if (primary.rolloutState === 'IN_PROGRESS' && !othersActive && mine.length === s.desiredCount && ready === s.desiredCount) {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = now;
    s.lastCompleted = { deploymentId: primary.id, taskDefinition: primary.taskDefinition };
    addEvent(world, svc, `(service ${s.serviceName}) (deployment ${primary.id}) deployment completed.`);
  }
  const steady = !othersActive && mine.length === s.desiredCount && ready === s.desiredCount && !primary.halted;
  if (steady && !s.steady) addEvent(world, svc, `(service ${s.serviceName}) has reached a steady state.`);
  s.steady = steady;
}

const SERVING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING']);

function reconcileDraining(world: World, svc: Resource<ServiceData>): void {
  const tasks = serviceTasks(world, svc);
  const live = tasks.filter((t) => t.data.desiredStatus === 'RUNNING');
  scaleIn(world, live);
  stoppedEvent(world, svc, live.filter((t) => t.state === 'DEACTIVATING'));
  // The service is INACTIVE once its tasks have drained; they may still be stopping and deprovisioning, which is
  // why DeleteCluster right after waitUntilServicesInactive can still answer ClusterContainsTasksException.
  if (tasks.some((t) => SERVING.has(t.state))) return;
  const now = world.now();
  world.setState(svc, 'INACTIVE');
  for (const d of svc.data.deployments) {
    if (d.status === 'ACTIVE') d.status = 'INACTIVE';
    d.updatedAt = now;
  }
  svc.data.steady = false;
  world.schedule(svc, ecsDurations.stoppedRetention, 'INACTIVE', 'service-expired');
}

function finishTaskDefinitionDeletes(world: World): void {
  const now = world.now();
  for (const td of world.list<TaskDefinitionData>(ResourceType.taskDefinition)) {
    if (td.state !== 'DELETE_IN_PROGRESS') continue;
    if (now < (td.data.deleteRequestedAt ?? 0) + world.scaled(ecsDurations.taskDefinitionDelete)) continue;
    const arn = td.data.arn;
    const taskUses = world.list<TaskData>(ResourceType.ecsTask).some((t) => t.state !== 'STOPPED' && t.data.taskDefinitionArn === arn);
    const serviceUses = world
      .list<ServiceData>(ResourceType.ecsService)
      .some((s) => s.state !== 'INACTIVE' && s.data.deployments.some((d) => d.status !== 'INACTIVE' && d.taskDefinition === arn));
    if (!taskUses && !serviceUses) world.remove(ResourceType.taskDefinition, td.id);
  }
}

export function reconcileEcs(world: World): void {
  // Drained targets are expired by ELBv2's own reconciler, which runs before this one.
  runSimulatedHealthChecks(world);
  reactToTargetHealth(world);
  for (const svc of world.list<ServiceData>(ResourceType.ecsService)) {
    if (svc.state === 'ACTIVE') reconcileActive(world, svc);
    else if (svc.state === 'DRAINING') reconcileDraining(world, svc);
  }
  finishTaskDefinitionDeletes(world);
}
