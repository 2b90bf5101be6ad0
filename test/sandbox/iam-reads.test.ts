import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
} from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

/** Which roles use a managed policy, a role's instance profiles (none), and whose access key signs (the sandbox's). */
describe('sandbox IAM and STS: policy entities, instance profiles, access key info', () => {
  let sb: Sandbox;
  let iam: IAMClient;
  const policy = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

  before(async () => {
    sb = await sandbox();
    iam = new IAMClient(clientConfig(sb, { maxAttempts: 1 }));
    for (const [name, path] of [['exec-b', '/'], ['exec-a', '/'], ['svc-c', '/service/'], ['unattached', '/']] as const) {
      await iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: trust }));
      if (name !== 'unattached') await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
    }
  });
  after(async () => {
    await sb.close();
  });

  it('lists the roles a managed policy is attached to, by path, with MaxItems and Marker; no users or groups', async () => {
    const all = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy }));
    assert.deepEqual(all.PolicyRoles?.map((r) => r.RoleName), ['exec-a', 'exec-b', 'svc-c']);
    assert.ok(all.PolicyRoles?.every((r) => r.RoleId?.startsWith('AROA')));
    assert.deepEqual(all.PolicyUsers, []);
    assert.deepEqual(all.PolicyGroups, []);
    assert.equal(all.IsTruncated, false);
    const byPath = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy, PathPrefix: '/service/' }));
    assert.deepEqual(byPath.PolicyRoles?.map((r) => r.RoleName), ['svc-c']);
    assert.deepEqual((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy, EntityFilter: 'User' }))).PolicyRoles, []);
    assert.deepEqual((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy, PolicyUsageFilter: 'PermissionsBoundary' }))).PolicyRoles, []);
    const first = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy, MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    const rest = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy, MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual([...(first.PolicyRoles ?? []), ...(rest.PolicyRoles ?? [])].map((r) => r.RoleName), ['exec-a', 'exec-b', 'svc-c']);
    await rejectsWith(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })), 'NoSuchEntityException');
    await rejectsWith(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: 'not-an-arn' })), 'InvalidInputException');
  });

  it("lists a role's instance profiles: none, as the sandbox models no instance profiles", async () => {
    const out = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'exec-a' }));
    assert.deepEqual(out.InstanceProfiles, []);
    assert.equal(out.IsTruncated, false);
    await rejectsWith(iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntityException');
  });

  it("answers GetAccessKeyInfo with the sandbox's account for any key", async () => {
    const sts = new STSClient(clientConfig(sb, { maxAttempts: 1 }));
    assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }))).Account, '123456789012');
    await rejectsWith(sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: 'short' })), 'ValidationError');
  });
});
