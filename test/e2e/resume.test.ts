import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourcePhase } from '../../src/engine/events.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { assertCompleteStack, EXPECTED_TAGGED } from '../provisioner/expect.js';
import { countByType, e2eSuite, resourceEventOf, runCli, stackArgs, stackResources, taggedWith } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/**
 * Kill points taken from the run's own progress (JSON events on stderr): SIGKILL when the run reports this phase
 * of this resource. Each point's resource depends on the previous point's, so it cannot have started before the
 * previous kill and is certain to be worked on by the next run: every planned point fires.
 */
type KillPoint = readonly [id: string, phase: ResourcePhase];

function at([id, phase]: KillPoint): (line: string) => boolean {
  return (line) => {
    const e = resourceEventOf(line);
    return e !== undefined && e.id === id && e.phase === phase;
  };
}

// Before a create call (creating) and after its answer was recorded (waiting), along one dependency chain.
const UP_POINTS: KillPoint[] = [
  ['vpc', 'creating'],
  ['subnet-private-a', 'creating'],
  ['db-subnet-group', 'creating'],
  ['database', 'waiting'],
  ['execution-role', 'creating'],
  ['task-definition', 'creating'],
  ['ecs-service', 'waiting'],
];
// Deletes run in reverse dependency order: each of these is deleted only after the previous one is gone.
const DESTROY_POINTS: KillPoint[] = [
  ['ecs-service', 'deleting'],
  ['database', 'deleting'],
  ['subnet-private-a', 'deleting'],
  ['vpc', 'deleting'],
];

describe('resume after SIGKILL', () => {
  const suite = e2eSuite('resume');
  const dir = suite.dir;
  const manifest = join(dir, 'resume.json');
  const args = (sbx: Sandbox) => [...stackArgs(sbx, 'resume', manifest), '--json'];

  it('up killed at each planned point, then run again, ends in the one expected stack with no duplicates', async () => {
    for (const point of UP_POINTS) {
      const r = await runCli(['up', ...args(suite.sb), '--image', IMAGE], { cwd: dir, killWhen: at(point) });
      assert.equal(r.signal, 'SIGKILL', `the kill at ${point.join(' ')} did not fire: up ended with ${r.code}: ${r.stderr.slice(-1500)}`);
      const counts = await countByType(suite.sb, 'resume');
      for (const [type, want] of Object.entries(EXPECTED_TAGGED)) {
        assert.ok((counts[type] ?? 0) <= want, `after a kill at ${point.join(' ')}: ${counts[type]} ${type} (at most ${want})`);
      }
    }
    const final = await runCli(['up', ...args(suite.sb), '--image', IMAGE], { cwd: dir });
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    assertCompleteStack(await taggedWith(suite.sb, 'resume'));
    const again = await runCli(['up', ...args(suite.sb), '--image', IMAGE], { cwd: dir });
    assert.equal(again.code, 0);
    assert.deepEqual((JSON.parse(again.stdout) as { created: string[] }).created, [], 'a resumed stack is complete');
  });

  it('destroy killed at each planned point, then run again, leaves nothing and removes the manifest', async () => {
    for (const point of DESTROY_POINTS) {
      const r = await runCli(['destroy', ...args(suite.sb)], { cwd: dir, killWhen: at(point) });
      assert.equal(r.signal, 'SIGKILL', `the kill at ${point.join(' ')} did not fire: destroy ended with ${r.code}: ${r.stderr.slice(-1500)}`);
      assert.ok(existsSync(manifest), 'the manifest stays until everything is gone');
    }
    const final = await runCli(['destroy', ...args(suite.sb)], { cwd: dir });
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    assert.deepEqual((await stackResources(suite.sb, 'resume')).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest), false);
  });
});
