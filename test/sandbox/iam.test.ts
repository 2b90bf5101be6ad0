import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  waitUntilRoleExists,
} from '@aws-sdk/client-iam';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, resources, sandbox } from './helpers.js';

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

function rejectsWith(name: string, message?: RegExp) {
  return (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  };
}

describe('sandbox IAM', () => {
  let sb: Sandbox;
  let iam: IAMClient;
  before(async () => {
    sb = await sandbox();
    iam = new IAMClient(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });

  it('creates a role with tags; GetRole returns it with the trust policy URL-encoded; the world lists it', async () => {
    const out = await iam.send(
      new CreateRoleCommand({ RoleName: 'app-exec', AssumeRolePolicyDocument: trust, Description: 'exec', Tags: [{ Key: 'three-tier:stack', Value: 's1' }] }),
    );
    assert.equal(out.Role?.Arn, 'arn:aws:iam::123456789012:role/app-exec');
    assert.match(out.Role?.RoleId ?? '', /^AROA[A-Z0-9]{17}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'app-exec' }));
    assert.equal(got.Role?.Description, 'exec');
    assert.deepEqual(got.Role?.Tags, [{ Key: 'three-tier:stack', Value: 's1' }]);
    assert.equal(got.Role?.AssumeRolePolicyDocument, encodeURIComponent(trust));
    assert.deepEqual(JSON.parse(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '')), JSON.parse(trust));
    const listed = (await resources(sb)).find((r) => r.type === 'iam-role' && r.id === 'app-exec');
    assert.equal(listed?.tags['three-tier:stack'], 's1');
  });

  it('rejects duplicates, bad names, malformed trust policies and missing roles with the wire errors', async () => {
    await assert.rejects(iam.send(new CreateRoleCommand({ RoleName: 'app-exec', AssumeRolePolicyDocument: trust })), rejectsWith('EntityAlreadyExistsException', /Role with name app-exec already exists/));
    await assert.rejects(iam.send(new CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: trust })), rejectsWith('ValidationError', /roleName/));
    await assert.rejects(iam.send(new CreateRoleCommand({ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: trust })), rejectsWith('ValidationError', /length/));
    await assert.rejects(iam.send(new CreateRoleCommand({ RoleName: 'broken', AssumeRolePolicyDocument: '{"Version": ' })), rejectsWith('MalformedPolicyDocumentException'));
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'nobody' })), rejectsWith('NoSuchEntityException', /cannot be found/));
  });

  it('replaces a trust policy with UpdateAssumeRolePolicy; refuses a malformed one and a missing role', async () => {
    const narrower = JSON.stringify({ ...JSON.parse(trust), Statement: [{ ...JSON.parse(trust).Statement[0], Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app-exec', PolicyDocument: narrower }));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'app-exec' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '')), JSON.parse(narrower));
    await assert.rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app-exec', PolicyDocument: '{' })), rejectsWith('MalformedPolicyDocumentException'));
    await assert.rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'nobody', PolicyDocument: trust })), rejectsWith('NoSuchEntityException'));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app-exec', PolicyDocument: trust }));
  });

  it('attaches known managed policies only, lists and detaches them', async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: EXEC_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: EXEC_POLICY }));
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-exec' }));
    assert.deepEqual(listed.AttachedPolicies, [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: EXEC_POLICY }]);
    await assert.rejects(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })),
      rejectsWith('NoSuchEntityException', /does not exist or is not attachable/),
    );
    await assert.rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: 'not-an-arn' })), rejectsWith('InvalidInputException'));
    await assert.rejects(
      iam.send(new DetachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
      rejectsWith('NoSuchEntityException', /was not found/),
    );
  });

  it('stores inline policies and returns them URL-encoded as AWS does', async () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1-AbCdEf' }],
    });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'app-exec', PolicyName: 'read-db-secret', PolicyDocument: doc }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'app-exec', PolicyName: 'read-db-secret' }));
    assert.notEqual(got.PolicyDocument, doc, 'the SDK hands back the encoded text');
    assert.equal(decodeURIComponent(got.PolicyDocument ?? ''), doc);
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: 'app-exec' }));
    assert.deepEqual(names.PolicyNames, ['read-db-secret']);
    await assert.rejects(
      iam.send(new PutRolePolicyCommand({ RoleName: 'app-exec', PolicyName: 'bad', PolicyDocument: 'nope' })),
      rejectsWith('MalformedPolicyDocumentException'),
    );
    await assert.rejects(iam.send(new GetRolePolicyCommand({ RoleName: 'app-exec', PolicyName: 'other' })), rejectsWith('NoSuchEntityException'));
  });

  it('refuses DeleteRole with DeleteConflict until managed and inline policies are gone', async () => {
    await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app-exec' })), rejectsWith('DeleteConflictException', /detach all policies/));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'app-exec', PolicyArn: EXEC_POLICY }));
    await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app-exec' })), rejectsWith('DeleteConflictException', /delete policies first/));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'app-exec', PolicyName: 'read-db-secret' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'app-exec' }));
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'app-exec' })), rejectsWith('NoSuchEntityException'));
    await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app-exec' })), rejectsWith('NoSuchEntityException'));
  });

  it('tags roles and lists their tags', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: trust }));
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    const tags = await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }));
    assert.deepEqual(tags.Tags, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    assert.equal(tags.IsTruncated, false);
    await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['a'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags, [{ Key: 'b', Value: '2' }]);
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await assert.rejects(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: tooMany })), rejectsWith('LimitExceededException'));
    assert.equal((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags?.length, 1, 'a refused TagRole changes nothing');
  });

  it('creates the ECS service-linked role once; the second call says the name has been taken', async () => {
    const out = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
    assert.equal(out.Role?.RoleName, 'AWSServiceRoleForECS');
    assert.equal(out.Role?.Arn, 'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
    await assert.rejects(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' })), rejectsWith('InvalidInputException', /has been taken/));
    await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: 'AWSServiceRoleForECS' })), rejectsWith('UnmodifiableEntityException'));
  });

  it('pages ListRoles with MaxItems and Marker', async () => {
    for (let i = 0; i < 5; i++) await iam.send(new CreateRoleCommand({ RoleName: `page-${i}`, AssumeRolePolicyDocument: trust, Path: '/paged/' }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...(out.Roles ?? []).map((r) => r.RoleName ?? ''));
      marker = out.IsTruncated ? out.Marker : undefined;
      pages++;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('waitUntilRoleExists retries NoSuchEntity through the consistency window and succeeds', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 1500 });
    try {
      await iam.send(new CreateRoleCommand({ RoleName: 'fresh', AssumeRolePolicyDocument: trust }));
      await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'fresh' })), rejectsWith('NoSuchEntityException'));
      const getRoles = async (): Promise<number> => (await control<{ operations: Record<string, number> }>(sb, 'GET', '/_sandbox/calls')).body.operations['iam:GetRole'] ?? 0;
      const before = await getRoles();
      const result = await waitUntilRoleExists({ client: iam, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { RoleName: 'fresh' });
      assert.equal(result.state, 'SUCCESS');
      assert.ok((await getRoles()) - before >= 2, 'the waiter had to retry');
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    }
  });
});
