import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/server.js';
import { sandbox } from '../sandbox/helpers.js';
import { assertCompleteStack, EXPECTED_TAGGED } from '../provisioner/expect.js';
import { countByType, runCli, scratchDir, stackArgs, stackResources, taggedWith, TIME_SCALE } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/** Kill the CLI with SIGKILL when it has reported the n-th progress event (JSON lines on stderr). */
function afterEvents(n: number): (line: string) => boolean {
  let seen = 0;
  return (line) => line.startsWith('{"type":"resource"') && !line.includes('"phase":"planned"') && ++seen === n;
}

describe('resume after SIGKILL', () => {
  let sb: Sandbox;
  const dir = scratchDir('resume');
  const manifest = join(dir, 'resume.json');
  const args = (sbx: Sandbox) => [...stackArgs(sbx, 'resume', manifest), '--json'];
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE, faults: { eniLingerMs: 300 } as never } });
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('up killed at many points, then run again, ends in the one expected stack with no duplicates', async () => {
    // Each run continues from what the previous one left; the kill points walk through the whole graph.
    for (const n of [1, 4, 9, 15, 22, 30, 40, 52]) {
      const r = await runCli(['up', ...args(sb), '--image', IMAGE], { cwd: dir, killWhen: afterEvents(n) });
      if (r.signal !== 'SIGKILL') {
        assert.equal(r.code, 0, `up (meant to be killed after ${n} events) ended: ${r.stderr.slice(-1500)}`);
        break;
      }
      const counts = await countByType(sb, 'resume');
      for (const [type, want] of Object.entries(EXPECTED_TAGGED)) {
        assert.ok((counts[type] ?? 0) <= want, `after a kill at event ${n}: ${counts[type]} ${type} (at most ${want})`);
      }
    }
    const final = await runCli(['up', ...args(sb), '--image', IMAGE], { cwd: dir });
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    assertCompleteStack(await taggedWith(sb, 'resume'));
    const again = await runCli(['up', ...args(sb), '--image', IMAGE], { cwd: dir });
    assert.equal(again.code, 0);
    assert.deepEqual((JSON.parse(again.stdout) as { created: string[] }).created, [], 'a resumed stack is complete');
  });

  it('destroy killed at several points, then run again, leaves nothing and removes the manifest', async () => {
    for (const n of [2, 8, 20]) {
      const r = await runCli(['destroy', ...args(sb)], { cwd: dir, killWhen: afterEvents(n) });
      if (r.signal !== 'SIGKILL') {
        assert.equal(r.code, 0, r.stderr.slice(-1500));
        break;
      }
      assert.ok(existsSync(manifest), 'the manifest stays until everything is gone');
    }
    const final = await runCli(['destroy', ...args(sb)], { cwd: dir });
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    assert.deepEqual((await stackResources(sb, 'resume')).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest), false);
  });
});
