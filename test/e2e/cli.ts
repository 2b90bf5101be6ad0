import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { ResourceEvent } from '../../src/engine/events.js';
import { control, resources, sandbox, type ListedResource } from '../sandbox/helpers.js';
import { live, type Calls } from '../provisioner/expect.js';
export { mutatingCalls } from '../provisioner/expect.js';

/**
 * Run the real CLI (bin/three-tier) as a subprocess against a sandbox the test holds, over HTTP with the real SDK:
 * nothing is mocked between the CLI and the simulated AWS.
 */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'bin', 'three-tier');

/** The sandbox pace the e2e tests run at: a 5-minute RDS create takes 1.5 s. */
export const TIME_SCALE = 0.005;

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `three-tier-${prefix}-`));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['AWS_PROFILE'];
  delete env['AWS_ENDPOINT_URL'];
  return { ...env, AWS_ACCESS_KEY_ID: 'AKIAE2E', AWS_SECRET_ACCESS_KEY: 'e2e-secret', AWS_REGION: 'us-east-1', CI: '1', ...extra };
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Called with each stderr line; return true to SIGKILL the process there. */
  killWhen?: (line: string) => boolean;
  /** Called with each stderr line and the process (to signal it, or to act on the cloud at that moment). */
  onLine?: (line: string, child: ChildProcess) => void;
  /** How long the CLI may run; past it the run fails (default 120 s). */
  timeoutMs?: number;
}

/** A CLI that did not finish in time: never confused with a kill the test planned. */
export class CliTimeout extends Error {
  constructor(args: string[], ms: number, stderr: string) {
    super(`three-tier ${args.join(' ')} did not finish within ${ms} ms (killed); its stderr ended with:\n${stderr.slice(-1500)}`);
    this.name = 'CliTimeout';
  }
}

export function runCli(args: string[], o: RunOptions): Promise<CliResult> & { child: ChildProcess } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: o.cwd, env: cliEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    const text = c.toString();
    stderr += text;
    if (!o.killWhen && !o.onLine) return;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      o.onLine?.(line, child);
      if (o.killWhen?.(line)) child.kill('SIGKILL');
    }
  });
  const timeoutMs = o.timeoutMs ?? 120_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // A hang is a failure of its own, whatever the test expected of the exit.
      if (timedOut) reject(new CliTimeout(args, timeoutMs, stderr));
      else resolve({ code, signal, stdout, stderr });
    });
  }) as Promise<CliResult> & { child: ChildProcess };
  done.child = child;
  return done;
}

/** The common flags of a stack command against the test's sandbox. */
export function stackArgs(sb: Sandbox, stack: string, manifest: string): string[] {
  return ['--stack', stack, '--endpoint-url', sb.endpoint, '--time-scale', String(TIME_SCALE), '--manifest', manifest, '--yes'];
}

/** Everything the sandbox lists with the stack's tag, including what AWS keeps listing after deletion. */
export async function taggedWith(sb: Sandbox, stack: string): Promise<ListedResource[]> {
  return (await resources(sb)).filter((r) => r.tags['three-tier:stack'] === stack);
}

/** Live resources of a stack (not a deleted NAT gateway, an INACTIVE cluster, a STOPPED task). */
export async function stackResources(sb: Sandbox, stack: string): Promise<ListedResource[]> {
  return live(await taggedWith(sb, stack));
}

/** How many live resources of each type carry the stack's tag. */
export async function countByType(sb: Sandbox, stack: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await stackResources(sb, stack)) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}

/** A progress event of a `--json` run, from one stderr line (undefined for any other line). */
export function resourceEventOf(line: string): ResourceEvent | undefined {
  if (!line.startsWith('{"type":"resource"')) return undefined;
  return JSON.parse(line) as ResourceEvent;
}

export async function calls(sb: Sandbox): Promise<Calls> {
  return (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body;
}

/**
 * The sandbox and scratch directory of one e2e suite: started before its tests (interfaces linger 300 ms, so
 * deletes meet them without waiting long), closed and removed after. Call inside `describe`.
 */
export function e2eSuite(prefix: string): { readonly sb: Sandbox; readonly dir: string } {
  const dir = scratchDir(prefix);
  let sb: Sandbox | undefined;
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE, faults: { eniLingerMs: 300 } as never } });
  });
  after(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    get sb(): Sandbox {
      if (!sb) throw new Error('the sandbox starts before the tests');
      return sb;
    },
  };
}
