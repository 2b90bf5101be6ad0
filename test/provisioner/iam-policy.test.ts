import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HandlerExecutionContext, InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { readApiKey } from '../../src/api-key.js';
import { leastIamPolicy } from '../../src/iam-policy.js';
import { readManifest } from '../../src/engine/manifest.js';
import { iamRoleName } from '../../src/names.js';
import { pause, resume } from '../../src/provisioner.js';
import { runCli, scratchDir } from '../e2e/cli.js';
import { statusOf } from '../status/support.js';
import { harness, type Harness } from './harness.js';

/**
 * `three-tier iam-policy` is the least policy that runs three-tier: every AWS call a sandbox up, status, pause,
 * resume, api-key and destroy sends through the SDK (recorded by a middleware on each client) must be allowed by
 * it, the role and secret calls on the stack's own names; iam:PassRole only to ECS tasks, only on its two roles.
 */
const PREFIX: Record<string, string> = {
  EC2Client: 'ec2',
  ElasticLoadBalancingV2Client: 'elasticloadbalancing',
  RDSClient: 'rds',
  ElastiCacheClient: 'elasticache',
  IAMClient: 'iam',
  STSClient: 'sts',
  ECSClient: 'ecs',
  CloudWatchLogsClient: 'logs',
  ECRClient: 'ecr',
  SecretsManagerClient: 'secretsmanager',
};

interface Sent {
  action: string;
  input: Record<string, unknown>;
}

type Statement = { Effect: string; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Whether a statement allows the action on the resource (when one is given). */
function allows(statements: Statement[], action: string, resource?: string): boolean {
  return statements.some((s) => s.Effect === 'Allow' && s.Action.some((a) => glob(a, action)) && (resource === undefined || list(s.Resource).some((r) => glob(r, resource))));
}

describe('the least IAM policy covers what three-tier sends', () => {
  let h: Harness;
  const sent: Sent[] = [];
  before(async () => {
    h = await harness({ stack: 'least' });
    // A middleware on every client records what the provisioner sends: the SDK's own view, nothing mocked.
    const record: InitializeMiddleware<object, MetadataBearer> = (next, context: HandlerExecutionContext) => async (args) => {
      const prefix = PREFIX[context.clientName ?? ''] ?? context.clientName ?? '?';
      sent.push({ action: `${prefix}:${(context.commandName ?? '').replace(/Command$/, '')}`, input: args.input as Record<string, unknown> });
      return next(args);
    };
    for (const client of Object.values(h.clients) as unknown[]) {
      if (!client || typeof client !== 'object' || !('middlewareStack' in client)) continue;
      (client as { middlewareStack: MiddlewareStack<object, MetadataBearer> }).middlewareStack.add(record, { step: 'initialize', name: 'recordForIamPolicyTest' });
    }
    await h.up();
    await statusOf(h);
    await pause(h.options());
    await resume(h.options());
    await readApiKey(h.clients, 'least', 'us-east-1', readManifest(h.manifestPath));
    await h.destroy();
  });
  after(async () => h.close());

  it('allows every action sent, the role calls on the stack\'s roles and the secret calls on its secrets', () => {
    const policy = leastIamPolicy({ region: 'us-east-1', stack: 'least', account: '123456789012' });
    const statements = policy.Statement as unknown as Statement[];
    const actions = [...new Set(sent.map((s) => s.action))].sort();
    assert.ok(actions.length > 60, `recorded ${actions.length} actions`);
    const missing = actions.filter((a) => !allows(statements, a));
    assert.deepEqual(missing, [], 'actions the policy does not allow');
    for (const s of sent) {
      const role = s.input['RoleName'];
      if (s.action.startsWith('iam:') && typeof role === 'string') {
        assert.ok(allows(statements, s.action, `arn:aws:iam::123456789012:role/${role}`), `${s.action} on ${role}`);
      }
      const secret = s.input['SecretId'] ?? s.input['Name'];
      if (s.action.startsWith('secretsmanager:') && typeof secret === 'string') {
        const arn = secret.startsWith('arn:') ? secret : `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secret}-AbCdEf`;
        assert.ok(allows(statements, s.action, arn), `${s.action} on ${arn}`);
      }
    }
  });

  it('passes the roles only to ECS tasks and only the stack\'s two; role actions only on them', () => {
    const policy = leastIamPolicy({ region: 'us-east-1', stack: 'least', account: '123456789012' });
    const statements = policy.Statement as unknown as Statement[];
    const roles = ['task-execution', 'task'].map((p) => `arn:aws:iam::123456789012:role/${iamRoleName('least', 'us-east-1', p as 'task')}`);
    const pass = statements.filter((s) => s.Action.some((a) => glob(a, 'iam:PassRole')));
    assert.equal(pass.length, 1);
    assert.deepEqual(list(pass[0]?.Resource ?? []), roles);
    assert.deepEqual(pass[0]?.Condition, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    for (const s of statements.filter((x) => x.Action.some((a) => a.startsWith('iam:')) && !x.Action.includes('iam:CreateServiceLinkedRole'))) {
      assert.deepEqual(list(s.Resource), roles, `${s.Action.join(',')} only on the stack's roles`);
    }
    assert.equal(allows(statements, 'iam:CreateRole', 'arn:aws:iam::123456789012:role/someone-else'), false);
    assert.equal(allows(statements, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other/api-key-AbCdEf'), false);
    assert.ok(statements.every((s) => list(s.Resource).every((r) => r === '*' || r.startsWith('arn:aws:'))), 'every resource is * or an ARN');
  });

  it('three-tier iam-policy prints it (no AWS call), scoped to a stack or to any in the region; bad input exits 2', async () => {
    const dir = scratchDir('iam-policy');
    const r = await runCli(['iam-policy', '--stack', 'least', '--region', 'us-east-1', '--account', '123456789012', '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), leastIamPolicy({ region: 'us-east-1', stack: 'least', account: '123456789012' }));
    const any = await runCli(['iam-policy', '--region', 'eu-west-1'], { cwd: dir });
    assert.equal(any.code, 0, any.stderr);
    assert.match(any.stdout, /"arn:aws:iam::\*:role\/\*-eu-west-1-task-execution"/);
    assert.match(any.stderr, /any stack in eu-west-1/);
    const bad = await runCli(['iam-policy', '--region', 'eu-west-1', '--account', '12ab'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /account "12ab" is not an AWS account id/);
  });
});
