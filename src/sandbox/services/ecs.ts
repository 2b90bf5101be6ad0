import type {
  DeploymentCircuitBreaker,
  CreateClusterRequest,
  CreateClusterResponse,
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  ListServicesRequest,
  ListServicesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  ListTasksRequest,
  ListTasksResponse,
  NetworkConfiguration,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  StopTaskRequest,
  StopTaskResponse,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { op, type SandboxService } from '../service.js';
import { AwsError } from '../errors.js';
import { ResourceType, type SecurityGroupData, type SubnetData } from '../model.js';
import { targetGroup } from '../targets.js';
import type { Resource, World } from '../world.js';
import { ensureServiceLinkedRole } from './iam/roles.js';
import {
  activeClusterOf,
  checkEcsName,
  clusterArn,
  clusterNameOf,
  clusterOf,
  ecsDurations,
  findService,
  findTask,
  pageOf,
  serviceArn,
  serviceKey,
  tagList,
  tagMap,
  type ClusterData,
  type LoadBalancerRef,
  type NetworkData,
  type ServiceData,
  type TaskData,
  type TaskDefinitionData,
} from './ecs/model.js';
import { checkFamily, findTaskDefinition, normalizeTaskDefinition, toTaskDefinition } from './ecs/taskdefs.js';
import { toCluster, toService, toTask } from './ecs/output.js';
import { newDeployment, reconcileEcs, serviceTasks, startDeployment } from './ecs/scheduler.js';
import { installTaskLifecycle, stopTask, taskDefinitionOf } from './ecs/tasks.js';
import { onElbKill } from './ecs/health-checks.js';
import { ecsReadHandlers } from './ecs/reads.js';

/**
 * The breaker settings a CreateService / UpdateService gives. resetOnHealthyTask defaults to true; it is echoed only
 * when given (whether AWS reports the default is unconfirmed).
 */
function breakerSettings(b: DeploymentCircuitBreaker | undefined): ServiceData['circuitBreaker'] {
  const out: ServiceData['circuitBreaker'] = { enable: b?.enable ?? false, rollback: b?.rollback ?? false };
  if (b?.resetOnHealthyTask !== undefined) out.resetOnHealthyTask = b.resetOnHealthyTask;
  return out;
}

/**
 * ECS (JSON 1.1) with Fargate deployments: clusters, task definitions, services and tasks. The deployment machinery
 * lives in ecs/scheduler.ts (the reconciler) and ecs/tasks.ts (a task's life); why tasks fail is in
 * ecs/startup.ts. See docs/sandbox/ecs.md for what is promised.
 */
const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);
const clientError = (message: string): AwsError => new AwsError('ClientException', message, 400);
const serviceNotFound = (): AwsError => new AwsError('ServiceNotFoundException', 'Service not found.', 400);

function serviceOf(world: World, cluster: string, ref: string | undefined): Resource<ServiceData> {
  if (!ref) throw invalid('Service name can not be blank.');
  const svc = findService(world, cluster, ref);
  if (!svc) throw serviceNotFound();
  return svc;
}

/** Validate the awsvpc configuration against the simulated EC2: subnets and groups must exist in one VPC. */
function networkOf(world: World, config: NetworkConfiguration | undefined): NetworkData {
  const vpc = config?.awsvpcConfiguration;
  if (!vpc) throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = vpc.subnets ?? [];
  if (subnets.length === 0) throw invalid('subnets can not be empty.');
  if (subnets.length > 16) throw invalid('At most 16 subnets can be specified.');
  const groups = vpc.securityGroups ?? [];
  if (groups.length > 5) throw invalid('At most 5 security groups can be specified.');
  let vpcId: string | undefined;
  for (const id of subnets) {
    const subnet = world.get<SubnetData>(ResourceType.subnet, id);
    if (!subnet) throw invalid(`Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`);
    if (vpcId !== undefined && subnet.data.vpcId !== vpcId) throw invalid('The subnets provided must all be in the same VPC.');
    vpcId = subnet.data.vpcId;
  }
  for (const id of groups) {
    const sg = world.get<SecurityGroupData>(ResourceType.securityGroup, id);
    if (!sg) throw invalid(`Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`);
    if (sg.data.vpcId !== vpcId) throw invalid(`Security group ${id} and subnet ${subnets[0] ?? ''} belong to different networks.`);
  }
  const assign = vpc.assignPublicIp ?? 'DISABLED';
  if (assign !== 'ENABLED' && assign !== 'DISABLED') throw invalid(`Invalid assignPublicIp: ${String(assign)}.`);
  return { subnets: [...subnets], securityGroups: [...groups], assignPublicIp: assign };
}

function loadBalancersOf(world: World, input: CreateServiceRequest['loadBalancers'], td: Resource<TaskDefinitionData>): LoadBalancerRef[] {
  const refs = input ?? [];
  if (refs.length > 5) throw invalid('At most 5 load balancers can be specified.');
  return refs.map((lb) => {
    if (lb.loadBalancerName) throw invalid('Classic Load Balancers are not supported with the awsvpc network mode.');
    const arn = lb.targetGroupArn ?? '';
    const tg = targetGroup(world, arn);
    if (!tg) throw invalid(`The target group with targetGroupArn ${arn} does not exist.`);
    if (tg.data.loadBalancerArns.length === 0) throw invalid(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
    if (tg.data.targetType !== 'ip' && td.data.networkMode === 'awsvpc') {
      throw invalid(`The provided target group ${arn} has target type ${tg.data.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`);
    }
    const name = lb.containerName ?? '';
    const container = td.data.containerDefinitions.find((c) => c.name === name);
    if (!container) throw invalid(`The container ${name} does not exist in the task definition.`);
    const port = lb.containerPort;
    if (port === undefined || !(container.portMappings ?? []).some((p) => p.containerPort === port)) {
      throw invalid(`The container ${name} did not have a container port ${port ?? 'null'} defined.`);
    }
    return { targetGroupArn: arn, containerName: name, containerPort: port };
  });
}

/** A task definition a service may use: exists, not DELETE_IN_PROGRESS, ACTIVE (new services), Fargate-able. */
function serviceTaskDefinition(world: World, ref: string | undefined): Resource<TaskDefinitionData> {
  if (!ref) throw invalid('TaskDefinition can not be blank.');
  const exact = findTaskDefinition(world, ref);
  if (!exact) throw invalid('TaskDefinition not found.');
  if (exact.state !== 'ACTIVE') throw invalid('TaskDefinition is inactive');
  if (exact.data.networkMode !== 'awsvpc' || !exact.data.requiresCompatibilities.includes('FARGATE')) {
    throw invalid('Task definition does not support launch_type FARGATE.');
  }
  return exact;
}

function checkLaunchType(launchType: string | undefined): void {
  if (launchType !== undefined && launchType !== 'FARGATE') throw invalid(`The sandbox simulates the FARGATE launch type only; got ${launchType}.`);
}

/** Resource ARN -> the ECS resource it names, for the tagging calls. */
function taggable(world: World, arn: string | undefined): Resource {
  const m = /^arn:aws:ecs:([^:]+):(\d{12}):(cluster|service|task|task-definition)\/(.+)$/.exec(arn ?? '');
  if (!m?.[4] || m[1] !== world.config.region || m[2] !== world.config.accountId) throw invalid('The ARN provided is not a valid ECS resource ARN.');
  const [, , , kind, rest] = m;
  let found: Resource | undefined;
  if (kind === 'cluster') {
    found = world.get(ResourceType.ecsCluster, rest);
    if (!found) throw new AwsError('ClusterNotFoundException', 'Cluster not found.', 400);
  } else if (kind === 'service') {
    const parts = rest.split('/');
    found = parts.length === 2 ? world.get(ResourceType.ecsService, serviceKey(parts[0] ?? '', parts[1] ?? '')) : undefined;
    if (!found) throw serviceNotFound();
  } else if (kind === 'task') {
    found = world.get(ResourceType.ecsTask, arn ?? '');
  } else {
    found = world.get(ResourceType.taskDefinition, rest);
  }
  if (!found) throw new AwsError('ResourceNotFoundException', 'The specified resource could not be found.', 400);
  return found;
}

function fingerprint(input: CreateServiceRequest, cluster: string, td: string): string {
  return JSON.stringify({
    cluster,
    serviceName: input.serviceName,
    td,
    desiredCount: input.desiredCount,
    launchType: input.launchType ?? 'FARGATE',
    network: input.networkConfiguration ?? null,
    loadBalancers: input.loadBalancers ?? [],
    grace: input.healthCheckGracePeriodSeconds ?? null,
    deployment: input.deploymentConfiguration ?? null,
  });
}

export const ecs: SandboxService = {
  name: 'ecs',
  protocol: 'json',
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  loadClient: () => import('@aws-sdk/client-ecs') as Promise<Record<string, unknown>>,
  install(world) {
    installTaskLifecycle(world);
    world.onTransition(ResourceType.ecsTask, 'task-elb-kill', (w, r) => onElbKill(w, r as Resource<TaskData>));
    world.onTransition(ResourceType.ecsService, 'service-expired', (w, r) => w.remove(ResourceType.ecsService, r.id));
    world.onTransition(ResourceType.ecsCluster, 'cluster-expired', (w, r) => {
      if (r.state === 'INACTIVE') w.remove(ResourceType.ecsCluster, r.id);
    });
    // At each transition's time too: health checks and the deployment's reactions happen in order with task events.
    world.addReconciler(reconcileEcs, { atEachTransition: true });
  },
  handlers: {
    ...ecsReadHandlers,
    CreateCluster: op<CreateClusterRequest, CreateClusterResponse>((input, { world }) => {
      const name = checkEcsName('cluster', input.clusterName ?? 'default');
      const tags = tagMap(input.tags);
      const settings = (input.settings ?? []).map((s) => {
        if (s.name !== 'containerInsights' || !['enabled', 'disabled', 'enhanced'].includes(s.value ?? '')) {
          throw invalid(`Invalid cluster setting: ${s.name ?? ''}=${s.value ?? ''}.`);
        }
        return { name: s.name, value: s.value ?? '' };
      });
      ensureServiceLinkedRole(world, 'ecs.amazonaws.com');
      const existing = world.get<ClusterData>(ResourceType.ecsCluster, name);
      if (existing?.state === 'ACTIVE') return { cluster: toCluster(world, existing, { tags: true, settings: true }) };
      if (existing) world.remove(ResourceType.ecsCluster, name);
      const cluster = world.create<ClusterData>('ecs', ResourceType.ecsCluster, name, {
        state: 'ACTIVE',
        tags,
        data: { clusterName: name, clusterArn: clusterArn(world, name), settings: settings.length > 0 ? settings : [{ name: 'containerInsights', value: 'disabled' }] },
      });
      return { cluster: toCluster(world, cluster, { tags: true, settings: true }) };
    }),

    DescribeClusters: op<DescribeClustersRequest, DescribeClustersResponse>((input, { world }) => {
      const refs = input.clusters ?? ['default'];
      if (refs.length > 100) throw invalid('At most 100 clusters can be described at once.');
      const include = new Set(input.include ?? []);
      const out: Required<Pick<DescribeClustersResponse, 'clusters' | 'failures'>> = { clusters: [], failures: [] };
      for (const ref of refs) {
        const name = clusterNameOf(ref);
        const c = world.get<ClusterData>(ResourceType.ecsCluster, name);
        if (!c || world.hiddenByConsistency(c)) out.failures.push({ arn: clusterArn(world, name), reason: 'MISSING' });
        else out.clusters.push(toCluster(world, c, { tags: include.has('TAGS'), settings: include.has('SETTINGS'), statistics: include.has('STATISTICS') }));
      }
      return out;
    }),

    DeleteCluster: op<DeleteClusterRequest, DeleteClusterResponse>((input, { world }) => {
      if (!input.cluster) throw invalid('Cluster can not be blank.');
      const cluster = activeClusterOf(world, input.cluster);
      const services = world.list<ServiceData>(ResourceType.ecsService).filter((s) => s.data.clusterName === cluster.id && s.state !== 'INACTIVE');
      if (services.length > 0) throw new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.', 400);
      const tasks = world.list<TaskData>(ResourceType.ecsTask).filter((t) => t.data.clusterName === cluster.id && t.state !== 'STOPPED');
      if (tasks.length > 0) throw new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.', 400);
      world.setState(cluster, 'INACTIVE');
      world.schedule(cluster, ecsDurations.stoppedRetention, 'INACTIVE', 'cluster-expired');
      return { cluster: toCluster(world, cluster, { tags: true, settings: true }) };
    }),

    RegisterTaskDefinition: op<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse>((input, { world }) => {
      const family = checkFamily(input.family);
      const tags = tagMap(input.tags);
      const normalized = normalizeTaskDefinition(world, input);
      const revision = world.nextCounter(`ecs-task-definition:${family}`);
      const arn = world.arn('ecs', `task-definition/${family}:${revision}`);
      const td = world.create<TaskDefinitionData>('ecs', ResourceType.taskDefinition, `${family}:${revision}`, {
        state: 'ACTIVE',
        tags,
        data: { ...normalized, family, revision, arn, registeredAt: world.now() },
      });
      const out: RegisterTaskDefinitionResponse = { taskDefinition: toTaskDefinition(world, td) };
      if (Object.keys(tags).length > 0) out.tags = tagList(tags);
      return out;
    }),

    DescribeTaskDefinition: op<DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse>((input, { world }) => {
      const ref = input.taskDefinition ?? '';
      const m = /^arn:aws:ecs:[^:]+:\d{12}:task-definition\/(.+)$/.exec(ref);
      const key = m?.[1] ?? ref;
      const td = key.includes(':') ? world.get<TaskDefinitionData>(ResourceType.taskDefinition, key) : findTaskDefinition(world, key);
      if (!td) throw clientError('Unable to describe task definition.');
      const out: DescribeTaskDefinitionResponse = { taskDefinition: toTaskDefinition(world, td) };
      if ((input.include ?? []).includes('TAGS')) out.tags = tagList(td.tags);
      return out;
    }),

    DeregisterTaskDefinition: op<DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse>((input, { world }) => {
      const ref = input.taskDefinition ?? '';
      const m = /^arn:aws:ecs:[^:]+:\d{12}:task-definition\/(.+)$/.exec(ref);
      const key = m?.[1] ?? ref;
      if (!/^[A-Za-z0-9_-]+:\d+$/.test(key)) throw clientError('Revision is required.');
      const td = world.get<TaskDefinitionData>(ResourceType.taskDefinition, key);
      if (!td || td.state === 'DELETE_IN_PROGRESS') throw clientError('The specified task definition does not exist.');
      if (td.state === 'ACTIVE') {
        world.setState(td, 'INACTIVE');
        td.data.deregisteredAt = world.now();
      }
      return { taskDefinition: toTaskDefinition(world, td) };
    }),

    DeleteTaskDefinitions: op<DeleteTaskDefinitionsRequest, DeleteTaskDefinitionsResponse>((input, { world }) => {
      const refs = input.taskDefinitions ?? [];
      if (refs.length < 1 || refs.length > 10) throw invalid('taskDefinitions must list between 1 and 10 task definitions.');
      const out: Required<Pick<DeleteTaskDefinitionsResponse, 'taskDefinitions' | 'failures'>> = { taskDefinitions: [], failures: [] };
      for (const ref of refs) {
        const m = /^arn:aws:ecs:[^:]+:\d{12}:task-definition\/(.+)$/.exec(ref);
        const key = m?.[1] ?? ref;
        const arn = world.arn('ecs', `task-definition/${key}`);
        const td = /^[A-Za-z0-9_-]+:\d+$/.test(key) ? world.get<TaskDefinitionData>(ResourceType.taskDefinition, key) : undefined;
        if (!td) {
          out.failures.push({ arn, reason: 'The specified task definition does not exist.' });
          continue;
        }
        if (td.state === 'ACTIVE') {
          out.failures.push({ arn, reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' });
          continue;
        }
        if (td.state === 'INACTIVE') {
          world.setState(td, 'DELETE_IN_PROGRESS');
          td.data.deleteRequestedAt = world.now();
        }
        out.taskDefinitions.push(toTaskDefinition(world, td));
      }
      return out;
    }),

    ListTaskDefinitions: op<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse>((input, { world }) => {
      const status = input.status ?? 'ACTIVE';
      const all = world
        .list<TaskDefinitionData>(ResourceType.taskDefinition)
        .filter((t) => t.state === status && (input.familyPrefix === undefined || t.data.family.startsWith(input.familyPrefix)))
        .sort((a, b) => (a.data.family < b.data.family ? -1 : a.data.family > b.data.family ? 1 : a.data.revision - b.data.revision));
      if (input.sort === 'DESC') all.reverse();
      const p = pageOf(all.map((t) => t.data.arn), input.nextToken, input.maxResults, 100);
      const out: ListTaskDefinitionsResponse = { taskDefinitionArns: p.items };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    CreateService: op<CreateServiceRequest, CreateServiceResponse>((input, { world }) => {
      const cluster = activeClusterOf(world, input.cluster);
      const name = checkEcsName('service', input.serviceName);
      if (input.clientToken !== undefined && (input.clientToken.length < 1 || input.clientToken.length > 36)) {
        throw invalid('The client token must be between 1 and 36 characters.');
      }
      checkLaunchType(input.launchType);
      if (input.schedulingStrategy === 'DAEMON') throw invalid('The DAEMON scheduling strategy does not support the FARGATE launch type.');
      if (input.deploymentController?.type !== undefined && input.deploymentController.type !== 'ECS') {
        throw invalid(`The sandbox simulates the ECS (rolling update) deployment controller only; got ${input.deploymentController.type}.`);
      }
      const td = serviceTaskDefinition(world, input.taskDefinition);
      const print = fingerprint(input, cluster.id, td.data.arn);
      const existing = world.get<ServiceData>(ResourceType.ecsService, serviceKey(cluster.id, name));
      if (existing && existing.state !== 'INACTIVE') {
        if (input.clientToken !== undefined && existing.data.clientToken === input.clientToken && existing.data.createFingerprint === print) {
          return { service: toService(world, existing, false) };
        }
        throw invalid('Creation of service was not idempotent.');
      }
      if (input.desiredCount === undefined) throw invalid('The desired count must be specified for the REPLICA scheduling strategy.');
      if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) throw invalid('Desired count must be a non-negative integer.');
      const network = networkOf(world, input.networkConfiguration);
      const loadBalancers = loadBalancersOf(world, input.loadBalancers, td);
      if (input.healthCheckGracePeriodSeconds !== undefined && loadBalancers.length === 0) {
        throw invalid('Health check grace period is only valid for services configured to use load balancers');
      }
      if (input.healthCheckGracePeriodSeconds !== undefined && (input.healthCheckGracePeriodSeconds < 0 || input.healthCheckGracePeriodSeconds > 2_147_483_647)) {
        throw invalid('Health check grace period must be between 0 and 2147483647 seconds.');
      }
      const dc = input.deploymentConfiguration;
      const propagate = input.propagateTags ?? 'NONE';
      if (!['NONE', 'SERVICE', 'TASK_DEFINITION'].includes(propagate)) throw invalid(`Invalid propagateTags: ${propagate}.`);
      const tags = tagMap(input.tags);
      if (existing) world.remove(ResourceType.ecsService, existing.id);
      const data: ServiceData = {
        serviceName: name,
        serviceArn: serviceArn(world, cluster.id, name),
        clusterName: cluster.id,
        clusterArn: cluster.data.clusterArn,
        desiredCount: input.desiredCount,
        network,
        loadBalancers,
        circuitBreaker: breakerSettings(dc?.deploymentCircuitBreaker),
        maximumPercent: dc?.maximumPercent ?? 200,
        minimumHealthyPercent: dc?.minimumHealthyPercent ?? 100,
        platformVersion: input.platformVersion ?? 'LATEST',
        propagateTags: propagate,
        enableECSManagedTags: input.enableECSManagedTags ?? false,
        createFingerprint: print,
        createdAt: world.now(),
        deployments: [newDeployment(world, td.data.arn)],
        events: [],
        steady: false,
        launchedTasks: 0,
      };
      if (input.clientToken !== undefined) data.clientToken = input.clientToken;
      if (input.healthCheckGracePeriodSeconds !== undefined) data.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
      const svc = world.create<ServiceData>('ecs', ResourceType.ecsService, serviceKey(cluster.id, name), { state: 'ACTIVE', tags, data });
      return { service: toService(world, svc, false) };
    }),

    DescribeServices: op<DescribeServicesRequest, DescribeServicesResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      const refs = input.services ?? [];
      if (refs.length < 1 || refs.length > 10) throw invalid('services must list between 1 and 10 services.');
      const tags = (input.include ?? []).includes('TAGS');
      const out: Required<Pick<DescribeServicesResponse, 'services' | 'failures'>> = { services: [], failures: [] };
      for (const ref of refs) {
        const svc = findService(world, cluster.id, ref);
        if (!svc) {
          const arn = ref.startsWith('arn:') ? ref : serviceArn(world, cluster.id, ref);
          out.failures.push({ arn, reason: 'MISSING' } satisfies Failure);
        } else out.services.push(toService(world, svc, tags));
      }
      return out;
    }),

    UpdateService: op<UpdateServiceRequest, UpdateServiceResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      const svc = serviceOf(world, cluster.id, input.service);
      if (svc.state !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.', 400);
      const s = svc.data;
      const primary = s.deployments.find((d) => d.status === 'PRIMARY');
      let taskDefinition = primary?.taskDefinition ?? '';
      let redeploy = input.forceNewDeployment === true;
      if (input.taskDefinition !== undefined) {
        const td = serviceTaskDefinition(world, input.taskDefinition);
        if (td.data.arn !== taskDefinition) redeploy = true;
        taskDefinition = td.data.arn;
      }
      const current = taskDefinitionOf(world, taskDefinition);
      if (input.desiredCount !== undefined && (!Number.isInteger(input.desiredCount) || input.desiredCount < 0)) throw invalid('Desired count must be a non-negative integer.');
      let network = s.network;
      if (input.networkConfiguration !== undefined) {
        network = networkOf(world, input.networkConfiguration);
        if (JSON.stringify(network) !== JSON.stringify(s.network)) redeploy = true;
      }
      let loadBalancers = s.loadBalancers;
      if (input.loadBalancers !== undefined && current) {
        loadBalancers = loadBalancersOf(world, input.loadBalancers, current);
        if (JSON.stringify(loadBalancers) !== JSON.stringify(s.loadBalancers)) redeploy = true;
      } else if (current && input.taskDefinition !== undefined) {
        // The new revision must still offer the container and port the load balancers use.
        loadBalancersOf(world, s.loadBalancers, current);
      }
      const grace = input.healthCheckGracePeriodSeconds;
      if (grace !== undefined && loadBalancers.length === 0) throw invalid('Health check grace period is only valid for services configured to use load balancers');
      if (input.desiredCount !== undefined) s.desiredCount = input.desiredCount;
      s.network = network;
      s.loadBalancers = loadBalancers;
      if (grace !== undefined) s.healthCheckGracePeriodSeconds = grace;
      const dc = input.deploymentConfiguration;
      if (dc?.deploymentCircuitBreaker) s.circuitBreaker = breakerSettings(dc.deploymentCircuitBreaker);
      if (dc?.maximumPercent !== undefined) s.maximumPercent = dc.maximumPercent;
      if (dc?.minimumHealthyPercent !== undefined) s.minimumHealthyPercent = dc.minimumHealthyPercent;
      if (input.propagateTags !== undefined) s.propagateTags = input.propagateTags;
      if (input.enableECSManagedTags !== undefined) s.enableECSManagedTags = input.enableECSManagedTags;
      if (input.platformVersion !== undefined) s.platformVersion = input.platformVersion;
      if (redeploy) startDeployment(world, svc, taskDefinition);
      else s.steady = false;
      return { service: toService(world, svc, false) };
    }),

    DeleteService: op<DeleteServiceRequest, DeleteServiceResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      const svc = serviceOf(world, cluster.id, input.service);
      if (svc.state === 'INACTIVE') throw serviceNotFound();
      if (svc.state === 'ACTIVE') {
        if (svc.data.desiredCount > 0 && !input.force) throw invalid('The service cannot be stopped while it is scaled above 0.');
        svc.data.desiredCount = 0;
        world.setState(svc, 'DRAINING');
      }
      return { service: toService(world, svc, false) };
    }),

    ListServices: op<ListServicesRequest, ListServicesResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      checkLaunchType(input.launchType);
      const all = world
        .list<ServiceData>(ResourceType.ecsService)
        .filter((s) => s.data.clusterName === cluster.id && s.state !== 'INACTIVE' && !world.hiddenByConsistency(s) && input.schedulingStrategy !== 'DAEMON')
        .sort((a, b) => a.data.createdAt - b.data.createdAt || a.id.localeCompare(b.id));
      const p = pageOf(all.map((s) => s.data.serviceArn), input.nextToken, input.maxResults, 10);
      const out: ListServicesResponse = { serviceArns: p.items };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    ListTasks: op<ListTasksRequest, ListTasksResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      if (input.serviceName !== undefined && !findService(world, cluster.id, input.serviceName)) throw serviceNotFound();
      const desired = input.desiredStatus ?? 'RUNNING';
      const service = input.serviceName === undefined ? undefined : findService(world, cluster.id, input.serviceName);
      const ofService = service ? new Set(serviceTasks(world, service)) : undefined;
      // Fargate tasks only: none runs on an EC2 launch type or a container instance.
      if ((input.launchType !== undefined && input.launchType !== 'FARGATE') || input.containerInstance !== undefined) return { taskArns: [] };
      const all = world
        .list<TaskData>(ResourceType.ecsTask)
        .filter((t) => t.data.clusterName === cluster.id)
        .filter((t) => (desired === 'PENDING' ? t.data.desiredStatus === 'RUNNING' && t.state !== 'RUNNING' : t.data.desiredStatus === desired))
        .filter((t) => !ofService || ofService.has(t))
        .filter((t) => input.family === undefined || t.data.taskDefinitionArn.includes(`:task-definition/${input.family}:`))
        .filter((t) => input.startedBy === undefined || t.data.startedBy === input.startedBy)
        .sort((a, b) => a.data.createdAt - b.data.createdAt);
      const p = pageOf(all.map((t) => t.data.taskArn), input.nextToken, input.maxResults, 100);
      const out: ListTasksResponse = { taskArns: p.items };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    DescribeTasks: op<DescribeTasksRequest, DescribeTasksResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      const refs = input.tasks ?? [];
      if (refs.length < 1 || refs.length > 100) throw invalid('Tasks cannot be empty.');
      const tags = (input.include ?? []).includes('TAGS');
      const out: Required<Pick<DescribeTasksResponse, 'tasks' | 'failures'>> = { tasks: [], failures: [] };
      for (const ref of refs) {
        const task = findTask(world, cluster.id, ref);
        if (task) out.tasks.push(toTask(task, tags));
        else out.failures.push({ arn: ref.startsWith('arn:') ? ref : world.arn('ecs', `task/${cluster.id}/${ref}`), reason: 'MISSING' });
      }
      return out;
    }),

    StopTask: op<StopTaskRequest, StopTaskResponse>((input, { world }) => {
      const cluster = clusterOf(world, input.cluster);
      const task = input.task ? findTask(world, cluster.id, input.task) : undefined;
      if (!task) throw invalid('The referenced task was not found.');
      if (input.reason !== undefined && input.reason.length > 255) throw invalid('The reason must be at most 255 characters.');
      stopTask(world, task, { reason: input.reason ?? 'Task stopped by user', stopCode: 'UserInitiated' });
      return { task: toTask(task, false) };
    }),

    TagResource: op<TagResourceRequest, Record<string, never>>((input, { world }) => {
      const r = taggable(world, input.resourceArn);
      const tags = { ...r.tags, ...tagMap(input.tags) };
      if (Object.keys(tags).length > 50) throw invalid('A resource can have at most 50 tags.');
      r.tags = tags;
      return {};
    }),

    UntagResource: op<UntagResourceRequest, Record<string, never>>((input, { world }) => {
      const r = taggable(world, input.resourceArn);
      for (const k of input.tagKeys ?? []) delete r.tags[k];
      return {};
    }),

    ListTagsForResource: op<ListTagsForResourceRequest, ListTagsForResourceResponse>((input, { world }) => ({ tags: tagList(taggable(world, input.resourceArn).tags) })),
  },
};
