import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import type { StackConfig } from '../config.js';
import { CONTAINER_NAME, LOG_STREAM_PREFIX, stackNames } from '../names.js';
import { ownedOnly } from './ownership.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { ecsTags, needOutput, waitFor } from './common.js';

/**
 * The API's Fargate task definition: awsvpc, the smallest size, the stack's CPU architecture, one container `api`
 * on the container port with its configuration in the environment, the DB password injected from the RDS-managed
 * secret (`<secretArn>:password::`, read by ECS with the execution role, never by the provisioner), the API key
 * from the stack's own secret (API_KEY: writes need it), the cache's AUTH token (REDIS_AUTH_TOKEN) and logs to
 * the stack's log group. Registering makes a new revision each time, so `waitReady` registers one only when the
 * active revision differs from what the stack needs now (a new image, a replaced database).
 */
export interface TaskInputs {
  image: string;
  executionRoleArn: string;
  /** The API's own identity: it may read the DB secret again after a rotation. */
  taskRoleArn: string;
  logGroup: string;
  dbHost: string;
  dbPort: string;
  dbName: string;
  dbUser: string;
  secretArn: string;
  /** The API key's secret: its whole value is the key. */
  apiKeyArn: string;
  /** The cache's AUTH token's secret: its whole value is the token. */
  redisAuthArn: string;
  redisHost: string;
  redisPort: string;
}

export function taskDefinitionInput(config: StackConfig, inputs: TaskInputs): RegisterTaskDefinitionCommandInput {
  const names = stackNames(config.stack);
  return {
    family: names.taskFamily,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: String(config.taskCpu),
    memory: String(config.taskMemory),
    runtimePlatform: { cpuArchitecture: config.cpuArchitecture, operatingSystemFamily: 'LINUX' },
    executionRoleArn: inputs.executionRoleArn,
    taskRoleArn: inputs.taskRoleArn,
    containerDefinitions: [
      {
        name: CONTAINER_NAME,
        image: inputs.image,
        essential: true,
        portMappings: [{ containerPort: config.containerPort, protocol: 'tcp' }],
        environment: [
          { name: 'PORT', value: String(config.containerPort) },
          { name: 'DB_HOST', value: inputs.dbHost },
          { name: 'DB_PORT', value: inputs.dbPort },
          { name: 'DB_NAME', value: inputs.dbName },
          { name: 'DB_USER', value: inputs.dbUser },
          { name: 'DB_SSL', value: 'verify-full' },
          { name: 'REDIS_HOST', value: inputs.redisHost },
          { name: 'REDIS_PORT', value: inputs.redisPort },
          { name: 'REDIS_TLS', value: 'true' },
          // The API reads the password from here at start and after PostgreSQL refuses it (RDS rotated it).
          { name: 'DB_SECRET_ARN', value: inputs.secretArn },
        ],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: `${inputs.secretArn}:password::` },
          { name: 'API_KEY', valueFrom: inputs.apiKeyArn },
          { name: 'REDIS_AUTH_TOKEN', valueFrom: inputs.redisAuthArn },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': inputs.logGroup, 'awslogs-region': config.region, 'awslogs-stream-prefix': LOG_STREAM_PREFIX },
        },
      },
    ],
  };
}

export function inputsOf(ctx: NodeContext): TaskInputs {
  return {
    image: needOutput(ctx, 'image', 'uri'),
    executionRoleArn: needOutput(ctx, 'execution-role', 'arn'),
    taskRoleArn: needOutput(ctx, 'task-role', 'arn'),
    logGroup: needOutput(ctx, 'log-group', 'name'),
    dbHost: needOutput(ctx, 'database', 'address'),
    dbPort: needOutput(ctx, 'database', 'port'),
    dbName: needOutput(ctx, 'database', 'dbName'),
    dbUser: needOutput(ctx, 'database', 'username'),
    secretArn: needOutput(ctx, 'database', 'secretArn'),
    apiKeyArn: needOutput(ctx, 'api-key', 'arn'),
    redisAuthArn: needOutput(ctx, 'redis-auth', 'arn'),
    redisHost: needOutput(ctx, 'cache', 'host'),
    redisPort: needOutput(ctx, 'cache', 'port'),
  };
}

/** Whether a registered revision is what `want` describes (the fields the stack sets). */
export function matches(td: TaskDefinition, want: RegisterTaskDefinitionCommandInput): boolean {
  const c = td.containerDefinitions?.[0];
  const w = want.containerDefinitions?.[0];
  if (!c || !w || td.containerDefinitions?.length !== 1) return false;
  const env = (list: { name?: string | undefined; value?: string | undefined }[] | undefined): string =>
    JSON.stringify([...(list ?? [])].map((e) => `${e.name}=${e.value}`).sort());
  const secrets = (list: { name?: string | undefined; valueFrom?: string | undefined }[] | undefined): string =>
    JSON.stringify([...(list ?? [])].map((e) => `${e.name}=${e.valueFrom}`).sort());
  return (
    td.executionRoleArn === want.executionRoleArn &&
    td.taskRoleArn === want.taskRoleArn &&
    td.cpu === want.cpu &&
    td.memory === want.memory &&
    td.runtimePlatform?.cpuArchitecture === want.runtimePlatform?.cpuArchitecture &&
    c.name === w.name &&
    c.image === w.image &&
    c.portMappings?.[0]?.containerPort === w.portMappings?.[0]?.containerPort &&
    env(c.environment) === env(w.environment) &&
    secrets(c.secrets) === secrets(w.secrets) &&
    c.logConfiguration?.options?.['awslogs-group'] === w.logConfiguration?.options?.['awslogs-group']
  );
}

function tryWant(ctx: NodeContext): RegisterTaskDefinitionCommandInput | undefined {
  try {
    return taskDefinitionInput(ctx.config, inputsOf(ctx));
  } catch {
    return undefined;
  }
}

export async function describeTaskDefinition(ctx: NodeContext, ref: string): Promise<TaskDefinition | undefined> {
  try {
    return (await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))).taskDefinition;
  } catch (err) {
    // ECS answers ClientException "Unable to describe task definition" for an unknown family or revision.
    if (isAwsError(err, 'ClientException')) return undefined;
    throw err;
  }
}

function outputsOf(td: TaskDefinition): Outputs {
  return { arn: td.taskDefinitionArn ?? '', family: td.family ?? '', revision: String(td.revision ?? '') };
}

async function register(ctx: NodeContext, want: RegisterTaskDefinitionCommandInput): Promise<Identity> {
  const out = await ctx.clients.ecs.send(new RegisterTaskDefinitionCommand({ ...want, tags: ecsTags(ctx) }));
  const identity: Identity = { arn: out.taskDefinition?.taskDefinitionArn ?? '', family: want.family ?? '' };
  ctx.record({ identity });
  return identity;
}

/** Every revision ARN of the family with the given status (paginated). */
async function revisions(ctx: NodeContext, family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ctx.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, ...(nextToken ? { nextToken } : {}) }));
    // familyPrefix is the family, but check: arn:...:task-definition/FAMILY:REV
    for (const arn of out.taskDefinitionArns ?? []) if (arn.split('/').pop()?.replace(/:\d+$/, '') === family) arns.push(arn);
    nextToken = out.nextToken;
  } while (nextToken);
  return arns;
}

async function ownedRevisions(ctx: NodeContext, family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<string[]> {
  const owned = await ownedOnly(ctx, 'task-definition', (await revisions(ctx, family, status)).map((arn) => ({ arn })));
  return owned.map((i) => i['arn'] ?? '');
}

export const taskDefinitionKind: StackResourceKind = firstOf({
  kind: 'task-definition',

  async create(ctx) {
    return register(ctx, taskDefinitionInput(ctx.config, inputsOf(ctx)));
  },

  async read(ctx, identity) {
    const td = await describeTaskDefinition(ctx, identity['arn'] ?? '');
    if (!td || td.status !== 'ACTIVE') return undefined;
    const want = tryWant(ctx);
    const ready = want !== undefined && matches(td, want);
    return { state: ready ? 'active' : 'active, outdated', ready, outputs: outputsOf(td) };
  },

  /** The family's latest ACTIVE revision (the family name is derived from the stack; delete takes them all). */
  async findAll(ctx) {
    const family = stackNames(ctx.config.stack).taskFamily;
    const latest = (await revisions(ctx, family, 'ACTIVE')).pop();
    return latest ? [{ arn: latest, family }] : [];
  },

  async waitReady(ctx, identity) {
    const want = taskDefinitionInput(ctx.config, inputsOf(ctx));
    const td = await waitFor(ctx, `task definition ${identity['arn'] ?? ''} to be visible`, 'quickReady', async () => {
      const found = await describeTaskDefinition(ctx, identity['arn'] ?? '');
      return found ? { done: true, value: found } : { done: false, state: 'not visible yet' };
    });
    if (td.status === 'ACTIVE' && matches(td, want)) return outputsOf(td);
    // What the stack needs changed (image, endpoints, role): a new revision; the service then rolls to it.
    ctx.progress('waiting', 'registering a new revision: the image or the endpoints changed');
    const fresh = await register(ctx, want);
    return { arn: fresh['arn'] ?? '', family: fresh['family'] ?? '', revision: fresh['arn']?.split(':').pop() ?? '' };
  },

  /** Deregister every ACTIVE revision of the family, then delete the INACTIVE ones. */
  async delete(ctx, identity) {
    const family = identity['family'] || stackNames(ctx.config.stack).taskFamily;
    // Only the revisions this stack registered (its tag): a family of the same name may hold someone else's.
    for (const arn of await ownedRevisions(ctx, family, 'ACTIVE')) {
      try {
        await ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      } catch (err) {
        if (!isAwsError(err, 'ClientException')) throw err;
      }
    }
    const inactive = await ownedRevisions(ctx, family, 'INACTIVE');
    for (let i = 0; i < inactive.length; i += 10) {
      await ctx.clients.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: inactive.slice(i, i + 10) }));
    }
  },

  async waitGone(ctx, identity) {
    const family = identity['family'] || stackNames(ctx.config.stack).taskFamily;
    await waitFor(ctx, `task definition family ${family} to be deregistered`, 'quickGone', async () => {
      const left = await ownedRevisions(ctx, family, 'ACTIVE');
      return left.length === 0 ? { done: true, value: undefined } : { done: false, state: `${left.length} active revision(s)` };
    });
  },
});
