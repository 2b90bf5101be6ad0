import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../sandbox/helpers.js';
import { bin, cliEnv, runCli, scratchDir, TIME_SCALE } from './cli.js';
import { alive, dropCacheKeys, freshDatabase, type FreshDatabase } from './data-plane-support.js';
import { PG_HOST, PG_PORT, PG_USER, REDIS_HOST, REDIS_PORT } from '../api/support/backing-services.js';

/**
 * `three-tier sandbox` as a user runs it, with its data plane: stopped with SIGTERM (Ctrl-C's sibling) it stops its
 * API processes; killed with SIGKILL, which it cannot catch, its processes still do not outlive it. The second
 * sandbox picks the stack up from the first one's --state file and starts the tasks' processes again.
 */
describe('no API process outlives `three-tier sandbox`', () => {
  const dir = scratchDir('dataplane-orphans');
  const state = join(dir, 'cloud.json');
  let db: FreshDatabase;
  const prefixes = new Set<string>();

  function childrenOf(pid: number): number[] {
    const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
    return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  }

  async function startSandbox(): Promise<{ child: ChildProcess; endpoint: string }> {
    const child = spawn(
      process.execPath,
      [bin, 'sandbox', '--port', '0', '--json', '--time-scale', String(TIME_SCALE), '--state', state, '--data-plane-postgres', `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${db.name}`, '--data-plane-redis', `redis://${REDIS_HOST}:${REDIS_PORT}`],
      { cwd: dir, env: cliEnv(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const out = JSON.parse(line) as { endpoint: string; dataPlane: boolean };
    assert.equal(out.dataPlane, true);
    return { child, endpoint: out.endpoint };
  }

  /** The sandbox's API processes, once the load balancer answers through one. */
  async function serving(sb: { child: ChildProcess; endpoint: string }): Promise<number[]> {
    return eventually(async () => {
      const plane = (await (await fetch(`${sb.endpoint}/_sandbox/data-plane`)).json()) as { loadBalancers: { url: string }[]; cacheKeyPrefix: string };
      prefixes.add(plane.cacheKeyPrefix);
      const url = plane.loadBalancers[0]?.url;
      if (!url || (await fetch(`${url}/health`).catch(() => undefined))?.status !== 200) return undefined;
      const pids = childrenOf(sb.child.pid ?? 0);
      return pids.length > 0 ? pids : undefined;
    }, 60_000, 'the API serving through the load balancer');
  }

  before(async () => {
    db = await freshDatabase();
  });
  after(async () => {
    await db?.drop();
    for (const p of prefixes) await dropCacheKeys(p);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM: the sandbox stops its processes and exits 0', async () => {
    const sb = await startSandbox();
    const up = await runCli(['up', '--stack', 'orphans', '--endpoint-url', sb.endpoint, '--time-scale', String(TIME_SCALE), '--yes', '--no-verify'], { cwd: dir, timeoutMs: 180_000 });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    const pids = await serving(sb);
    const exited = once(sb.child, 'exit');
    sb.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} outlived the sandbox`);
  });

  it('SIGKILL: the processes of a killed sandbox stop on their own', async () => {
    const sb = await startSandbox();
    const pids = await serving(sb);
    sb.child.kill('SIGKILL');
    await eventually(async () => (pids.every((pid) => !alive(pid)) ? true : undefined), 15_000, `processes ${pids.join(', ')} to stop after their sandbox was killed`);
  });
});
