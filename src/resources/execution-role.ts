import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { iamRoleName, REGION_TAG, stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/**
 * The task execution role: ECS assumes it to pull the image, write logs and read the secrets it injects. Trust
 * ecs-tasks.amazonaws.com; the AWS managed AmazonECSTaskExecutionRolePolicy; and an inline policy allowing
 * secretsmanager:GetSecretValue on exactly the stack's secrets' ARNs (the RDS-managed password, the API key, the
 * cache's AUTH token).
 */
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function managedPolicyArn(roleArn: string | undefined): string {
  const partition = roleArn?.split(':')[1] || 'aws';
  return `arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
}

/** The secrets the task's containers get from ECS: the database's (RDS-managed) and the ones three-tier generates. */
export const EXECUTION_SECRETS: readonly { node: string; output: string }[] = [
  { node: 'database', output: 'secretArn' },
  { node: 'api-key', output: 'arn' },
  { node: 'redis-auth', output: 'arn' },
];

export function secretPolicy(secretArns: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadStackSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [...secretArns] }],
  });
}

async function getRole(ctx: NodeContext, name: string): Promise<Role | undefined> {
  return orGone(async () => (await ctx.clients.iam.send(new GetRoleCommand({ RoleName: name }))).Role);
}

/** IAM returns policy documents URL-encoded. */
function decodePolicy(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    return undefined;
  }
}

function allowsExactly(doc: unknown, secretArns: readonly string[]): boolean {
  const statements = (doc as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const want = [...secretArns].sort().join(',');
  return (
    list.length === 1 &&
    list.every((s: { Effect?: unknown; Action?: unknown; Resource?: unknown }) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      return s.Effect === 'Allow' && actions.length === 1 && actions[0] === 'secretsmanager:GetSecretValue' && [...resources].sort().join(',') === want;
    })
  );
}

/** The secrets' ARNs, when every one is known. */
function secretArnsOf(ctx: NodeContext): string[] | undefined {
  const arns = EXECUTION_SECRETS.map((s) => ctx.outputsOf(s.node)[s.output] ?? '');
  return arns.every((a) => a !== '') ? arns : undefined;
}

interface RoleState {
  role: Role;
  managedAttached: boolean;
  inlineOk: boolean;
}

async function inspect(ctx: NodeContext, name: string): Promise<RoleState | undefined> {
  const role = await getRole(ctx, name);
  if (!role) return undefined;
  const attached = await ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  const managedAttached = (attached.AttachedPolicies ?? []).some((p) => p.PolicyArn === managedPolicyArn(role.Arn));
  const secretArns = secretArnsOf(ctx);
  let inlineOk = false;
  if (secretArns) {
    const inline = await orGone(() => ctx.clients.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: stackNames(ctx.config.stack).executionRolePolicy })));
    inlineOk = allowsExactly(decodePolicy(inline?.PolicyDocument), secretArns);
  }
  return { role, managedAttached, inlineOk };
}

function outputsOf(role: Role): Outputs {
  return { arn: role.Arn ?? '', name: role.RoleName ?? '' };
}

export const executionRoleKind: StackResourceKind = firstOf({
  kind: 'iam-role',

  async create(ctx) {
    const name = iamRoleName(ctx.config.stack, ctx.config.region, 'task-execution');
    let role: Role | undefined;
    try {
      const out = await ctx.clients.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: TRUST,
          Description: `three-tier ${ctx.config.stack}: ECS task execution (image pull, logs, DB secret)`,
          Tags: [...keyValueTags(ctx), { Key: REGION_TAG, Value: ctx.config.region }],
        }),
      );
      role = out.Role;
    } catch (err) {
      if (!isAwsError(err, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw err;
      role = await getRole(ctx, name);
    }
    const identity: Identity = { name, arn: role?.Arn ?? '' };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'iam-role', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const s = await inspect(ctx, identity['name'] ?? '');
    if (!s) return undefined;
    const ready = s.managedAttached && s.inlineOk;
    const state = ready ? 'active' : !s.managedAttached ? 'managed policy not attached' : 'secret policy missing or stale';
    return { state, ready, outputs: outputsOf(s.role) };
  },

  async findAll(ctx) {
    const role = await getRole(ctx, iamRoleName(ctx.config.stack, ctx.config.region, 'task-execution'));
    return role ? [{ name: role.RoleName ?? '', arn: role.Arn ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    const secretArns = EXECUTION_SECRETS.map((x) => needOutput(ctx, x.node, x.output));
    // IAM is eventually consistent: a fresh role may answer NoSuchEntity for a moment.
    const s = await waitFor(ctx, `IAM role ${name} to be visible`, 'iam', async () => {
      const found = await inspect(ctx, name);
      return found ? { done: true, value: found } : { done: false, state: 'not visible yet' };
    });
    if (!s.managedAttached) {
      await retryOn(ctx, `attach the execution policy to ${name}`, 'iam', () => ctx.clients.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: managedPolicyArn(s.role.Arn) })), {
        retryable: (err) => isAwsError(err, 'NoSuchEntityException', 'NoSuchEntity'),
      });
    }
    if (!s.inlineOk) {
      await retryOn(
        ctx,
        `allow ${name} to read the stack's secrets`,
        'iam',
        () => ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: stackNames(ctx.config.stack).executionRolePolicy, PolicyDocument: secretPolicy(secretArns) })),
        { retryable: (err) => isAwsError(err, 'NoSuchEntityException', 'NoSuchEntity') },
      );
    }
    return outputsOf(s.role);
  },

  async delete(ctx, identity) {
    const name = identity['name'] ?? '';
    const role = await getRole(ctx, name);
    if (!role) return;
    const attached = await orGone(() => ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })));
    for (const p of attached?.AttachedPolicies ?? []) {
      await ignoreNotFound(() => ctx.clients.iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn ?? '' })));
    }
    const inline = await orGone(() => ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName: name })));
    for (const policyName of inline?.PolicyNames ?? []) {
      await ignoreNotFound(() => ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })));
    }
    // DeleteConflict while a detach has not propagated yet.
    await retryOn(ctx, `delete IAM role ${name}`, 'iam', () => ignoreNotFound(() => ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: name }))));
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    await waitFor(ctx, `IAM role ${name} to be deleted`, 'quickGone', async () => {
      const r = await getRole(ctx, name);
      return r === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
