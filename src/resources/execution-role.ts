import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import type { NodeContext } from '../engine/kind.js';
import { iamRoleName, stackNames } from '../names.js';
import { partitionOf } from '../regions.js';
import { needOutput, orGone } from './common.js';
import { decodePolicy, stackRoleKind, type PolicyDocument } from './stack-role.js';
import { accountOf, ecsTasksTrust } from './task-role.js';

/**
 * The task execution role: ECS assumes it to pull the image, write the logs and read the secrets it injects, and
 * may do exactly that: an inline policy allowing ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the stack's
 * repository (and on the repository of an ECR image given with --image), ecr:GetAuthorizationToken (which takes no
 * resource), logs:CreateLogStream and logs:PutLogEvents in the stack's log group, and secretsmanager:GetSecretValue
 * on the stack's secrets (the RDS-managed password, the API key, the cache's AUTH token). Its trust lets only ECS
 * tasks of this account assume it (aws:SourceAccount, aws:SourceArn). A role made by an earlier version, with the
 * AWS managed AmazonECSTaskExecutionRolePolicy attached, converges: the inline policy first, then the detach.
 */
export const EXECUTION_SECRETS: readonly { node: string; output: string }[] = [
  { node: 'database', output: 'secretArn' },
  { node: 'api-key', output: 'arn' },
  { node: 'redis-auth', output: 'arn' },
];

/** The repository ARN of a private ECR image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPO[:tag|@digest]). */
export function ecrRepositoryArn(uri: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(uri);
  if (!m) return undefined;
  const [, account, region, repository] = m;
  return `arn:${partitionOf(region ?? '')}:ecr:${region ?? ''}:${account ?? ''}:repository/${repository ?? ''}`;
}

function output(ctx: NodeContext, strict: boolean, id: string, key: string): string | undefined {
  return strict ? needOutput(ctx, id, key) : ctx.outputsOf(id)[key] || undefined;
}

function executionPolicy(ctx: NodeContext, strict: boolean): PolicyDocument | undefined {
  const repositoryArn = output(ctx, strict, 'ecr-repository', 'arn');
  const image = output(ctx, strict, 'image', 'uri');
  const secrets = EXECUTION_SECRETS.map((s) => output(ctx, strict, s.node, s.output));
  const account = accountOf(repositoryArn);
  if (!repositoryArn || !image || !account || secrets.some((s) => s === undefined)) return undefined;
  // The log group's own ARN as AWS gave it (DescribeLogGroups ends it in ":*"): its streams are under it.
  const logGroupArn = output(ctx, strict, 'log-group', 'arn');
  if (!logGroupArn) return undefined;
  const logGroup = logGroupArn.replace(/:\*$/, '');
  // An ECR image given with --image lives in a repository of its own.
  const repositories = [...new Set([repositoryArn, ecrRepositoryArn(image)].filter((r): r is string => r !== undefined))];
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'PullImage', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: repositories },
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup}:*` },
      { Sid: 'ReadStackSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secrets as string[] },
    ],
  };
}

export const executionRoleKind = stackRoleKind({
  purpose: 'task-execution',
  description: "ECS task execution (pulls the stack's image, writes its logs, reads its secrets)",
  policyName: (ctx) => stackNames(ctx.config.stack).executionRolePolicy,
  trust: (ctx) => ecsTasksTrust(ctx.outputsOf('ecr-repository')['arn']),
  policy: executionPolicy,
});

/** Whether an IAM pattern (`*`, `ecr:*`, `arn:...:log-group:x:*`) matches a value, as IAM matches Action and Resource. */
function iamMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value);
}

/**
 * Whether a stopped task's reason is an AccessDenied of this stack's execution role for what the role's own inline
 * policy allows (its image pull, log and secret statements). That is not a configuration error but IAM's propagation
 * delay: "a task started at once can fail" until the change reaches ECS (aws-facts.md), and ECS starts another task.
 */
export async function deniedDespiteGrant(ctx: NodeContext, reason: string): Promise<boolean> {
  const m = /assumed-role\/([\w+=,.@-]+)\/\S+ is not authorized to perform: (\S+) on resource: (\S+)/.exec(reason);
  const name = iamRoleName(ctx.config.stack, ctx.config.region, 'task-execution');
  if (!m || m[1] !== name) return false;
  const [action, resource] = [m[2] ?? '', m[3] ?? ''];
  const live = await orGone(() => ctx.clients.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: stackNames(ctx.config.stack).executionRolePolicy })));
  const doc = decodePolicy(live?.PolicyDocument) as PolicyDocument | undefined;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  return (doc?.Statement ?? []).some(
    (s) => s['Effect'] === 'Allow' && list(s['Action']).some((a) => iamMatches(a, action)) && list(s['Resource']).some((r) => iamMatches(r, resource)),
  );
}
