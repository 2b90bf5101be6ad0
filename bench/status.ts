/**
 * Benchmark (not a test): how fast `three-tier status` reads a whole stack, and with how many AWS calls, against
 * a sandbox that adds a fixed latency to every call (default 50 ms, about a real region's round trip from afar).
 * Prints the wall time of each observation, the calls per service, and what the same calls would cost one after
 * another. Goal: at most 16 calls (IAM reads its two roles one by one) and under one second.
 *
 *   npm run bench:status [-- --latency 50 --runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, destroyClients } from '../src/aws/clients.js';
import { resolveConfig } from '../src/config.js';
import { nullSink } from '../src/engine/events.js';
import { readManifest } from '../src/engine/manifest.js';
import { up } from '../src/provisioner.js';
import { startSandbox } from '../src/sandbox/server.js';
import { stackStatus } from '../src/status/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const latencyMs = arg('latency', 50);
const runs = arg('runs', 5);
const timeScale = 0.004;

type Calls = { total: number; operations: Record<string, number> };

async function main(): Promise<void> {
  const sb = await startSandbox({ world: { timeScale } });
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-bench-status-'));
  const clients = createClients({ region: 'us-east-1', endpoint: sb.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, retryMode: 'standard' });
  const control = async <T>(path: string, body?: unknown): Promise<T> =>
    (await (await fetch(`${sb.endpoint}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })).json()) as T;
  try {
    const config = resolveConfig({ stack: 'bench', region: 'us-east-1' });
    const manifestPath = join(dir, 'bench.json');
    await up({ config, clients, manifestPath, events: nullSink, signal: new AbortController().signal, timing: { pollMs: 20, scale: timeScale }, image: { kind: 'sandbox-push', endpoint: sb.endpoint } });
    const manifest = readManifest(manifestPath);
    await control('/_sandbox/faults', { latencyMs });
    console.log(`three-tier status benchmark: a complete stack in the sandbox, ${latencyMs} ms added to every AWS call, ${runs} observations`);
    const times: number[] = [];
    let perService: Record<string, number> = {};
    let total = 0;
    let verdict = '';
    for (let i = 0; i < runs; i++) {
      const before = await control<Calls>('/_sandbox/calls');
      const t0 = performance.now();
      const s = await stackStatus({ clients, stack: 'bench', region: 'us-east-1', manifestPath, manifest });
      times.push(performance.now() - t0);
      verdict = s.verdict;
      const after = await control<Calls>('/_sandbox/calls');
      total = after.total - before.total;
      perService = {};
      for (const [op, n] of Object.entries(after.operations)) {
        const d = n - (before.operations[op] ?? 0);
        const service = op.split(':')[0] ?? op;
        if (d > 0) perService[service] = (perService[service] ?? 0) + d;
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(`verdict: ${verdict}`);
    console.log(`wall time per observation (ms): ${times.map((t) => t.toFixed(0)).join(', ')}   (median ${median.toFixed(0)})`);
    console.log(`AWS calls per observation: ${total}  (${Object.entries(perService).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    console.log(`the same calls one after another would take at least ${total * latencyMs} ms of latency alone`);
    console.log(`Goal: at most 16 calls (${total <= 16 ? 'met' : 'MISSED'}) and under 1000 ms (${median < 1000 ? 'met' : 'MISSED'}).`);
  } finally {
    destroyClients(clients);
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
