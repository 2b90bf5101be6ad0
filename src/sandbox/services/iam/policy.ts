/**
 * The few IAM policy facts the sandbox needs: which AWS managed policies exist (and what they allow), and whether a
 * role's policies allow an action on a resource (ECS asks this before a task may read its secrets with the execution
 * role). Documents are checked against IAM's grammar in policy-grammar.ts.
 */
import { ResourceType, type RoleData } from '../../model.js';
import type { World } from '../../world.js';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
}

const allowAll = (actions: string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

/** AWS managed policies the sandbox knows, by ARN, with (a summary of) the document AWS publishes for them. */
export const managedPolicies: Record<string, string> = {
  'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy': allowAll([
    'ecr:GetAuthorizationToken',
    'ecr:BatchCheckLayerAvailability',
    'ecr:GetDownloadUrlForLayer',
    'ecr:BatchGetImage',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ]),
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly': allowAll(['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:Describe*', 'ecr:List*', 'ecr:GetRepositoryPolicy', 'ecr:GetLifecyclePolicy*']),
  'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess': allowAll(['logs:*']),
  'arn:aws:iam::aws:policy/SecretsManagerReadWrite': allowAll(['secretsmanager:*']),
  'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess': allowAll(['ssm:Describe*', 'ssm:Get*', 'ssm:List*']),
  'arn:aws:iam::aws:policy/AmazonECS_FullAccess': allowAll(['ecs:*', 'elasticloadbalancing:*', 'logs:*', 'ecr:*']),
  'arn:aws:iam::aws:policy/ReadOnlyAccess': allowAll(['*:Describe*', '*:Get*', '*:List*']),
  'arn:aws:iam::aws:policy/AdministratorAccess': allowAll(['*']),
  'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy': allowAll(['ec2:*NetworkInterface*', 'elasticloadbalancing:*Targets', 'logs:CreateLogGroup']),
  'arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy': allowAll(['ec2:*NetworkInterface*']),
  'arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy': allowAll(['ec2:*NetworkInterface*', 'secretsmanager:*']),
  'arn:aws:iam::aws:policy/aws-service-role/ElastiCacheServiceRolePolicy': allowAll(['ec2:*NetworkInterface*']),
};

/** The policy name of a managed policy ARN: its last path segment. */
export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** IAM wildcard match: `*` any run of characters, `?` one character; case-insensitive for actions. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function statementsOf(document: string): Statement[] {
  try {
    const doc = JSON.parse(document) as { Statement?: Statement | Statement[] };
    const s = doc.Statement;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
  } catch {
    return [];
  }
}

function matches(s: Statement, action: string, resource: string): boolean {
  const actionOk =
    s.NotAction !== undefined
      ? !asList(s.NotAction).some((a) => globMatch(a, action, true))
      : asList(s.Action).some((a) => globMatch(a, action, true));
  return actionOk && asList(s.Resource).some((r) => globMatch(r, resource, false));
}

/**
 * The role named by a role ARN (`arn:aws:iam::ACCOUNT:role/PATH/NAME`) as another service sees it: undefined when
 * it does not exist or its last change has not reached that service yet (each such use counts one of the fault's).
 */
export function roleByArn(world: World, arn: string): RoleData | undefined {
  const m = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  if (!m?.[1]) return undefined;
  const role = world.get<RoleData>(ResourceType.iamRole, m[1]);
  if (!role || role.data.arn !== arn) return undefined;
  // IAM is eventually consistent: another service sees a new role, or a role whose policies just changed, only
  // after the change has propagated (the fault iamPropagationUses); until then it is as if the role grants nothing.
  const left = role.data.unpropagatedUses ?? 0;
  if (left > 0) {
    role.data.unpropagatedUses = left - 1;
    world.markChanged();
    return undefined;
  }
  return role.data;
}

/** After a change to a role (created, a policy attached, put, detached or deleted): the fault's uses that miss it. */
export function markUnpropagated(world: World, role: RoleData): void {
  const uses = world.config.faults.iamPropagationUses;
  if (uses > 0) role.unpropagatedUses = uses;
  else delete role.unpropagatedUses;
}

/** Identity-based evaluation: an explicit Deny wins, else any Allow grants (inline and attached managed policies). */
export function roleAllows(role: RoleData, action: string, resource: string): boolean {
  const documents = [...Object.values(role.inlinePolicies), ...role.attachedPolicyArns.map((a) => managedPolicies[a] ?? '{}')];
  const statements = documents.flatMap(statementsOf);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, action, resource))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, action, resource));
}
