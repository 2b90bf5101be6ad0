// A task process of the sandbox's data plane, without spawning anything: one that could not start (or has exited)
// fails the load balancer's checks one per interval however often the rules ask, so the unhealthy threshold takes
// threshold x interval, as on AWS.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TaskProcess } from '../../src/sandbox/dataplane/processes.js';

it('an exited process fails one check per interval, not one per question', async () => {
  const p = new TaskProcess('arn:aws:ecs:us-east-1:123456789012:task/c/t1', '10.0.1.10', undefined, { path: '/health', intervalMs: 300, timeoutMs: 2_000, matcher: '200' }, 1_000);
  p.failToStart('no free port');
  assert.deepEqual(p.takeChecks().map((c) => c.passed), [false]);
  // Asked again at once (the reconciler runs several times per tick): no new check has happened.
  assert.deepEqual(p.takeChecks(), []);
  assert.deepEqual(p.takeChecks(), []);
  await new Promise((resolve) => setTimeout(resolve, 350));
  assert.deepEqual(p.takeChecks().map((c) => c.passed), [false]);
});
