/**
 * Benchmark (not a test): `up` and `destroy` against the sandbox with its realistic latency model, time-scaled.
 * Prints the wall time, the critical path the dependency graph allows with the durations each resource really
 * took, their ratio, and the number of AWS calls. Goal: wall time within 5% of the critical path.
 *
 *   npm run bench:lifecycle [-- --time-scale 0.05]
 *
 * The sandbox answers a call in a few ms whatever the time scale, so a very small scale inflates the share of call
 * latency (which a resource's measured duration leaves out before its first event) against the simulated waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, destroyClients } from '../src/aws/clients.js';
import { resolveConfig } from '../src/config.js';
import { recordingSink, type ResourceEvent } from '../src/engine/events.js';
import { criticalPath } from '../src/engine/graph.js';
import { destroy, up } from '../src/provisioner.js';
import { buildStackGraph } from '../src/stack.js';
import { startSandbox } from '../src/sandbox/server.js';

const scaleArg = process.argv.indexOf('--time-scale');
const timeScale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 0.05;

/** Per resource: from its first active event to its terminal one (what it really took, waits included). */
function durations(events: readonly ResourceEvent[], start: Set<string>, end: Set<string>): Map<string, number> {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const e of events) {
    if (start.has(e.phase) && !first.has(e.id)) first.set(e.id, e.at);
    if (end.has(e.phase)) last.set(e.id, e.at);
  }
  const out = new Map<string, number>();
  for (const [id, t] of last) out.set(id, t - (first.get(id) ?? t));
  return out;
}

async function main(): Promise<void> {
  const sb = await startSandbox({ world: { timeScale } });
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-bench-'));
  const clients = createClients({ region: 'us-east-1', endpoint: sb.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, retryMode: 'standard' });
  const config = resolveConfig({ stack: 'bench', region: 'us-east-1' });
  const image = { kind: 'sandbox-push', endpoint: sb.endpoint } as const;
  const timing = { pollMs: Math.max(10, Math.round(5_000 * timeScale)), scale: timeScale };
  const manifestPath = join(dir, 'bench.json');
  const callTotal = async (): Promise<number> => ((await (await fetch(`${sb.endpoint}/_sandbox/calls`)).json()) as { total: number }).total;

  console.log(`three-tier lifecycle benchmark: sandbox time scale ${timeScale} (1 s of wall time = ${(1 / timeScale).toFixed(0)} s of AWS time), poll every ${timing.pollMs} ms`);
  const rows: string[][] = [['phase', 'wall (s)', 'critical path (s)', 'wall / path', 'AWS calls', 'longest chain']];
  for (const phase of ['up', 'destroy'] as const) {
    const sink = recordingSink();
    const calls0 = await callTotal();
    const t0 = Date.now();
    const opts = { config, clients, manifestPath, events: sink, signal: new AbortController().signal, timing, image };
    if (phase === 'up') await up(opts);
    else await destroy(opts);
    const wall = Date.now() - t0;
    const calls = (await callTotal()) - calls0;
    const events = sink.events.filter((e): e is ResourceEvent => e.type === 'resource');
    const nodes = buildStackGraph({ ...config, availabilityZones: ['us-east-1a', 'us-east-1b'] }, image);
    const took =
      phase === 'up'
        ? durations(events, new Set(['creating', 'waiting', 'adopted']), new Set(['ready', 'adopted', 'unchanged']))
        : durations(events, new Set(['deleting', 'retrying']), new Set(['gone']));
    // Deletes run in reverse: the same graph with every edge turned around.
    const graph =
      phase === 'up'
        ? nodes.map((n) => ({ id: n.id, dependsOn: n.dependsOn }))
        : nodes.map((n) => ({ id: n.id, dependsOn: nodes.filter((m) => m.dependsOn.includes(n.id)).map((m) => m.id) }));
    const cp = criticalPath(graph, (id) => took.get(id) ?? 0);
    const firstAt = Math.min(...events.map((e) => e.at));
    const lastAt = Math.max(...events.map((e) => e.at));
    if (process.env['BENCH_DEBUG']) console.log(`${phase}: ${firstAt - t0} ms before the first event, ${t0 + wall - lastAt} ms after the last`);
    rows.push([phase, (wall / 1000).toFixed(2), (cp.totalMs / 1000).toFixed(2), (wall / cp.totalMs).toFixed(3), String(calls), cp.path.join(' > ')]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
  console.log('Goal: wall / path <= 1.05 (the executor adds at most 5% to what the dependency graph allows).');
  destroyClients(clients);
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
