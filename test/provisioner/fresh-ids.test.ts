import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { harness, type Harness } from './harness.js';
import { assertCompleteStack, live, UP_CHANGES } from './expect.js';

/**
 * AWS is eventually consistent for every call that names a fresh id, not only for describes, and IAM changes take
 * seconds to reach ECS. With the sandbox injecting both, up still completes and destroy leaves nothing.
 */
describe('up and destroy when fresh ids and IAM changes take time to propagate', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'fresh' });
  });
  after(async () => h.close());

  it('up completes through NotFound for fresh ids and AccessDenied for a fresh role, and destroy leaves nothing', async () => {
    await h.faults({ freshIdWindowMs: 3000, iamPropagationUses: 2 });
    const result = await h.up();
    assert.ok(result.url);
    assertCompleteStack(await h.tagged());
    // The faults fired: calls naming a fresh id were answered NotFound and made again (a clean up makes each once
    // per resource: UP_CHANGES) ...
    const calls = (await h.calls()).operations;
    for (const op of ['ec2:CreateRoute', 'ec2:ModifyVpcAttribute']) {
      assert.ok((calls[op] ?? 0) > (UP_CHANGES[op] ?? 0), `${op}: ${calls[op]} call(s), more than ${UP_CHANGES[op]}`);
    }
    // A fresh security group is named first by whichever rule call comes first (the egress revoke, then the rules).
    const groupOps = ['ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'];
    const sum = (of: Record<string, number>): number => groupOps.reduce((n, op) => n + (of[op] ?? 0), 0);
    assert.ok(sum(calls) > sum(UP_CHANGES), `security-group rule calls: ${sum(calls)}, more than ${sum(UP_CHANGES)}`);
    // ... and the first two tasks were denied their secret by a role whose policy allows it: said, and waited out.
    const propagation = h.resourceEvents().filter((e) => e.id === 'ecs-service' && e.phase === 'retrying' && /IAM had not propagated/.test(e.detail ?? ''));
    assert.equal(propagation.length, 2, 'each task stopped by IAM propagation is said once');
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    assert.deepEqual(live(await h.tagged()), []);
    assert.equal(existsSync(h.manifestPath), false);
  });
});
