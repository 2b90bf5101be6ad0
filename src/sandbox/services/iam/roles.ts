/** Creating roles, shared by IAM's handlers and the services that create their service-linked role themselves. */
import { randomBytes } from 'node:crypto';
import { ResourceType, type RoleData } from '../../model.js';
import type { Resource, World } from '../../world.js';
import { markUnpropagated } from './policy.js';

function roleId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `AROA${[...randomBytes(17)].map((b) => alphabet[b % 32]).join('')}`;
}

export function createRoleResource(world: World, init: { name: string; path: string; trust: string; description?: string }): Resource<RoleData> {
  const data: RoleData = {
    roleName: init.name,
    roleId: roleId(),
    arn: world.arn('iam', `role${init.path}${init.name}`, { region: false }),
    path: init.path,
    assumeRolePolicyDocument: init.trust,
    attachedPolicyArns: [],
    inlinePolicies: {},
    createDate: world.now(),
  };
  if (init.description !== undefined) data.description = init.description;
  markUnpropagated(world, data);
  return world.create<RoleData>('iam', ResourceType.iamRole, init.name, { state: 'available', data });
}

/** Service-linked roles the sandbox can create: service principal -> role name and the policy AWS attaches. */
export const serviceLinkedRoles: Record<string, { roleName: string; policy: string }> = {
  'ecs.amazonaws.com': { roleName: 'AWSServiceRoleForECS', policy: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' },
  'elasticloadbalancing.amazonaws.com': { roleName: 'AWSServiceRoleForElasticLoadBalancing', policy: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy' },
  'rds.amazonaws.com': { roleName: 'AWSServiceRoleForRDS', policy: 'arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy' },
  'elasticache.amazonaws.com': { roleName: 'AWSServiceRoleForElastiCache', policy: 'arn:aws:iam::aws:policy/aws-service-role/ElastiCacheServiceRolePolicy' },
};

/** Create a service's service-linked role unless it exists (what ECS does on the first CreateCluster). */
export function ensureServiceLinkedRole(world: World, service: string): void {
  const known = serviceLinkedRoles[service];
  if (!known || world.get(ResourceType.iamRole, known.roleName)) return;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
  const role = createRoleResource(world, { name: known.roleName, path: `/aws-service-role/${service}/`, trust });
  role.data.attachedPolicyArns.push(known.policy);
}
