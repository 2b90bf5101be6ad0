import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { ThreeTierError } from '../../src/errors.js';
import { iamRoleName, stackNames } from '../../src/names.js';
import { harness, type Harness } from './harness.js';

/**
 * Names are not ownership: a log group and a role that hold the stack's derived names but do not carry its tag are
 * someone else's. up must refuse before creating anything, and destroy must leave them alone.
 */
describe("resources with the stack's names that are not the stack's", () => {
  let h: Harness;
  const names = stackNames('demo');
  const roleName = iamRoleName('demo', 'us-east-1', 'task-execution');
  before(async () => {
    h = await harness();
    await h.clients.logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup }));
    await h.clients.iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
    );
  });
  after(async () => {
    await h.close();
  });

  it('up refuses with a usage error naming them, and creates nothing', async () => {
    const before = await h.calls();
    await assert.rejects(h.up(), (e: unknown) => {
      assert.ok(e instanceof ThreeTierError);
      assert.equal(e.code, 'NAME_TAKEN');
      assert.equal(e.kind, 'usage');
      assert.match(e.message, new RegExp(`log-group ${names.logGroup}`));
      assert.match(e.message, new RegExp(`iam-role ${roleName}`));
      assert.match(e.message, /Nothing was created/);
      return true;
    });
    const after = await h.calls();
    const mutating = Object.entries(after.operations).filter(([op, n]) => n !== (before.operations[op] ?? 0) && !/:(Describe|Get|List)/.test(op));
    assert.deepEqual(mutating, []);
    assert.equal(existsSync(h.manifestPath), false);
  });

  it('destroy deletes nothing of theirs: with nothing of the stack there, it says there is no such stack', async () => {
    await assert.rejects(h.destroy(), (err: unknown) => (err as { code?: string }).code === 'NO_SUCH_STACK');
    const groups = (await h.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }))).logGroups ?? [];
    assert.equal(groups.length, 1, 'the foreign log group is still there');
    const role = await h.clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
    assert.equal(role.Role?.RoleName, roleName, 'the foreign role is still there');
  });
});
