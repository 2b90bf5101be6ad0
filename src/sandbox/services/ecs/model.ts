/**
 * The simulated ECS's own data: clusters, task definitions, services with their deployments, and tasks. Stored in
 * the world (JSON-serializable; times are epoch ms). Resource ids: cluster name; `family:revision`;
 * `cluster/service`; the task ARN (so a task's network interface has ownerRef `ecs-task:<taskArn>`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ContainerDefinition, RuntimePlatform } from '@aws-sdk/client-ecs';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { pageByOffset } from '../../paging.js';
import { tagMap as checkedTagMap } from '../../tags.js';
import type { Resource, World } from '../../world.js';

/** Real AWS durations (ms) of the ECS model, before the time scale. Sources: docs/aws-facts.md and the AWS guides. */
export const ecsDurations = {
  /** PROVISIONING -> PENDING: Fargate finds capacity and attaches the task's network interface. */
  provisioning: 10_000,
  /** A pull of an image that does not exist fails after the puller's retries. */
  pullNotFound: 20_000,
  /** With no route out, each of the puller's connection attempts times out: the task fails much later. */
  egressTimeout: 60_000,
  /** Secrets, registry auth and log setup fail fast once the task has a network. */
  initFailure: 5_000,
  /** DEACTIVATING ends after the target group's deregistration delay; then STOPPING (SIGTERM, graceful exit). */
  stopping: 10_000,
  /** Stopped and detached tasks and INACTIVE services / clusters stay describable for about an hour. */
  stoppedRetention: 3_600_000,
  /** A deleted task definition stays DELETE_IN_PROGRESS until nothing uses it, at least this long. */
  taskDefinitionDelete: 10_000,
  /** First delay of the service throttle after repeated launch failures; doubles up to `launchBackoffMax`. */
  launchBackoff: 10_000,
  launchBackoffMax: 900_000,
} as const;

export interface ClusterData {
  clusterName: string;
  clusterArn: string;
  settings: { name: string; value: string }[];
}

/** What RegisterTaskDefinition stored, normalized (defaults filled in as DescribeTaskDefinition shows them). */
export interface TaskDefinitionData {
  family: string;
  revision: number;
  arn: string;
  containerDefinitions: ContainerDefinition[];
  networkMode: string;
  requiresCompatibilities: string[];
  cpu?: string;
  memory?: string;
  runtimePlatform?: RuntimePlatform;
  executionRoleArn?: string;
  taskRoleArn?: string;
  registeredAt: number;
  deregisteredAt?: number;
  deleteRequestedAt?: number;
}

export interface DeploymentData {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  /** Launch failures in a row (resets when a task of the deployment becomes ready); drives the throttle. */
  consecutiveFailures: number;
  /** Wall ms before which the scheduler launches no task for this deployment (service throttle). */
  nextLaunchAt: number;
  /** The circuit breaker tripped: this deployment launches no more tasks. */
  halted: boolean;
  /** Set when the throttle event was already emitted for this streak. */
  throttleReported?: boolean;
}

export interface LoadBalancerRef {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface NetworkData {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

export interface ServiceEventData {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceData {
  serviceName: string;
  serviceArn: string;
  clusterName: string;
  clusterArn: string;
  desiredCount: number;
  network: NetworkData;
  loadBalancers: LoadBalancerRef[];
  healthCheckGracePeriodSeconds?: number;
  /** resetOnHealthyTask: absent when the caller did not give it, which means AWS's default, true. */
  circuitBreaker: { enable: boolean; rollback: boolean; resetOnHealthyTask?: boolean };
  maximumPercent: number;
  minimumHealthyPercent: number;
  platformVersion: string;
  propagateTags: string;
  enableECSManagedTags: boolean;
  clientToken?: string;
  /** Fingerprint of the create parameters, for clientToken idempotency. */
  createFingerprint: string;
  createdAt: number;
  deployments: DeploymentData[];
  events: ServiceEventData[];
  /** The last deployment that reached COMPLETED: what the circuit breaker rolls back to. */
  lastCompleted?: { deploymentId: string; taskDefinition: string };
  /** Whether the last reconcile saw a steady state (to emit the steady-state event on entering it). */
  steady: boolean;
  launchedTasks: number;
}

export interface ContainerData {
  name: string;
  image: string;
  containerArn: string;
  runtimeId?: string;
  imageDigest?: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  reason?: string;
  essential: boolean;
  /** awslogs destination of this container, when it logs there. */
  log?: { group: string; stream: string; createGroup: boolean };
}

export interface PlannedFailure {
  stopCode: 'TaskFailedToStart' | 'EssentialContainerExited';
  reason: string;
  /** Per-container reason (CannotPullContainerError goes on the container too). */
  containerReason?: string;
  exitCode?: number;
  /** Lines the container writes to its log before dying. */
  logLines?: string[];
}

export interface TaskData {
  taskArn: string;
  taskId: string;
  clusterName: string;
  clusterArn: string;
  serviceName?: string;
  deploymentId?: string;
  group: string;
  startedBy?: string;
  taskDefinitionArn: string;
  cpu?: string;
  memory?: string;
  cpuArchitecture: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  availabilityZone: string;
  subnetId: string;
  eniId: string;
  privateIp: string;
  macAddress: string;
  attachmentId: string;
  attachmentStatus: 'PRECREATED' | 'ATTACHED' | 'DETACHED' | 'DELETED';
  assignPublicIp: boolean;
  securityGroups: string[];
  createdAt: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  containers: ContainerData[];
  /** The stop counts as a failed task of its deployment (circuit breaker, throttle). */
  failed: boolean;
  planned?: PlannedFailure;
  /** Target groups this task's IP is registered in. */
  targets: { targetGroupArn: string; port: number }[];
  /** It became ready (RUNNING, healthy in every target group): counted once for the circuit breaker's reset. */
  becameReady?: boolean;
  /** The target group whose health checks it failed (ECS stops it after the grace period). */
  unhealthyIn?: string;
  version: number;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function checkEcsName(kind: 'cluster' | 'service' | 'family', name: string | undefined, code = 'InvalidParameterException'): string {
  if (name === undefined || !NAME.test(name)) {
    const what = kind === 'family' ? 'family name' : `${kind} name`;
    throw new AwsError(code, `Invalid ${what}. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`, 400);
  }
  return name;
}

export function clusterArn(world: World, name: string): string {
  return world.arn('ecs', `cluster/${name}`);
}

export function serviceArn(world: World, cluster: string, name: string): string {
  return world.arn('ecs', `service/${cluster}/${name}`);
}

/** `name` or a cluster ARN -> the name. */
export function clusterNameOf(ref: string | undefined): string {
  if (ref === undefined || ref === '') return 'default';
  const m = /^arn:aws:ecs:[^:]+:\d{12}:cluster\/(.+)$/.exec(ref);
  return m?.[1] ?? ref;
}

export function clusterOf(world: World, ref: string | undefined): Resource<ClusterData> {
  const name = clusterNameOf(ref);
  const cluster = world.get<ClusterData>(ResourceType.ecsCluster, name);
  if (!cluster || world.hiddenByConsistency(cluster)) throw new AwsError('ClusterNotFoundException', 'Cluster not found.', 400);
  return cluster;
}

export function activeClusterOf(world: World, ref: string | undefined): Resource<ClusterData> {
  const cluster = clusterOf(world, ref);
  if (cluster.state !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'The referenced cluster was inactive.', 400);
  return cluster;
}

/** `name` or a service ARN (`service/cluster/name` or the old `service/name`) -> the name. */
export function serviceNameOf(ref: string): string {
  const m = /^arn:aws:ecs:[^:]+:\d{12}:service\/(?:[^/]+\/)?([^/]+)$/.exec(ref);
  return m?.[1] ?? ref;
}

export function serviceKey(cluster: string, name: string): string {
  return `${cluster}/${name}`;
}

export function findService(world: World, cluster: string, ref: string): Resource<ServiceData> | undefined {
  const s = world.get<ServiceData>(ResourceType.ecsService, serviceKey(cluster, serviceNameOf(ref)));
  return s && !world.hiddenByConsistency(s) ? s : undefined;
}

/** A task by id or ARN within a cluster. */
export function findTask(world: World, cluster: string, ref: string): Resource<TaskData> | undefined {
  const id = ref.slice(ref.lastIndexOf('/') + 1);
  const arn = world.arn('ecs', `task/${cluster}/${id}`);
  return world.get<TaskData>(ResourceType.ecsTask, arn);
}

export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

export function newDeploymentId(): string {
  let digits = String(1 + (randomBytes(1)[0] ?? 0) % 9);
  for (const b of randomBytes(18)) digits += String(b % 10);
  return `ecs-svc/${digits}`;
}

export function newUuid(): string {
  return randomUUID();
}

export function macAddress(): string {
  return [...randomBytes(6)].map((b, i) => (i === 0 ? (b & 0xfe) | 0x02 : b).toString(16).padStart(2, '0')).join(':');
}

/** A request's tag list as a map, with ECS's rules (keys 1-128, values 0-256, at most 50, `aws:` reserved). */
export function tagMap(tags: { key?: string | undefined; value?: string | undefined }[] | undefined): Record<string, string> {
  const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);
  return checkedTagMap(tags, {
    entry: (t) => {
      if (!t.key || t.key.length > 128) throw invalid('Tag keys must be between 1 and 128 characters.');
      if (t.key.toLowerCase().startsWith('aws:')) throw invalid('Tag keys prefixed with aws: are reserved for AWS use.');
      if ((t.value ?? '').length > 256) throw invalid('Tag values must be at most 256 characters.');
      return [t.key, t.value ?? ''];
    },
    max: 50,
    tooMany: () => invalid('A resource can have at most 50 tags.'),
  });
}

/** ECS answers tags in lower case. */
export { lowerCaseTagList as tagList } from '../../tags.js';

/** Offset tokens for the List* calls (maxResults 1-100). */
export function pageOf<T>(items: T[], token: string | undefined, maxResults: number | undefined, dflt: number): { items: T[]; nextToken?: string } {
  const p = pageByOffset(items, token, maxResults, {
    min: 1,
    max: 100,
    default: dflt,
    badSize: () => new AwsError('InvalidParameterException', 'maxResults must be between 1 and 100.', 400),
    badToken: () => new AwsError('InvalidParameterException', 'Invalid nextToken.', 400),
  });
  return p.next === undefined ? { items: p.items } : { items: p.items, nextToken: p.next };
}
