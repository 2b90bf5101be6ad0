import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, scratchDir } from './cli.js';

/**
 * The sandbox's simulated cloud on disk (`.three-tier/<stack>.sandbox.json` of a --sandbox stack, or
 * `three-tier sandbox --state FILE`) that cannot be read is bad input: exit 2, the file named with the reason and
 * what to do, and the file left exactly as it was.
 */
describe('a sandbox state file that cannot be read', () => {
  const dir = scratchDir('sandbox-state');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops up --sandbox with the file, the reason and what to do; nothing is written', async () => {
    const state = join(dir, '.three-tier', 'broken.sandbox.json');
    mkdirSync(join(dir, '.three-tier'), { recursive: true });
    writeFileSync(state, '{"version": 1, "resources": [');
    const r = await runCli(['up', '--sandbox', '--stack', 'broken', '--yes'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`Error \\[SANDBOX_STATE_INVALID\\]: the sandbox state file ${state.replace(/[.]/g, '\\.')} cannot be read: it is not valid JSON \\(`));
    assert.match(r.stderr, /It was left as it is\./);
    assert.match(r.stderr, /Try: move it away \(mv .*broken\.sandbox\.json .*broken\.sandbox\.json\.broken\): the sandbox then starts empty/);
    assert.match(r.stderr, /Try: or restore it from a copy/);
    assert.equal(readFileSync(state, 'utf8'), '{"version": 1, "resources": [', 'the file is untouched');
    assert.equal(existsSync(join(dir, '.three-tier', 'broken.json')), false, 'no manifest was written');
  });

  it('is one JSON error object with --json', async () => {
    const r = await runCli(['status', '--sandbox', '--stack', 'broken', '--json'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string; hints: string[]; exitCode: number } };
    assert.equal(out.error.code, 'SANDBOX_STATE_INVALID');
    assert.equal(out.error.exitCode, 2);
    assert.match(out.error.message, /broken\.sandbox\.json cannot be read: it is not valid JSON/);
    assert.ok(out.error.hints.length >= 2);
  });

  it('stops three-tier sandbox --state FILE, saying a newer three-tier wrote it', async () => {
    const file = join(dir, 'newer.json');
    const text = JSON.stringify({ version: 9, resources: [], config: {}, counters: {} });
    writeFileSync(file, text);
    const r = await runCli(['sandbox', '--port', '0', '--state', file], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the sandbox state file .*newer\.json cannot be read: it was written by a newer three-tier \(state version 9; this one reads version 1\)/);
    assert.equal(r.stdout, '', 'no endpoint was printed: it never listened');
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});
