import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { CliTimeout, runCli } from '../e2e/cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${root}bin/three-tier`;

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

describe('three-tier executable', () => {
  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    const r = run('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('lists its commands in --help', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: three-tier/);
    assert.match(r.stdout, /sandbox/);
  });

  it('shows the range of --tasks, the default of --arch and the global --debug in up --help', () => {
    const r = run('up', '--help');
    assert.equal(r.status, 0);
    const help = r.stdout.replace(/\s+/g, ' ');
    assert.match(help, /--tasks <n> number of API tasks, 1 to 10 \(default 1\)/);
    assert.match(help, /--arch <arch> CPU architecture of the tasks \(default X86_64\) \(choices: "X86_64", "ARM64"\)/);
    assert.match(help, /Global Options: .*--debug show stack traces for errors/);
  });

  it('exits 2 on an unknown command, naming it', () => {
    const r = run('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });

  it('exits 2 on a bad option value, naming the value and what is allowed', () => {
    const r = run('sandbox', '--port', 'abc');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /"abc" is not a whole number from 0 to 65535/);
    const t = run('sandbox', '--throttle-rate', '1.5');
    assert.equal(t.status, 2);
    assert.match(t.stderr, /"1\.5" is not a number from 0 to 1/);
    const r2 = run('sandbox', '--region', 'Mars');
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /--region "Mars" is not an AWS region name/);
  });

  it('runs the sandbox on loopback, prints its endpoint, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', '--time-scale', '0.01'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}`)));
    });
    const info = JSON.parse(line) as { endpoint: string; timeScale: number };
    assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.timeScale, 0.01);
    const res = await fetch(`${info.endpoint}/_sandbox/resources`);
    assert.deepEqual(await res.json(), { resources: [] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('says the port is taken instead of crashing', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const { port } = JSON.parse(line) as { port: number };
    try {
      const r = run('sandbox', '--port', String(port));
      assert.equal(r.status, 2);
      assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('a CLI that does not finish in time fails the e2e run (CliTimeout), never passing for a planned kill', async () => {
    // `sandbox` runs until it is stopped: here it stands for a hung command.
    await assert.rejects(runCli(['sandbox', '--port', '0'], { cwd: tmpdir(), timeoutMs: 1_500 }), (e: unknown) => {
      assert.ok(e instanceof CliTimeout, String(e));
      assert.match(e.message, /did not finish within 1500 ms/);
      return true;
    });
  });
});
