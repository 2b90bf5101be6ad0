import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ecsTasksTrust } from '../../src/resources/task-role.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

const trustOf = (principal: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });
const policyOf = (statement: Record<string, unknown>): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const ECS_TASKS = trustOf({ Service: 'ecs-tasks.amazonaws.com' });
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf';

/**
 * IAM as strict as AWS: role names unique regardless of case, and policy documents held to IAM's grammar with its
 * MalformedPolicyDocument texts (docs/sandbox/iam.md); valid documents, Condition blocks included, pass. Through the
 * real IAM client.
 */
describe('sandbox IAM: names regardless of case, policy grammar', () => {
  let sb: Sandbox;
  let iam: IAMClient;
  before(async () => {
    sb = await sandbox();
    iam = new IAMClient(clientConfig(sb, { maxAttempts: 1 }));
    await iam.send(new CreateRoleCommand({ RoleName: 'App-Role', AssumeRolePolicyDocument: ECS_TASKS }));
  });
  after(async () => {
    iam.destroy();
    await sb.close();
  });

  it('a role name that differs only in case is taken', async () => {
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'app-role', AssumeRolePolicyDocument: ECS_TASKS })), 'EntityAlreadyExistsException', /^Role with name app-role already exists\.$/);
    await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: 'App-Role', AssumeRolePolicyDocument: ECS_TASKS })), 'EntityAlreadyExistsException');
  });

  it('trust policies: an unknown service, a role that does not exist, a Resource, bad JSON are refused, and nothing is made', async () => {
    const refused: [string, string, RegExp][] = [
      ['unknown-service', trustOf({ Service: 'ecs-task.amazonaws.com' }), /^Invalid principal in policy: "SERVICE":"ecs-task\.amazonaws\.com"$/],
      ['ghost-role', trustOf({ AWS: 'arn:aws:iam::123456789012:role/nobody' }), /^Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role\/nobody"$/],
      ['with-resource', trustOf({ Service: 'ecs-tasks.amazonaws.com' }, { Resource: '*' }), /^Has prohibited field Resource$/],
      ['bad-json', '{"Version": "2012-10-17", "Statement": [', /^This policy contains invalid Json$/],
      ['bad-effect', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allowed', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), /^Syntax errors in policy\.$/],
    ];
    for (const [name, doc, message] of refused) {
      await rejectsWith(iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc })), 'MalformedPolicyDocumentException', message);
      await rejectsWith(iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException');
    }
    // Known services (regional forms too), an existing role, an account: accepted.
    await iam.send(new CreateRoleCommand({ RoleName: 'logs-trust', AssumeRolePolicyDocument: trustOf({ Service: ['logs.us-east-1.amazonaws.com', 'ecs-tasks.amazonaws.com'] }) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'role-trust', AssumeRolePolicyDocument: trustOf({ AWS: ['arn:aws:iam::123456789012:role/App-Role', '123456789012'] }) }));
  });

  it('identity policies: bad grammar, an unknown Effect, a non-ARN resource, a principal, no actions or resources are refused', async () => {
    const refused: [Record<string, unknown> | string, RegExp][] = [
      ['not json', /^Syntax errors in policy\.$/],
      [JSON.stringify({ Version: '2012-10-17' }), /^Syntax errors in policy\.$/],
      [JSON.stringify({ Version: '2013-01-01', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }), /^Syntax errors in policy\.$/],
      [{ Effect: 'Permit', Action: 's3:GetObject', Resource: '*' }, /^Syntax errors in policy\.$/],
      [{ Effect: 'Allow', Actions: 's3:GetObject', Resource: '*' }, /^Syntax errors in policy\.$/],
      [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'my-bucket' }, /^Resource my-bucket must be in ARN format or "\*"\.$/],
      [{ Effect: 'Allow', Action: 's3:GetObject' }, /^Policy statement must contain resources\.$/],
      [{ Effect: 'Allow', Resource: '*' }, /^Policy statement must contain actions\.$/],
      [{ Effect: 'Allow', Action: 'GetSecretValue', Resource: '*' }, /^Actions\/Conditions must be prefaced by a vendor, e\.g\., iam, sdb, ec2, etc\.$/],
      [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 's3:GetObject', Resource: '*' }, /^Policy document should not specify a principal\.$/],
      [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: 'x' } }, /^Syntax errors in policy\.$/],
    ];
    for (const [statement, message] of refused) {
      const doc = typeof statement === 'string' ? statement : policyOf(statement);
      await rejectsWith(iam.send(new PutRolePolicyCommand({ RoleName: 'App-Role', PolicyName: 'p', PolicyDocument: doc })), 'MalformedPolicyDocumentException', message);
    }
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'App-Role' }))).PolicyNames, []);
  });

  it("valid documents pass: three-tier's own trust policy, Condition blocks, NotAction / NotResource, wildcards", async () => {
    // The trust three-tier gives its roles (ECS tasks of this account only: aws:SourceAccount, aws:SourceArn).
    await iam.send(new CreateRoleCommand({ RoleName: 'three-tier-trust', AssumeRolePolicyDocument: JSON.stringify(ecsTasksTrust('arn:aws:ecr:us-east-1:123456789012:repository/demo')) }));
    const valid: Record<string, string> = {
      conditions: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadTaggedSecrets',
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: [SECRET, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*'],
            Condition: {
              StringEquals: { 'aws:ResourceTag/three-tier:stack': ['demo', 'other'], 'aws:RequestedRegion': 'us-east-1' },
              Bool: { 'aws:SecureTransport': 'true' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:123456789012:*' },
              NumericLessThanEquals: { 's3:max-keys': 10 },
            },
          },
          { Effect: 'Deny', NotAction: 'ecr:*', NotResource: 'arn:aws:ecr:us-east-1:123456789012:repository/demo' },
          { Effect: 'Allow', Action: 'logs:Create*', Resource: '*' },
        ],
      }),
    };
    for (const [name, doc] of Object.entries(valid)) await iam.send(new PutRolePolicyCommand({ RoleName: 'App-Role', PolicyName: name, PolicyDocument: doc }));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'App-Role' }))).PolicyNames, ['conditions']);
  });
});
