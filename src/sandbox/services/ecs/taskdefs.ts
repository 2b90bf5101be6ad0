/**
 * RegisterTaskDefinition's rules for Fargate tasks (network mode, task-level size, the valid cpu/memory pairs, the
 * execution role the awslogs driver and ECR images need) and the task definition as DescribeTaskDefinition shows it.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { registryHost } from '../../images.js';
import type { Resource, World } from '../../world.js';
import { checkEcsName, type TaskDefinitionData } from './model.js';

const client = (message: string): AwsError => new AwsError('ClientException', message, 400);

/** Task cpu units -> the memory sizes (MiB) Fargate offers with it. */
function fargateMemories(cpu: number): number[] {
  const range = (from: number, to: number, step: number): number[] => {
    const out: number[] = [];
    for (let m = from; m <= to; m += step) out.push(m);
    return out;
  };
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

/** "256", "0.25 vCPU", "1 vcpu" -> cpu units. */
function cpuUnits(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(text);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return m[2] ? Math.round(n * 1024) : n;
}

/** "512", "0.5 GB", "2GB" -> MiB. */
function memoryMiB(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|mb|mib)?\s*$/i.exec(text);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 'gb' ? Math.round(n * 1024) : n;
}

function isEcrImage(world: World, image: string): boolean {
  return image.startsWith(`${registryHost(world)}/`) || /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//.test(image);
}

/** Validate a registration and return the stored (normalized) definition, without family/revision/arn. */
export function normalizeTaskDefinition(world: World, input: RegisterTaskDefinitionRequest): Omit<TaskDefinitionData, 'family' | 'revision' | 'arn' | 'registeredAt'> {
  const containers = input.containerDefinitions ?? [];
  if (containers.length === 0) throw client('Container list cannot be empty.');
  if (containers.length > 10) throw client('Too many containers: a task definition can have at most 10.');
  const fargate = (input.requiresCompatibilities ?? []).includes('FARGATE');
  const networkMode: string = input.networkMode ?? (fargate ? 'none' : 'bridge');
  if (fargate && networkMode !== 'awsvpc') throw client('Fargate only supports network mode ‘awsvpc’.');
  let cpu: string | undefined;
  let memory: string | undefined;
  if (input.cpu !== undefined) {
    const units = cpuUnits(input.cpu);
    if (units === undefined) throw client(`Invalid 'cpu' setting for task.`);
    cpu = String(units);
  }
  if (input.memory !== undefined) {
    const mib = memoryMiB(input.memory);
    if (mib === undefined) throw client(`Invalid 'memory' setting for task.`);
    memory = String(mib);
  }
  if (fargate) {
    if (cpu === undefined) throw client("Fargate requires that 'cpu' be defined at the task level.");
    if (memory === undefined) throw client("Fargate requires that 'memory' be defined at the task level.");
    if (!fargateMemories(Number(cpu)).includes(Number(memory))) {
      throw client(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`);
    }
  }
  const platform = input.runtimePlatform;
  if (platform?.cpuArchitecture !== undefined && !['X86_64', 'ARM64'].includes(platform.cpuArchitecture)) {
    throw client(`Invalid cpuArchitecture: ${platform.cpuArchitecture}. Valid values are X86_64 and ARM64.`);
  }
  if (platform?.operatingSystemFamily !== undefined && !/^(LINUX|WINDOWS_SERVER_\w+)$/.test(platform.operatingSystemFamily)) {
    throw client(`Invalid operatingSystemFamily: ${platform.operatingSystemFamily}.`);
  }
  const names = new Set<string>();
  const normalized: ContainerDefinition[] = containers.map((c) => {
    if (!c.name) throw client('Container.name should not be null or empty.');
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(c.name)) throw client(`Container name ${c.name} is invalid: up to 255 letters, numbers, hyphens and underscores are allowed.`);
    if (names.has(c.name)) throw client(`Duplicate container name: ${c.name}.`);
    names.add(c.name);
    if (!c.image) throw client('Container.image should not be null or empty.');
    const portMappings = (c.portMappings ?? []).map((p) => {
      if (p.containerPort === undefined) throw client('Container port should not be null.');
      if (networkMode === 'awsvpc' && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
        throw client('When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
      }
      return { ...p, containerPort: p.containerPort, hostPort: networkMode === 'awsvpc' ? p.containerPort : (p.hostPort ?? 0), protocol: p.protocol ?? 'tcp' };
    });
    const log = c.logConfiguration;
    if (log?.logDriver === 'awslogs') {
      const options = log.options ?? {};
      for (const required of fargate ? ['awslogs-group', 'awslogs-region', 'awslogs-stream-prefix'] : ['awslogs-group', 'awslogs-region']) {
        if (!options[required]) throw client(`Log driver awslogs option '${required}' should not be null or empty.`);
      }
      if (fargate && !input.executionRoleArn) throw client('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
    }
    if (fargate && !input.executionRoleArn && isEcrImage(world, c.image)) throw client('Fargate requires task definition to have execution role ARN to support ECR images.');
    for (const s of c.secrets ?? []) {
      if (!s.name || !s.valueFrom) throw client('Secret name and valueFrom should not be null or empty.');
    }
    return {
      ...c,
      cpu: c.cpu ?? 0,
      portMappings,
      essential: c.essential ?? true,
      environment: c.environment ?? [],
      mountPoints: c.mountPoints ?? [],
      volumesFrom: c.volumesFrom ?? [],
      systemControls: c.systemControls ?? [],
    };
  });
  if (!normalized.some((c) => c.essential)) throw client('A task definition must have at least one essential container.');
  const out: Omit<TaskDefinitionData, 'family' | 'revision' | 'arn' | 'registeredAt'> = {
    containerDefinitions: normalized,
    networkMode,
    requiresCompatibilities: input.requiresCompatibilities ?? [],
  };
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  if (platform !== undefined) out.runtimePlatform = platform;
  if (input.executionRoleArn !== undefined) out.executionRoleArn = input.executionRoleArn;
  if (input.taskRoleArn !== undefined) out.taskRoleArn = input.taskRoleArn;
  return out;
}

/** `family`, `family:revision` or an ARN -> the task definition (latest ACTIVE revision for a bare family). */
export function findTaskDefinition(world: World, ref: string | undefined): Resource<TaskDefinitionData> | undefined {
  if (!ref) return undefined;
  const m = /^arn:aws:ecs:[^:]+:\d{12}:task-definition\/(.+)$/.exec(ref);
  const key = m?.[1] ?? ref;
  if (key.includes(':')) {
    const td = world.get<TaskDefinitionData>(ResourceType.taskDefinition, key);
    return td && td.state !== 'DELETE_IN_PROGRESS' ? td : undefined;
  }
  return world
    .list<TaskDefinitionData>(ResourceType.taskDefinition)
    .filter((t) => t.data.family === key && t.state === 'ACTIVE')
    .sort((a, b) => b.data.revision - a.data.revision)[0];
}

export function checkFamily(family: string | undefined): string {
  return checkEcsName('family', family, 'ClientException');
}

export function toTaskDefinition(world: World, td: Resource<TaskDefinitionData>): TaskDefinition {
  const d = td.data;
  const requiresAttributes = [
    { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
    { name: 'ecs.capability.task-eni' },
  ];
  if (d.executionRoleArn) requiresAttributes.push({ name: 'ecs.capability.execution-role-awslogs' });
  const out: TaskDefinition = {
    taskDefinitionArn: d.arn,
    containerDefinitions: d.containerDefinitions,
    family: d.family,
    networkMode: d.networkMode as TaskDefinition['networkMode'],
    revision: d.revision,
    volumes: [],
    status: td.state as TaskDefinition['status'],
    requiresAttributes,
    placementConstraints: [],
    compatibilities: d.networkMode === 'awsvpc' ? ['EC2', 'FARGATE'] : ['EC2'],
    requiresCompatibilities: d.requiresCompatibilities as TaskDefinition['requiresCompatibilities'],
    registeredAt: new Date(d.registeredAt),
    registeredBy: `arn:aws:iam::${world.config.accountId}:user/sandbox`,
  };
  if (d.cpu !== undefined) out.cpu = d.cpu;
  if (d.memory !== undefined) out.memory = d.memory;
  if (d.runtimePlatform !== undefined) out.runtimePlatform = d.runtimePlatform;
  if (d.executionRoleArn !== undefined) out.executionRoleArn = d.executionRoleArn;
  if (d.taskRoleArn !== undefined) out.taskRoleArn = d.taskRoleArn;
  if (d.deregisteredAt !== undefined) out.deregisteredAt = new Date(d.deregisteredAt);
  if (d.deleteRequestedAt !== undefined) out.deleteRequestedAt = new Date(d.deleteRequestedAt);
  return out;
}
