import type { StackConfig } from './config.js';
import type { StackNode } from './engine/kind.js';
import { criticalPath, topologicalOrder } from './engine/graph.js';
import type { ImageSource } from './image.js';
import type { StackResourceKind } from './resources/kind.js';
import { vpcKind } from './resources/vpc.js';
import { subnetKind } from './resources/subnet.js';
import { internetGatewayKind } from './resources/internet-gateway.js';
import { elasticIpKind } from './resources/elastic-ip.js';
import { natGatewayKind } from './resources/nat-gateway.js';
import { routeTableKind } from './resources/route-table.js';
import { securityGroupKind } from './resources/security-group.js';
import { loadBalancerKind } from './resources/load-balancer.js';
import { targetGroupKind } from './resources/target-group.js';
import { listenerKind } from './resources/listener.js';
import { dbSubnetGroupKind } from './resources/db-subnet-group.js';
import { dbInstanceKind } from './resources/db-instance.js';
import { cacheSubnetGroupKind } from './resources/cache-subnet-group.js';
import { replicationGroupKind } from './resources/replication-group.js';
import { ecrRepositoryKind } from './resources/ecr-repository.js';
import { imageKind } from './resources/image.js';
import { logGroupKind } from './resources/log-group.js';
import { executionRoleKind } from './resources/execution-role.js';
import { secretKind } from './resources/secret.js';
import { taskRoleKind } from './resources/task-role.js';
import { ecsClusterKind } from './resources/ecs-cluster.js';
import { taskDefinitionKind } from './resources/task-definition.js';
import { ecsServiceKind } from './resources/ecs-service.js';

/**
 * The stack as a graph: every logical resource, what it needs, how long it takes on real AWS (docs/aws-facts.md:
 * the plan and the critical-path figure use these), and its priority. The long poles (RDS, ElastiCache, the NAT
 * gateway, the ALB) and the inputs that unlock them get the highest priorities, so that with bounded concurrency
 * they start as early as their inputs allow.
 */
export interface StackGraphNode extends StackNode {
  kind: StackResourceKind;
  /** A short human description for the plan. */
  title: string;
}

const S = 1_000;
const MIN = 60 * S;

export function buildStackGraph(config: StackConfig, image?: ImageSource): StackGraphNode[] {
  const imageEstimate = image?.kind === 'build' ? 3 * MIN : 5 * S;
  const n = (id: string, kind: StackResourceKind, dependsOn: string[], estimateMs: number, title: string, extra: Partial<StackGraphNode> = {}): StackGraphNode => ({
    id,
    kind,
    dependsOn,
    estimateMs,
    title,
    ...extra,
  });
  const nodes: StackGraphNode[] = [
    n('vpc', vpcKind, [], 5 * S, `VPC ${config.vpcCidr}`, { priority: 60 }),
    n('subnet-public-a', subnetKind('public', 0), ['vpc'], 3 * S, 'public subnet, zone 1', { priority: 60 }),
    n('subnet-public-b', subnetKind('public', 1), ['vpc'], 3 * S, 'public subnet, zone 2', { priority: 50 }),
    n('subnet-private-a', subnetKind('private', 0), ['vpc'], 3 * S, 'private subnet, zone 1', { priority: 60 }),
    n('subnet-private-b', subnetKind('private', 1), ['vpc'], 3 * S, 'private subnet, zone 2', { priority: 60 }),
    n('internet-gateway', internetGatewayKind, ['vpc'], 5 * S, 'internet gateway', { priority: 60 }),
    n('nat-eip', elasticIpKind, [], 2 * S, 'Elastic IP of the NAT gateway', { priority: 60, billable: true }),
    n('nat-gateway', natGatewayKind, ['subnet-public-a', 'nat-eip', 'internet-gateway'], 2 * MIN, 'NAT gateway', { priority: 90, billable: true }),
    n('route-table-public', routeTableKind('public'), ['vpc', 'internet-gateway', 'subnet-public-a', 'subnet-public-b'], 3 * S, 'public route table (0.0.0.0/0 -> internet gateway)'),
    n('route-table-private', routeTableKind('private'), ['vpc', 'nat-gateway', 'subnet-private-a', 'subnet-private-b'], 3 * S, 'private route table (0.0.0.0/0 -> NAT gateway)'),
    n('sg-alb', securityGroupKind('alb'), ['vpc'], 3 * S, 'security group: load balancer (80 from anywhere)', { priority: 65 }),
    n('sg-ecs', securityGroupKind('ecs'), ['vpc', 'sg-alb'], 3 * S, 'security group: API tasks (3000 from the load balancer)', { priority: 65 }),
    n('sg-rds', securityGroupKind('rds'), ['vpc', 'sg-ecs'], 3 * S, 'security group: database (5432 from the tasks)', { priority: 70 }),
    n('sg-redis', securityGroupKind('redis'), ['vpc', 'sg-ecs'], 3 * S, 'security group: cache (6379 from the tasks)', { priority: 70 }),
    n('load-balancer', loadBalancerKind, ['subnet-public-a', 'subnet-public-b', 'sg-alb', 'internet-gateway'], 150 * S, 'application load balancer', { priority: 80, billable: true }),
    n('target-group', targetGroupKind, ['vpc'], 3 * S, 'target group (ip, GET /health)'),
    n('listener', listenerKind, ['load-balancer', 'target-group'], 2 * S, 'listener :80 -> target group'),
    n('db-subnet-group', dbSubnetGroupKind, ['subnet-private-a', 'subnet-private-b'], 3 * S, 'DB subnet group', { priority: 70 }),
    n('database', dbInstanceKind, ['db-subnet-group', 'sg-rds'], 7 * MIN, `RDS PostgreSQL ${config.dbEngineVersion} (${config.dbInstanceClass})`, { priority: 100, billable: true }),
    n('cache-subnet-group', cacheSubnetGroupKind, ['subnet-private-a', 'subnet-private-b'], 3 * S, 'cache subnet group', { priority: 70 }),
    n('redis-auth', secretKind('redis-auth'), [], 2 * S, 'AUTH token of the cache (Secrets Manager)', { priority: 80 }),
    n('cache', replicationGroupKind, ['cache-subnet-group', 'sg-redis', 'redis-auth'], 330 * S, `ElastiCache Redis (${config.cacheNodeType})`, { priority: 95, billable: true }),
    n('ecr-repository', ecrRepositoryKind, [], 2 * S, 'ECR repository'),
    n('image', imageKind(image), ['ecr-repository'], imageEstimate, 'API image (architecture checked)'),
    n('log-group', logGroupKind, [], 2 * S, 'log group'),
    n('api-key', secretKind('api-key'), [], 2 * S, 'API key for writes (Secrets Manager)'),
    n('execution-role', executionRoleKind, ['database', 'api-key', 'redis-auth', 'ecr-repository', 'image', 'log-group'], 10 * S, "task execution role (reads only the stack's secrets)"),
    n('task-role', taskRoleKind, ['database'], 10 * S, 'task role of the API (reads only the DB secret, after rotations too)'),
    n('ecs-cluster', ecsClusterKind, [], 5 * S, 'ECS cluster'),
    n('task-definition', taskDefinitionKind, ['image', 'execution-role', 'task-role', 'log-group', 'database', 'cache', 'api-key', 'redis-auth'], 2 * S, `task definition (${config.cpuArchitecture}, ${config.taskCpu} CPU / ${config.taskMemory} MB)`),
    n(
      'ecs-service',
      ecsServiceKind,
      ['ecs-cluster', 'task-definition', 'listener', 'target-group', 'subnet-private-a', 'subnet-private-b', 'sg-ecs', 'route-table-private', 'route-table-public'],
      3 * MIN,
      `ECS service (${config.desiredCount} Fargate task${config.desiredCount === 1 ? '' : 's'})`,
      { billable: true },
    ),
  ];
  topologicalOrder(nodes);
  return nodes;
}

/** The least wall time the stack can take on real AWS with unbounded concurrency, and the path that sets it. */
export function stackCriticalPath(nodes: readonly StackGraphNode[]): { totalMs: number; path: string[] } {
  const byId = new Map(nodes.map((x) => [x.id, x.estimateMs]));
  return criticalPath(nodes, (id) => byId.get(id) ?? 0);
}
