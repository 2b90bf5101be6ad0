import type { NodeContext } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { needOutput } from './common.js';
import { stackRoleKind, type PolicyDocument } from './stack-role.js';

/**
 * The task role: the API's own AWS identity inside its tasks. It may read exactly one secret, the RDS-managed
 * database password (secretsmanager:GetSecretValue on its exact ARN), so that the API reads the password again
 * after RDS rotates it (every 7 days by default), which ECS, injecting secrets only when a task starts, would not
 * do (api/README.md). Only ECS tasks of this account may assume it (the trust's conditions).
 */

/** The account of an ARN (arn:partition:service:region:account:...). */
export function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

/**
 * ECS tasks, and only this account's (ECS developer guide, "Amazon ECS task execution IAM role" and "Task IAM
 * role": aws:SourceAccount and aws:SourceArn against the confused deputy). Partition, region and account come from
 * an ARN AWS gave the stack (`arnOfStack`), so they are the ones AWS uses. Without it (not known yet while
 * planning) the trust is the bare one, which `read` then reports as differing.
 */
export function ecsTasksTrust(arnOfStack: string | undefined): PolicyDocument {
  const statement: Record<string, unknown> = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };
  const [, partition, , region, account] = arnOfStack?.split(':') ?? [];
  if (partition && region && account) {
    statement['Condition'] = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${partition}:ecs:${region}:${account}:*` } };
  }
  return { Version: '2012-10-17', Statement: [statement] };
}

function readDatabaseSecret(ctx: NodeContext, strict: boolean): PolicyDocument | undefined {
  const arn = strict ? needOutput(ctx, 'database', 'secretArn') : ctx.outputsOf('database')['secretArn'];
  if (!arn) return undefined;
  return { Version: '2012-10-17', Statement: [{ Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn }] };
}

export const taskRoleKind = stackRoleKind({
  purpose: 'task',
  description: 'the API tasks (reads only the database secret, to follow its rotation)',
  policyName: (ctx) => stackNames(ctx.config.stack).taskRolePolicy,
  trust: (ctx) => ecsTasksTrust(ctx.outputsOf('database')['secretArn']),
  policy: readDatabaseSecret,
});
