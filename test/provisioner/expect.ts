import assert from 'node:assert/strict';
import type { ListedResource } from '../sandbox/helpers.js';
import { ThreeTierError } from '../../src/errors.js';
import { countByType } from './harness.js';

/** The stack's tagged resources in the sandbox after a complete `up`, by type: exactly these, no duplicates. */
export const EXPECTED_TAGGED: Record<string, number> = {
  vpc: 1,
  subnet: 4,
  'internet-gateway': 1,
  'elastic-ip': 1,
  'nat-gateway': 1,
  'route-table': 2,
  'security-group': 4,
  'load-balancer': 1,
  'target-group': 1,
  listener: 1,
  'db-subnet-group': 1,
  'db-instance': 1,
  'cache-subnet-group': 1,
  'replication-group': 1,
  'ecr-repository': 1,
  'log-group': 1,
  'iam-role': 2,
  secret: 2,
  'ecs-cluster': 1,
  'task-definition': 1,
  'ecs-service': 1,
};

/** The changing AWS calls of an `up` on an empty account, without faults: one create per resource, no more. */
export const UP_CHANGES: Record<string, number> = {
  'ec2:AllocateAddress': 1,
  'ec2:AssociateRouteTable': 4,
  'ec2:AttachInternetGateway': 1,
  'ec2:AuthorizeSecurityGroupEgress': 4,
  'ec2:AuthorizeSecurityGroupIngress': 4,
  'ec2:CreateInternetGateway': 1,
  'ec2:CreateNatGateway': 1,
  'ec2:CreateRoute': 2,
  'ec2:CreateRouteTable': 2,
  'ec2:CreateSecurityGroup': 4,
  'ec2:CreateSubnet': 4,
  'ec2:CreateVpc': 1,
  'ec2:ModifyVpcAttribute': 2,
  'ec2:RevokeSecurityGroupEgress': 4,
  'ecr:CreateRepository': 1,
  'ecs:CreateCluster': 1,
  'ecs:CreateService': 1,
  'ecs:RegisterTaskDefinition': 1,
  'elasticache:CreateCacheSubnetGroup': 1,
  'elasticache:CreateReplicationGroup': 1,
  'elasticloadbalancing:CreateListener': 1,
  'elasticloadbalancing:CreateLoadBalancer': 1,
  'elasticloadbalancing:CreateTargetGroup': 1,
  'elasticloadbalancing:ModifyTargetGroupAttributes': 1,
  'iam:CreateRole': 2,
  'iam:PutRolePolicy': 2,
  'logs:CreateLogGroup': 1,
  'logs:PutRetentionPolicy': 1,
  'rds:CreateDBInstance': 1,
  'rds:CreateDBSubnetGroup': 1,
  'secretsmanager:CreateSecret': 2,
};

/** States in which AWS still lists a resource that is gone (a deleted NAT gateway, an INACTIVE cluster, a STOPPED task). */
const TERMINAL = new Set(['deleted', 'INACTIVE', 'STOPPED', 'scheduled-deletion']);

export function live(list: readonly ListedResource[]): ListedResource[] {
  return list.filter((r) => !TERMINAL.has(r.state));
}

/** Exactly the expected stack: tasks are counted apart (their number follows desiredCount). */
export function assertCompleteStack(list: readonly ListedResource[], desiredTasks = 1): void {
  const counts = countByType(live(list));
  // Replaced tasks may still be stopping (draining, deprovisioning): count the running ones.
  const tasks = list.filter((r) => r.type === 'ecs-task' && r.state === 'RUNNING').length;
  delete counts['ecs-task'];
  assert.deepEqual(counts, EXPECTED_TAGGED);
  assert.equal(tasks, desiredTasks, 'running tasks');
}

/** The ThreeTierError a promise rejects with (fails the test if it resolves or rejects with something else). */
export async function threeTierFailure(p: Promise<unknown>): Promise<ThreeTierError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ThreeTierError, `expected a ThreeTierError, got ${String(err)}`);
  return err;
}

/** AWS calls the sandbox served, by operation (`ec2:CreateVpc`), as its /_sandbox/calls route lists them. */
export type Calls = { total: number; operations: Record<string, number> };

/** Operations whose count grew between two snapshots and that change something (not Describe/Get/List). */
export function mutatingCalls(before: Calls, after: Calls): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.operations)) {
    const grew = n - (before.operations[op] ?? 0);
    if (grew > 0 && !/:(Describe|Get|List|BatchGet)/.test(op)) out[op] = grew;
  }
  return out;
}

/** Operations in one snapshot that change something: any not matching :Describe, :List or :Get (so :BatchGet counts). */
export function mutatingOps(c: Calls): string[] {
  return Object.keys(c.operations).filter((op) => !/:(Describe|List|Get)/.test(op));
}
