import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseStoppedTask, failFastAfter } from '../../src/diagnose.js';

/**
 * Which stopped-task causes end a rollout early (src/rollout.ts) and after how many stopped tasks: the same rule
 * table as `up` and `status` (diagnoseStoppedTask), and fewer tasks than the circuit breaker's threshold of 3.
 */
const CASES: { say: string[]; after: number | undefined }[] = [
  { say: ['Essential container in task exited', 'exec /usr/local/bin/docker-entrypoint.sh: exec format error'], after: 1 },
  { say: ['CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/x:nope: 1.dkr.ecr.us-east-1.amazonaws.com/x:nope: not found'], after: 1 },
  { say: ['ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException'], after: 1 },
  { say: ['CannotPullContainerError: failed to do request: Head "https://1.dkr.ecr.us-east-1.amazonaws.com/v2/x/manifests/1": dial tcp 52.46.145.25:443: i/o timeout'], after: 1 },
  { say: ['ResourceInitializationError: failed to validate logger args: ResourceNotFoundException: The specified log group does not exist.'], after: 1 },
  // A crash on start-up can be a dependency that was down for a moment: a second task must agree.
  { say: ['Essential container in task exited'], after: 2 },
  { say: ['OutOfMemoryError: Container killed due to memory usage'], after: 2 },
  { say: ['CannotPullContainerError: something else'], after: 2 },
  // Retries can fix these: the breaker decides.
  { say: ['ECS was unable to assume the role arn:aws:iam::1:role/x'], after: undefined },
  { say: ['Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1)'], after: undefined },
  { say: ['Scaling activity initiated by (deployment ecs-svc/1)'], after: undefined },
];

describe('fail fast: the causes a rollout does not wait out', () => {
  for (const c of CASES) {
    it(`${c.say.join(' | ').slice(0, 70)} -> ${c.after ?? 'left to the circuit breaker'}`, () => {
      const after = failFastAfter(diagnoseStoppedTask(...c.say));
      assert.equal(after, c.after);
      if (after !== undefined) assert.ok(after < 3, 'earlier than the circuit breaker, whose threshold is at least 3 failed tasks');
    });
  }
});
