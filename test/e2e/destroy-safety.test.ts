import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/server.js';
import { control, sandbox } from '../sandbox/helpers.js';
import { runCli, scratchDir, stackArgs, stackResources, TIME_SCALE } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
type Calls = { total: number; operations: Record<string, number> };

/** Mutating calls: everything but reads (Describe/List/Get) and STS's identity check. */
function mutating(calls: Calls): Record<string, number> {
  return Object.fromEntries(Object.entries(calls.operations).filter(([op]) => !/:(Describe|List|Get)/.test(op)));
}

describe('destroy deletes only the stack the user typed', () => {
  let sb: Sandbox;
  const dir = scratchDir('destroy-safety');
  const manifest = join(dir, 'a.json');
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    const r = await runCli(['up', ...stackArgs(sb, 'alpha', manifest), '--image', IMAGE], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a manifest of another stack: exit 2, the two names, and not one call that changes anything', async () => {
    const resourcesBefore = (await stackResources(sb, 'alpha')).length;
    const manifestBefore = readFileSync(manifest, 'utf8');
    const callsBefore = (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body;
    const r = await runCli(['destroy', ...stackArgs(sb, 'beta', manifest), '--json'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /belongs to stack "alpha", not "beta"/);
    assert.match(r.stderr, /destroy --stack alpha/);
    const answer = JSON.parse(r.stdout) as { error?: { code: string; exitCode: number }; stack?: string };
    assert.deepEqual([answer.error?.code, answer.error?.exitCode, answer.stack], ['MANIFEST_MISMATCH', 2, undefined], 'the one JSON answer is the error, not a destroyed stack');
    const callsAfter = (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body;
    assert.deepEqual(mutating(callsAfter), mutating(callsBefore), 'nothing was changed');
    assert.equal((await stackResources(sb, 'alpha')).length, resourcesBefore, 'alpha is whole');
    assert.equal(readFileSync(manifest, 'utf8'), manifestBefore, 'the manifest is untouched');
  });

  it('destroys the stack when the name matches', async () => {
    const r = await runCli(['destroy', ...stackArgs(sb, 'alpha', manifest)], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.deepEqual(await stackResources(sb, 'alpha'), []);
    assert.equal(existsSync(manifest), false);
  });
});

describe('the region a command uses', () => {
  it('reads AWS_DEFAULT_REGION (as the AWS CLI does) when AWS_REGION is not set', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE, region: 'eu-west-1' } });
    const dir = scratchDir('default-region');
    try {
      const r = await runCli(['destroy', '--stack', 'nothing-here', '--endpoint-url', sb.endpoint, '--yes'], { cwd: dir, env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-1' } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no stack named "nothing-here" in eu-west-1/);
    } finally {
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a region AWS does not offer with the same message with or without --sandbox', async () => {
    const dir = scratchDir('no-region');
    try {
      const sandboxed = await runCli(['up', '--stack', 'x', '--sandbox', '--region', 'us-east-9', '--yes'], { cwd: dir });
      const real = await runCli(['up', '--stack', 'x', '--region', 'us-east-9', '--yes', '--image', 'nginx:1.27'], { cwd: dir });
      for (const r of [sandboxed, real]) {
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /region "us-east-9" is not a region AWS offers/);
      }
      assert.equal(sandboxed.stderr, real.stderr);
      assert.equal(existsSync(join(dir, '.three-tier')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
