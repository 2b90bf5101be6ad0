import type { NodeContext } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { needOutput } from './common.js';
import { stackRoleKind, type PolicyDocument } from './stack-role.js';

/**
 * The task role: the API's own AWS identity inside its tasks. It may read exactly one secret, the RDS-managed
 * database password (secretsmanager:GetSecretValue on its exact ARN), so that the API reads the password again
 * after RDS rotates it (every 7 days by default), which ECS, injecting secrets only when a task starts, would not
 * do (api/README.md). ECS assumes it for the tasks (trust ecs-tasks.amazonaws.com).
 */
export function ecsTasksTrust(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
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
  trust: () => ecsTasksTrust(),
  policy: readDatabaseSecret,
});
