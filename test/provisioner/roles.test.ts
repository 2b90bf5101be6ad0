import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttachRolePolicyCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { statusOf } from '../status/support.js';
import { harness, type Harness } from './harness.js';

/**
 * A stack made by an earlier version: its execution role trusts any ECS task, has the AWS managed
 * AmazonECSTaskExecutionRolePolicy attached and the old inline policy that read only the database secret. `up`
 * converges it to the least-privilege role (trust conditions, one inline policy scoped to the stack) without
 * redeploying anything else.
 */
describe('an execution role of an earlier version converges on up', () => {
  let h: Harness;
  const role = 'old-us-east-1-task-execution';
  before(async () => {
    h = await harness({ stack: 'old' });
    const first = await h.up();
    const iam = h.clients.iam;
    const bare = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: JSON.stringify(bare) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    const secretArn = first.outputs['database']?.['secretArn'] ?? '';
    const old = { Version: '2012-10-17', Statement: [{ Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'old-read-db-secret', PolicyDocument: JSON.stringify(old) }));
  });
  after(async () => h.close());

  it('up detaches the managed policy, removes the old inline policy, sets the trust conditions; the stack stays healthy', async () => {
    const before = await h.up();
    assert.ok(before.updated.includes('execution-role') || before.adopted.includes('execution-role'), JSON.stringify(before));
    const iam = h.clients.iam;
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies, []);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames, ['old-task-execution']);
    const trust = JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument ?? '')) as {
      Statement: { Condition?: Record<string, Record<string, string>> }[];
    };
    assert.equal(trust.Statement[0]?.Condition?.['StringEquals']?.['aws:SourceAccount'], '123456789012');
    assert.equal(trust.Statement[0]?.Condition?.['ArnLike']?.['aws:SourceArn'], 'arn:aws:ecs:us-east-1:123456789012:*');
    const again = await h.up();
    assert.ok(again.unchanged.includes('execution-role'), 'converged: the next up leaves it alone');
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });
});
