/**
 * Every AWS name the stack uses, derived from the stack name in one place. A valid stack name (config.ts: at most
 * 24 characters, lowercase letters, digits and hyphens, starting with a letter, no "--", no trailing hyphen) gives
 * names within every AWS limit; test/provisioner/names.test.ts proves it for the longest and the awkward names.
 */
export interface StackNames {
  /** Elastic Load Balancing: <= 32, [0-9A-Za-z-], no leading/trailing hyphen, not starting "internal-". */
  loadBalancer: string;
  /** Target group: <= 32, same alphabet. */
  targetGroup: string;
  /** RDS identifier: 1-63, starts with a letter, no "--", no trailing hyphen. */
  dbInstance: string;
  /** DB subnet group: <= 255. */
  dbSubnetGroup: string;
  /** Cache subnet group: <= 255. */
  cacheSubnetGroup: string;
  /** ElastiCache replication group id: 1-40, starts with a letter, no "--", no trailing hyphen. */
  replicationGroup: string;
  /** ECR repository: <= 256, lowercase. */
  repository: string;
  /** CloudWatch Logs group: <= 512. */
  logGroup: string;
  /** Inline policy of the execution role: <= 128. */
  executionRolePolicy: string;
  /** ECS cluster, service and task family: <= 255, letters, digits, hyphens, underscores. */
  cluster: string;
  service: string;
  taskFamily: string;
  /** EC2 security group names: <= 255, not starting with "sg-". */
  securityGroup: Record<SecurityGroupRole, string>;
  /** Secrets Manager secrets the stack generates (the API key, the cache's AUTH token): <= 512, [A-Za-z0-9/_+=.@!-]. */
  secret: Record<StackSecretRole, string>;
  /** Inline policy of the task role (the API's own AWS identity): <= 128. */
  taskRolePolicy: string;
  /** The `Name` tag EC2 consoles show, for a logical id. */
  ec2Name(logicalId: string): string;
}

export type SecurityGroupRole = 'alb' | 'ecs' | 'rds' | 'redis';

/** The secrets three-tier generates and keeps for a stack (the database password is RDS's own). */
export type StackSecretRole = 'api-key' | 'redis-auth';

/** AWS limits of the derived names; test/provisioner/names.test.ts proves every name fits for any valid stack name. */
export const NAME_LIMITS = {
  loadBalancer: 32,
  targetGroup: 32,
  dbInstance: 63,
  dbSubnetGroup: 255,
  cacheSubnetGroup: 255,
  replicationGroup: 40,
  repository: 256,
  logGroup: 512,
  executionRole: 64,
  executionRolePolicy: 128,
  cluster: 255,
  service: 255,
  taskFamily: 255,
  securityGroup: 255,
  secret: 512,
  taskRolePolicy: 128,
} as const;

/**
 * A stack named "internal-..." would give an ALB name AWS refuses (the prefix is reserved), and one named "sg-..."
 * security group names AWS refuses: those two get a "tt-" prefix. Every other name is `${stack}-suffix`.
 */
function guarded(stack: string, reserved: string): string {
  return stack.startsWith(reserved) ? `tt-${stack}` : stack;
}

export function stackNames(stack: string): StackNames {
  const alb = guarded(stack, 'internal-');
  const sg = guarded(stack, 'sg-');
  return {
    loadBalancer: `${alb}-alb`,
    targetGroup: `${stack}-tg`,
    dbInstance: `${stack}-db`,
    dbSubnetGroup: `${stack}-db-subnets`,
    cacheSubnetGroup: `${stack}-cache-subnets`,
    replicationGroup: `${stack}-redis`,
    repository: `${stack}-api`.toLowerCase(),
    logGroup: `/three-tier/${stack}/api`,
    // Pull the image, write the logs, read the secrets (an earlier version's `${stack}-read-db-secret` is removed).
    executionRolePolicy: `${stack}-task-execution`,
    cluster: stack,
    service: `${stack}-api`,
    taskFamily: `${stack}-api`,
    securityGroup: { alb: `${sg}-alb`, ecs: `${sg}-ecs`, rds: `${sg}-rds`, redis: `${sg}-redis` },
    // Secrets are per region and account; the stack's name first, so one IAM resource pattern covers them all.
    secret: { 'api-key': `${stack}/api-key`, 'redis-auth': `${stack}/redis-auth-token` },
    taskRolePolicy: `${stack}-api-read-db-secret`,
    ec2Name: (logicalId) => `${stack}-${logicalId}`,
  };
}

/**
 * IAM role names are global to the account (every region) and unique regardless of case (aws-facts.md): a stack of
 * the same name in two regions must not share a role, so the name carries the region. At most 24 + 1 + 14 + 1 + 14
 * = 54 characters of [a-z0-9-], within IAM's 64 of [\w+=,.@-].
 */
export function iamRoleName(stack: string, region: string, purpose: 'task-execution' | 'task'): string {
  return `${stack}-${region}-${purpose}`;
}

/** The region a stack's IAM roles are tagged with: a role whose tag names another region is not this stack's. */
export const REGION_TAG = 'three-tier:region';

/** What the container is called in the task definition and the service's load balancer mapping. */
export const CONTAINER_NAME = 'api';
/** The awslogs-stream-prefix of the task definition. */
export const LOG_STREAM_PREFIX = CONTAINER_NAME;

/**
 * The CloudWatch Logs stream a task's container writes to: the awslogs driver names it `<prefix>/<container>/<task id>`.
 * Given the start of a task id (or ''), the start of the stream names of the tasks whose id starts so.
 */
export function logStreamOf(taskId: string): string {
  return `${LOG_STREAM_PREFIX}/${CONTAINER_NAME}/${taskId}`;
}
/** The database the RDS instance creates and its master user (the password is managed by RDS in Secrets Manager). */
export const DB_NAME = 'app';
export const DB_MASTER_USERNAME = 'app_admin';
