/**
 * A Fargate task's life: PROVISIONING (its network interface is attached) -> PENDING (secrets, registry auth, image
 * pull) -> RUNNING (registered in the service's target groups, health-checked) -> DEACTIVATING (targets drain) ->
 * STOPPING -> DEPROVISIONING -> STOPPED (the interface is released and lingers). A task that cannot start goes from
 * PENDING to DEPROVISIONING with the reason AWS gives. Durations are AWS's, scaled by the world.
 */
import { randomBytes } from 'node:crypto';
import { ResourceType, type TargetGroupData } from '../../model.js';
import { createManagedEni, releaseManagedEnis } from '../../enis.js';
import { deregisterTarget, deregistrationDelaySeconds, registerTarget, targetGroup } from '../../targets.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import { appendLogEvent, createLogGroup, logGroup } from '../logs/store.js';
import { archFailure, logDestination, planStart, taskArchitecture } from './startup.js';
import {
  ecsDurations,
  macAddress,
  newTaskId,
  newUuid,
  serviceKey,
  type DeploymentData,
  type ServiceData,
  type TaskData,
  type TaskDefinitionData,
} from './model.js';

const OWNER = (taskArn: string): string => `${ResourceType.ecsTask}:${taskArn}`;

export function taskDefinitionOf(world: World, arn: string): Resource<TaskDefinitionData> | undefined {
  return world.get<TaskDefinitionData>(ResourceType.taskDefinition, arn.slice(arn.indexOf('task-definition/') + 'task-definition/'.length));
}

export function serviceOfTask(world: World, task: TaskData): Resource<ServiceData> | undefined {
  return task.serviceName === undefined ? undefined : world.get<ServiceData>(ResourceType.ecsService, serviceKey(task.clusterName, task.serviceName));
}

export function addEvent(world: World, svc: Resource<ServiceData>, message: string): void {
  svc.data.events.unshift({ id: newUuid(), createdAt: world.now(), message });
  if (svc.data.events.length > 100) svc.data.events.length = 100;
}

function setStatus(world: World, task: Resource<TaskData>, status: string): void {
  world.setState(task, status);
  task.data.version++;
}

function publicIp(): string {
  const b = randomBytes(3);
  return `54.${(b[0] ?? 0) % 200 + 10}.${b[1] ?? 1}.${(b[2] ?? 0) % 250 + 2}`;
}

/** Start a task of a service's deployment: its network interface is created now, in one of the service's subnets. */
export function launchTask(world: World, svc: Resource<ServiceData>, deployment: DeploymentData, td: Resource<TaskDefinitionData>, tags: Record<string, string>): Resource<TaskData> {
  const s = svc.data;
  const subnetId = s.network.subnets[s.launchedTasks % s.network.subnets.length] ?? '';
  s.launchedTasks++;
  const taskId = newTaskId();
  const taskArn = world.arn('ecs', `task/${s.clusterName}/${taskId}`);
  const attachmentId = newUuid();
  const assignPublicIp = s.network.assignPublicIp === 'ENABLED';
  const eni = createManagedEni(world, {
    subnetId,
    groupIds: s.network.securityGroups,
    description: `arn:aws:ecs:${world.config.region}:${world.config.accountId}:attachment/${attachmentId}`,
    requesterId: 'ecs',
    ownerRef: OWNER(taskArn),
    ...(assignPublicIp ? { publicIp: publicIp() } : {}),
  });
  const data: TaskData = {
    taskArn,
    taskId,
    clusterName: s.clusterName,
    clusterArn: s.clusterArn,
    serviceName: s.serviceName,
    deploymentId: deployment.id,
    group: `service:${s.serviceName}`,
    startedBy: deployment.id,
    taskDefinitionArn: td.data.arn,
    cpuArchitecture: taskArchitecture(td.data) === 'arm64' ? 'ARM64' : 'X86_64',
    desiredStatus: 'RUNNING',
    availabilityZone: eni.data.availabilityZone,
    subnetId,
    eniId: eni.id,
    privateIp: eni.data.privateIpAddress,
    macAddress: macAddress(),
    attachmentId,
    attachmentStatus: 'PRECREATED',
    assignPublicIp,
    securityGroups: [...s.network.securityGroups],
    createdAt: world.now(),
    containers: td.data.containerDefinitions.map((c) => {
      const log = logDestination(c, taskId);
      return {
        name: c.name ?? '',
        image: c.image ?? '',
        containerArn: world.arn('ecs', `container/${s.clusterName}/${taskId}/${newUuid()}`),
        lastStatus: 'PENDING' as const,
        essential: c.essential !== false,
        ...(log ? { log } : {}),
      };
    }),
    failed: false,
    targets: [],
    version: 1,
  };
  if (td.data.cpu !== undefined) data.cpu = td.data.cpu;
  if (td.data.memory !== undefined) data.memory = td.data.memory;
  const task = world.create<TaskData>('ecs', ResourceType.ecsTask, taskArn, { state: 'PROVISIONING', data, tags });
  world.schedule(task, ecsDurations.provisioning, 'PENDING', 'task-pending');
  return task;
}

/** Whether a running task serves: RUNNING and healthy in every target group it is registered in. */
export function isReady(world: World, task: Resource<TaskData>): boolean {
  if (task.state !== 'RUNNING' || task.data.desiredStatus !== 'RUNNING') return false;
  return task.data.targets.every((t) => {
    const tg = targetGroup(world, t.targetGroupArn);
    if (!tg) return true;
    const target = tg.data.targets.find((x) => x.id === task.data.privateIp && x.port === t.port);
    // A group no load balancer uses checks no health (`unused`): nothing to wait for.
    return target?.state === 'healthy' || target?.state === 'unused';
  });
}

export interface StopRequest {
  reason: string;
  stopCode: string;
  /** Counts as a failed task of its deployment. */
  failed?: boolean;
}

/** Stop a task the way ECS does: drain its targets first when it was serving, then stop and deprovision. */
export function stopTask(world: World, task: Resource<TaskData>, req: StopRequest): void {
  const t = task.data;
  if (t.desiredStatus === 'STOPPED') return;
  const now = world.now();
  t.desiredStatus = 'STOPPED';
  t.stoppingAt = now;
  t.stoppedReason = req.reason;
  t.stopCode = req.stopCode;
  t.failed = req.failed ?? false;
  t.version++;
  if (t.failed) recordFailure(world, t, task.state === 'RUNNING' ? 'after-running' : 'to-start');
  world.clearTransitions(task);
  if (task.state === 'RUNNING') {
    let drainMs = 0;
    for (const ref of t.targets) {
      const tg = targetGroup(world, ref.targetGroupArn);
      if (!tg) continue;
      deregisterTarget(world, tg, t.privateIp, ref.port);
      drainMs = Math.max(drainMs, world.scaled(deregistrationDelaySeconds(tg) * 1000));
    }
    const svc = serviceOfTask(world, t);
    if (svc && t.targets.length > 0) {
      for (const ref of t.targets) addEvent(world, svc, `(service ${svc.data.serviceName}) deregistered 1 targets in (target-group ${ref.targetGroupArn})`);
    }
    setStatus(world, task, 'DEACTIVATING');
    const stoppingAt = now + drainMs;
    world.scheduleAt(task, stoppingAt, 'STOPPING', 'task-stopping');
    world.scheduleAt(task, stoppingAt + world.scaled(ecsDurations.stopping), 'DEPROVISIONING', 'task-deprovisioning');
    world.scheduleAt(task, stoppingAt + world.scaled(ecsDurations.stopping + awsDurations.taskStop), 'STOPPED', 'task-stopped');
    return;
  }
  if (task.state === 'PROVISIONING' || task.state === 'PENDING') {
    for (const c of t.containers) if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED';
    t.attachmentStatus = 'DETACHED';
    setStatus(world, task, 'DEPROVISIONING');
    world.schedule(task, awsDurations.taskStop, 'STOPPED', 'task-stopped');
  }
}

export function writeLog(world: World, task: TaskData, line: string, container?: string): void {
  for (const c of task.containers) {
    if (!c.log || (container !== undefined && c.name !== container)) continue;
    if (!logGroup(world, c.log.group) && c.log.createGroup) createLogGroup(world, c.log.group);
    appendLogEvent(world, c.log.group, c.log.stream, line);
  }
}

function onPending(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  const now = world.now();
  t.attachmentStatus = 'ATTACHED';
  t.connectivityAt = now;
  t.pullStartedAt = now;
  t.version++;
  const td = taskDefinitionOf(world, t.taskDefinitionArn);
  if (!td) {
    t.planned = { stopCode: 'TaskFailedToStart', reason: 'TaskDefinition not found.' };
    world.schedule(task, ecsDurations.initFailure, 'DEPROVISIONING', 'task-start-failed');
    return;
  }
  const outcome = planStart(world, t, td.data);
  if (outcome.fails) {
    t.planned = outcome.fails;
    world.schedule(task, outcome.afterMs, 'DEPROVISIONING', 'task-start-failed');
    return;
  }
  for (const c of t.containers) {
    const digest = outcome.imageDigests[c.name];
    if (digest) c.imageDigest = digest;
  }
  const pullMs = awsDurations.taskToRunning - ecsDurations.provisioning;
  if (outcome.archMismatch) {
    t.planned = archFailure();
    world.schedule(task, pullMs, 'DEPROVISIONING', 'task-exited');
    return;
  }
  world.schedule(task, pullMs, 'RUNNING', 'task-running');
}

/** The task could not start: it goes straight to DEPROVISIONING, then STOPPED. */
function onStartFailed(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  const plan = t.planned;
  const now = world.now();
  t.desiredStatus = 'STOPPED';
  t.stoppingAt = now;
  t.pullStoppedAt = now;
  t.stoppedReason = plan?.reason ?? 'Task failed to start';
  t.stopCode = plan?.stopCode ?? 'TaskFailedToStart';
  t.failed = true;
  recordFailure(world, t, 'to-start');
  t.attachmentStatus = 'DETACHED';
  for (const c of t.containers) {
    c.lastStatus = 'STOPPED';
    if (plan?.containerReason) c.reason = plan.containerReason;
  }
  t.version++;
  world.schedule(task, awsDurations.taskStop, 'STOPPED', 'task-stopped');
}

/** The essential container started and exited at once (an image built for another architecture). */
function onExited(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  const plan = t.planned ?? archFailure();
  const now = world.now();
  t.pullStoppedAt = now;
  t.startedAt = now;
  t.desiredStatus = 'STOPPED';
  t.stoppingAt = now;
  t.executionStoppedAt = now;
  t.stoppedReason = plan.reason;
  t.stopCode = plan.stopCode;
  t.failed = true;
  recordFailure(world, t, 'to-start');
  t.attachmentStatus = 'DETACHED';
  for (const c of t.containers) {
    c.lastStatus = 'STOPPED';
    c.runtimeId = `${t.taskId}-${randomBytes(5).toString('hex')}`;
    if (c.essential) c.exitCode = plan.exitCode ?? 1;
  }
  for (const line of plan.logLines ?? []) writeLog(world, t, line);
  t.version++;
  world.schedule(task, awsDurations.taskStop, 'STOPPED', 'task-stopped');
}

function onRunning(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  const now = world.now();
  t.pullStoppedAt = now;
  t.startedAt = now;
  t.version++;
  for (const c of t.containers) {
    c.lastStatus = 'RUNNING';
    c.runtimeId = `${t.taskId}-${randomBytes(5).toString('hex')}`;
    if (c.log) writeLog(world, t, `sandbox: container ${c.name} started from ${c.image}`, c.name);
  }
  const svc = serviceOfTask(world, t);
  if (!svc) return;
  for (const lb of svc.data.loadBalancers) {
    const tg = targetGroup(world, lb.targetGroupArn);
    if (!tg) continue;
    registerTarget(world, tg, { id: t.privateIp, port: lb.containerPort, availabilityZone: t.availabilityZone });
    t.targets.push({ targetGroupArn: lb.targetGroupArn, port: lb.containerPort });
    addEvent(world, svc, `(service ${svc.data.serviceName}) registered 1 targets in (target-group ${lb.targetGroupArn})`);
  }
}

function onStopping(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  t.executionStoppedAt = world.now();
  for (const c of t.containers) {
    if (c.lastStatus === 'RUNNING') c.exitCode = 0;
    c.lastStatus = 'STOPPED';
  }
  t.version++;
}

function onDeprovisioning(_world: World, task: Resource<TaskData>): void {
  task.data.attachmentStatus = 'DETACHED';
  task.data.version++;
}

function backoffMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(ecsDurations.launchBackoffMax, ecsDurations.launchBackoff * 2 ** (failures - 3));
}

/**
 * A task of a deployment failed (when ECS decides to stop it): it counts for the circuit breaker while the rollout is
 * in progress. Only a task that failed to start (`to-start`) counts for the service throttle: one stopped after it
 * reached RUNNING (failed load balancer health checks) does not slow the next launches down.
 */
function recordFailure(world: World, t: TaskData, failed: 'to-start' | 'after-running'): void {
  const svc = serviceOfTask(world, t);
  const d = svc?.data.deployments.find((x) => x.id === t.deploymentId);
  if (!svc || !d) return;
  const now = world.now();
  if (d.rolloutState === 'IN_PROGRESS') d.failedTasks++;
  d.updatedAt = now;
  if (failed === 'after-running') return;
  d.consecutiveFailures++;
  d.nextLaunchAt = now + world.scaled(backoffMs(d.consecutiveFailures));
  if (d.consecutiveFailures >= 3 && !d.throttleReported && !svc.data.circuitBreaker.enable) {
    d.throttleReported = true;
    addEvent(world, svc, `(service ${svc.data.serviceName}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`);
  }
}

function onStopped(world: World, task: Resource<TaskData>): void {
  const t = task.data;
  const now = world.now();
  t.stoppedAt = now;
  t.executionStoppedAt ??= now;
  t.attachmentStatus = 'DELETED';
  for (const c of t.containers) c.lastStatus = 'STOPPED';
  t.version++;
  releaseManagedEnis(world, OWNER(t.taskArn), 'with-owner');
  world.schedule(task, ecsDurations.stoppedRetention, 'STOPPED', 'task-expired');
}

export function installTaskLifecycle(world: World): void {
  const on = (event: string, fn: (w: World, r: Resource<TaskData>) => void): void =>
    world.onTransition(ResourceType.ecsTask, event, (w, r) => fn(w, r as Resource<TaskData>));
  on('task-pending', onPending);
  on('task-start-failed', onStartFailed);
  on('task-exited', onExited);
  on('task-running', onRunning);
  on('task-stopping', onStopping);
  on('task-deprovisioning', onDeprovisioning);
  on('task-stopped', onStopped);
  on('task-expired', (w, r) => w.remove(ResourceType.ecsTask, r.id));
}
