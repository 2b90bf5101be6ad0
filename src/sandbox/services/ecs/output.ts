/** The ECS resources in the shapes DescribeClusters / DescribeServices / DescribeTasks answer with. */
import type { Cluster, Container, Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { ResourceType } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { tagList, type ClusterData, type ServiceData, type TaskData } from './model.js';
import { serviceTasks } from './scheduler.js';

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

export function toCluster(world: World, c: Resource<ClusterData>, opts: { tags?: boolean; settings?: boolean; statistics?: boolean } = {}): Cluster {
  const tasks = world.list<TaskData>(ResourceType.ecsTask).filter((t) => t.data.clusterName === c.id);
  const services = world.list<ServiceData>(ResourceType.ecsService).filter((s) => s.data.clusterName === c.id && s.state === 'ACTIVE');
  const running = tasks.filter((t) => t.state === 'RUNNING').length;
  const pending = tasks.filter((t) => PENDING.has(t.state)).length;
  const out: Cluster = {
    clusterArn: c.data.clusterArn,
    clusterName: c.data.clusterName,
    status: c.state,
    registeredContainerInstancesCount: 0,
    runningTasksCount: c.state === 'ACTIVE' ? running : 0,
    pendingTasksCount: c.state === 'ACTIVE' ? pending : 0,
    activeServicesCount: c.state === 'ACTIVE' ? services.length : 0,
    statistics: [],
    tags: [],
    settings: [],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
  if (opts.tags) out.tags = tagList(c.tags);
  if (opts.settings) out.settings = c.data.settings.map((s) => ({ name: s.name as 'containerInsights', value: s.value }));
  if (opts.statistics) {
    out.statistics = [
      { name: 'runningFargateTasksCount', value: String(running) },
      { name: 'pendingFargateTasksCount', value: String(pending) },
      { name: 'activeFargateServiceCount', value: String(services.length) },
    ];
  }
  return out;
}

export function toService(world: World, svc: Resource<ServiceData>, includeTags: boolean): Service {
  const s = svc.data;
  const tasks = serviceTasks(world, svc).filter((t) => t.data.desiredStatus === 'RUNNING' || t.state !== 'STOPPED');
  const counts = (deploymentId?: string): { running: number; pending: number } => {
    const mine = tasks.filter((t) => deploymentId === undefined || t.data.deploymentId === deploymentId);
    return {
      running: mine.filter((t) => t.state === 'RUNNING').length,
      pending: mine.filter((t) => PENDING.has(t.state) && t.data.desiredStatus === 'RUNNING').length,
    };
  };
  const network = {
    awsvpcConfiguration: { subnets: [...s.network.subnets], securityGroups: [...s.network.securityGroups], assignPublicIp: s.network.assignPublicIp },
  };
  const shown = svc.state === 'INACTIVE' ? s.deployments.filter((d) => d.status === 'PRIMARY') : s.deployments.filter((d) => d.status !== 'INACTIVE');
  const deployments: Deployment[] = shown.map((d) => {
    const c = counts(d.id);
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.status === 'PRIMARY' && svc.state === 'ACTIVE' ? s.desiredCount : 0,
      pendingCount: c.pending,
      runningCount: c.running,
      failedTasks: d.failedTasks,
      createdAt: new Date(d.createdAt),
      updatedAt: new Date(d.updatedAt),
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      networkConfiguration: network,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    };
  });
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  const total = counts();
  const out: Service = {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers.map((l) => ({ ...l })),
    serviceRegistries: [],
    status: svc.state,
    desiredCount: s.desiredCount,
    runningCount: total.running,
    pendingCount: total.pending,
    launchType: 'FARGATE',
    platformVersion: s.platformVersion,
    platformFamily: 'Linux',
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...s.circuitBreaker },
      maximumPercent: s.maximumPercent,
      minimumHealthyPercent: s.minimumHealthyPercent,
    },
    deployments,
    roleArn: `arn:aws:iam::${world.config.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: s.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
    createdAt: new Date(s.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: network,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${world.config.accountId}:user/sandbox`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags as Service['propagateTags'],
    enableExecuteCommand: false,
  };
  if (primary) out.taskDefinition = primary.taskDefinition;
  if (s.healthCheckGracePeriodSeconds !== undefined) out.healthCheckGracePeriodSeconds = s.healthCheckGracePeriodSeconds;
  if (includeTags) out.tags = tagList(svc.tags);
  return out;
}

export function toTask(task: Resource<TaskData>, includeTags: boolean): Task {
  const t = task.data;
  const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
  const containers: Container[] = t.containers.map((c) => {
    const out: Container = {
      containerArn: c.containerArn,
      taskArn: t.taskArn,
      name: c.name,
      image: c.image,
      lastStatus: c.lastStatus,
      networkBindings: [],
      networkInterfaces: [{ attachmentId: t.attachmentId, privateIpv4Address: t.privateIp }],
      healthStatus: 'UNKNOWN',
      cpu: '0',
    };
    if (c.imageDigest !== undefined) out.imageDigest = c.imageDigest;
    if (c.runtimeId !== undefined) out.runtimeId = c.runtimeId;
    if (c.exitCode !== undefined) out.exitCode = c.exitCode;
    if (c.reason !== undefined) out.reason = c.reason;
    return out;
  });
  const out: Task = {
    attachments: [
      {
        id: t.attachmentId,
        type: 'ElasticNetworkInterface',
        status: t.attachmentStatus,
        details: [
          { name: 'subnetId', value: t.subnetId },
          { name: 'networkInterfaceId', value: t.eniId },
          { name: 'macAddress', value: t.macAddress },
          { name: 'privateDnsName', value: `ip-${t.privateIp.replace(/\./g, '-')}.ec2.internal` },
          { name: 'privateIPv4Address', value: t.privateIp },
        ],
      },
    ],
    attributes: [{ name: 'ecs.cpu-architecture', value: t.cpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64' }],
    availabilityZone: t.availabilityZone,
    clusterArn: t.clusterArn,
    connectivity: t.connectivityAt !== undefined ? 'CONNECTED' : 'DISCONNECTED',
    containers,
    createdAt: new Date(t.createdAt),
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: false,
    group: t.group,
    healthStatus: 'UNKNOWN',
    lastStatus: task.state,
    launchType: 'FARGATE',
    overrides: { containerOverrides: t.containers.map((c) => ({ name: c.name })), inferenceAcceleratorOverrides: [] },
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    taskArn: t.taskArn,
    taskDefinitionArn: t.taskDefinitionArn,
    version: t.version,
    ephemeralStorage: { sizeInGiB: 20 },
  };
  const dates: [keyof Task, number | undefined][] = [
    ['connectivityAt', t.connectivityAt],
    ['pullStartedAt', t.pullStartedAt],
    ['pullStoppedAt', t.pullStoppedAt],
    ['startedAt', t.startedAt],
    ['stoppingAt', t.stoppingAt],
    ['stoppedAt', t.stoppedAt],
    ['executionStoppedAt', t.executionStoppedAt],
  ];
  for (const [k, v] of dates) if (v !== undefined) (out as Record<string, unknown>)[k] = date(v);
  if (t.cpu !== undefined) out.cpu = t.cpu;
  if (t.memory !== undefined) out.memory = t.memory;
  if (t.startedBy !== undefined) out.startedBy = t.startedBy;
  if (t.stoppedReason !== undefined) out.stoppedReason = t.stoppedReason;
  if (t.stopCode !== undefined) out.stopCode = t.stopCode as Task['stopCode'];
  if (includeTags) out.tags = tagList(task.tags);
  return out;
}
