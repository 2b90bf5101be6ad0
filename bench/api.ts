// Benchmark of the API's cache-hit path: GET /items answered from the cache, NestJS (Fastify) against three bare
// node:http servers sending the same cached bytes: one GETs the body from Redis on every request (the goal's
// baseline), one runs the API's own version check and keeps a copy (bench/api-bare-server.ts), so that what the
// framework and the request log cost shows on its own, and one sends bytes it read once and never asks Redis (the
// floor: what the load generator, node:http and the machine allow). Not a timed test: it prints figures.
//
//   npm run bench:api       (BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_ROUNDS=2 by default)
//
// Each server runs in its own child process so autocannon (in this process) does not share its thread. The
// servers are loaded in turn, for several rounds, so a burst of other work on the machine does not decide the
// comparison alone; each round and the best of each are printed. On a shared machine throughput moves with the
// neighbours' load, so the server's own CPU time per request (from /proc, Linux) is printed as well: it measures
// the framework's overhead independently of how much CPU the server was given, and so is what the JavaScript heap
// allocated per request and the collections it caused (bench/api-probe.ts, loaded into each server).
// BENCH_PROFILE_DIR=DIR also writes a CPU and an allocation profile of each measured run there (see api-probe.ts).
// Needs the real PostgreSQL and Redis (the same ones as the API tests); leaves nothing behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { measure, warmUp, type LoadFigures } from './api-load.js';
import type { ProbeCommand, ProbeReply, ProbeStats } from './api-probe.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PG = {
  host: process.env['API_TEST_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['API_TEST_PG_PORT'] ?? 5432),
  user: process.env['API_TEST_PG_USER'] ?? 'root',
  database: process.env['API_TEST_PG_DATABASE'] ?? 'test',
};
const REDIS = { host: process.env['API_TEST_REDIS_HOST'] ?? '127.0.0.1', port: Number(process.env['API_TEST_REDIS_PORT'] ?? 6379) };
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
// A fixed offered load (requests per second) instead of as many as the client can send: then every server answers
// the same traffic, and the CPU time per request compares the servers even when the client, not the server, is what
// limits throughput (it is on a 2-core machine) or neighbours take CPU. Throughput figures are then the cap.
const RATE = process.env['BENCH_RATE'] === undefined ? undefined : Number(process.env['BENCH_RATE']);
const WARM_UP_SECONDS = 3;
const SEED_ITEMS = 100;
const BENCH_API_KEY = randomBytes(24).toString('hex');

const id = randomBytes(6).toString('hex');
const schema = `tt_bench_${id}`;
const keyPrefix = `tt-bench:${id}:`;
const logDir = mkdtempSync(join(tmpdir(), 'three-tier-bench-'));
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server script with its stdout in a file (the bench must not spend its CPU reading logs). */
interface Server {
  readonly url: string;
  readonly logFile: string;
  readonly pid: number;
  /** Sends a command to the server's probe and resolves with its answer. */
  probe(command: ProbeCommand): Promise<ProbeReply>;
}

const probeScript = join(root, 'dist', 'bench', 'api-probe.js');

async function startServer(script: string, env: Record<string, string>, logName: string): Promise<Server> {
  const port = await freePort();
  const logFile = join(logDir, logName);
  const out = openSync(logFile, 'w');
  const profileDir = process.env['BENCH_PROFILE_DIR'];
  // BENCH_NODE_FLAGS: extra flags for the servers' node (e.g. "--trace-gc"), to find where time goes.
  const nodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawn(process.execPath, [...nodeFlags, '--import', pathToFileURL(probeScript).href, script], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...env,
      PORT: String(port),
      ...(profileDir === undefined ? {} : { BENCH_PROFILE_DIR: profileDir }),
    },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${readFileSync(logFile, 'utf8')}`);
    const ok = await fetch(`${url}/items`).then((r) => r.ok, () => false);
    if (ok) return { url, logFile, pid: child.pid ?? -1, probe: (command) => ask(child, command) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${script} did not answer in time`);
}

function ask(child: ChildProcess, command: ProbeCommand): Promise<ProbeReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the probe did not answer ${command.type}`)), 30_000);
    child.once('message', (reply: ProbeReply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    child.send(command);
  });
}

function apiEnv(logLevel: string): Record<string, string> {
  return {
    DATABASE_URL: `postgres://${PG.user}@${PG.host}:${PG.port}/${PG.database}`,
    DB_SSL: 'disable',
    DB_SCHEMA: schema,
    REDIS_URL: `redis://${REDIS.host}:${REDIS.port}`,
    CACHE_KEY_PREFIX: keyPrefix,
    // Long enough that the measured runs never miss.
    CACHE_TTL_SECONDS: '3600',
    LOG_LEVEL: logLevel,
    // As a stack runs it: writes need a key, and every request is counted by the rate limit (a limit no run reaches,
    // so the figures include its cost without any request being refused).
    API_KEY: BENCH_API_KEY,
    RATE_LIMIT_MAX: '1000000000',
  };
}

/** Seeds the items through the API and leaves the list cached; checks a hit answers "cache". */
async function seedAndWarm(url: string): Promise<number> {
  for (let i = 1; i <= SEED_ITEMS; i += 1) {
    const res = await fetch(`${url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
      body: JSON.stringify({ name: `item ${i}`, description: `the description of bench item number ${i}` }),
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  }
  const first = (await (await fetch(`${url}/items`)).json()) as { source: string; items: unknown[] };
  const second = await fetch(`${url}/items`);
  const body = (await second.json()) as { source: string };
  if (first.items.length !== SEED_ITEMS || body.source !== 'cache') throw new Error('the list is not cached');
  return Number(second.headers.get('content-length'));
}

/** User + system CPU time of a process in milliseconds, from /proc; undefined where there is no /proc. */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

interface Run extends LoadFigures {
  /** Server CPU time per answered request, in microseconds. */
  readonly cpuMicros: number | undefined;
  readonly gc: ProbeStats;
}

async function run(server: Server, label: string): Promise<Run> {
  await warmUp(`${server.url}/items`, CONNECTIONS, WARM_UP_SECONDS);
  await server.probe({ type: 'start', label });
  const before = cpuMs(server.pid);
  const figures = await measure(`${server.url}/items`, CONNECTIONS, SECONDS, RATE);
  const after = cpuMs(server.pid);
  const reply = await server.probe({ type: 'stop' });
  if (reply.type !== 'stats') throw new Error(`the probe answered ${reply.type} to stop`);
  const cpuMicros = before === undefined || after === undefined ? undefined : ((after - before) * 1000) / figures.total;
  return { ...figures, cpuMicros, gc: reply.stats };
}

function row(name: string, f: Run): string {
  const cpu = f.cpuMicros === undefined ? '' : `   CPU ${f.cpuMicros.toFixed(0).padStart(3)} µs/req`;
  const alloc = (f.gc.heapAllocatedBytes / f.total / 1024).toFixed(1);
  return (
    `${name.padEnd(50)} ${f.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50Ms).padStart(3)} ms` +
    `   p99 ${String(f.p99Ms).padStart(3)} ms${cpu}   heap ${alloc.padStart(5)} KB/req` +
    `   GC ${f.gc.scavenges} minor + ${f.gc.markCompacts} major, ${f.gc.gcPauseMs.toFixed(0)} ms` +
    `   (${f.total} requests, ${f.failures} failed)`
  );
}

async function cleanup(): Promise<void> {
  // Waited for, so a profile a server writes as it exits is complete when the benchmark returns.
  await Promise.all(
    children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        return exited;
      }),
  );
  const pool = new pg.Pool({ ...PG, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  const redis = new Redis(REDIS);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  // BENCH_KEEP_LOGS=1 leaves the servers' output (with --trace-gc in BENCH_NODE_FLAGS, the collections) to be read.
  if (process.env['BENCH_KEEP_LOGS'] === '1') console.log(`servers' output kept in ${logDir}`);
  else rmSync(logDir, { recursive: true, force: true });
}

function best(runs: readonly Run[]): Run {
  return runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
}

async function main(): Promise<void> {
  const apiMain = join(root, 'api', 'dist', 'main.js');
  const bareMain = join(root, 'dist', 'bench', 'api-bare-server.js');
  const nest = await startServer(apiMain, apiEnv('info'), 'nest-info.log');
  const bytes = await seedAndWarm(nest.url);
  const quiet = await startServer(apiMain, apiEnv('warn'), 'nest-warn.log');
  const bareEnv = { REDIS_HOST: REDIS.host, REDIS_PORT: String(REDIS.port), CACHE_PREFIX: keyPrefix };
  const bare = await startServer(bareMain, { ...bareEnv, BARE_PROTOCOL: 'get' }, 'bare.log');
  const bareVersion = await startServer(bareMain, { ...bareEnv, BARE_PROTOCOL: 'version' }, 'bare-version.log');
  const floor = await startServer(bareMain, { ...bareEnv, BARE_PROTOCOL: 'memory' }, 'bare-memory.log');
  console.log(
    `GET /items cache hit: ${SEED_ITEMS} items, ${bytes} bytes; ${CONNECTIONS} connections, ` +
      `${SECONDS} s per run after a ${WARM_UP_SECONDS} s warm-up, ${ROUNDS} round(s)` +
      (RATE === undefined ? '' : `, offered load capped at ${RATE} req/s`),
  );

  const targets = [
    { name: 'bare node:http + ioredis, GET per request', label: 'bare', server: bare, runs: [] as Run[] },
    { name: "bare node:http + ioredis, the API's version check", label: 'bare-version', server: bareVersion, runs: [] as Run[] },
    { name: 'NestJS, LOG_LEVEL=info', label: 'nest-info', server: nest, runs: [] as Run[] },
    { name: 'NestJS, LOG_LEVEL=warn (no request log)', label: 'nest-warn', server: quiet, runs: [] as Run[] },
    { name: 'bare node:http, bytes kept in memory (the floor)', label: 'floor', server: floor, runs: [] as Run[] },
  ] as const;
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const target of targets) {
      const figures = await run(target.server, `${target.label}-round${round}`);
      target.runs.push(figures);
      console.log(row(`round ${round}: ${target.name}`, figures));
    }
  }
  const [bareBest, versionBest, nestBest, quietBest, floorBest] = targets.map((t) => best(t.runs)) as [Run, Run, Run, Run, Run];
  console.log('best of each:');
  for (const target of targets) console.log(row(`  ${target.name}`, best(target.runs)));
  const logged = readFileSync(nest.logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
  console.log(`request lines the API wrote with LOG_LEVEL=info: ${logged}`);
  const [bareCpu, versionCpu, nestCpu, quietCpu] = targets.map((t) => minCpu(t.runs));
  const compare = (baseName: string, base: Run, baseCpu: number | undefined): void => {
    const ratio = (f: Run): string => `${((f.requestsPerSecond / base.requestsPerSecond) * 100).toFixed(1)}%`;
    const p99Ratio = (f: Run): string => `${(f.p99Ms / Math.max(base.p99Ms, 1)).toFixed(2)}x`;
    const cpuRatio = (cpu: number | undefined): string =>
      baseCpu === undefined || cpu === undefined ? 'n/a' : `${((baseCpu / cpu) * 100).toFixed(1)}%`;
    console.log(`against ${baseName}:`);
    console.log(`  throughput NestJS/bare: ${ratio(nestBest)} with request logging, ${ratio(quietBest)} without`);
    console.log(
      `  p99 NestJS/bare: ${p99Ratio(nestBest)} with request logging (${nestBest.p99Ms} ms vs ${base.p99Ms} ms), ` +
        `${p99Ratio(quietBest)} without (${quietBest.p99Ms} ms)`,
    );
    console.log(`  CPU-bound ratio (bare CPU per request / NestJS's): ${cpuRatio(nestCpu)} with request logging, ${cpuRatio(quietCpu)} without`);
  };
  compare('the bare server with a GET per request (the goal\'s baseline)', bareBest, bareCpu);
  compare("the bare server with the API's version check (the framework and the request log alone)", versionBest, versionCpu);
  const kbPerRequest = (f: Run): string => `${(f.gc.heapAllocatedBytes / f.total / 1024).toFixed(1)} KB`;
  console.log(
    `JavaScript heap allocated per request: bare ${kbPerRequest(bareBest)} (GET), ${kbPerRequest(versionBest)} (version check), ` +
      `NestJS ${kbPerRequest(nestBest)} with request logging, ${kbPerRequest(quietBest)} without`,
  );
  console.log(
    `the floor (a server that never asks Redis): ${floorBest.requestsPerSecond.toFixed(0)} req/s, p99 ${floorBest.p99Ms} ms; ` +
      `the API with request logging: p99 ${(nestBest.p99Ms / Math.max(floorBest.p99Ms, 1)).toFixed(2)}x the floor's`,
  );
  const met = nestBest.requestsPerSecond >= 0.7 * bareBest.requestsPerSecond && nestBest.p99Ms < 5;
  console.log(`goal (>= 70% of the GET-per-request bare server and p99 < 5 ms, with request logging): ${met ? 'met' : 'not met'}`);
  if (floorBest.p99Ms >= 5) {
    console.log(`  the p99 goal cannot be reached in this run: the floor's own p99 is ${floorBest.p99Ms} ms (the machine, not the server)`);
  }
}

/** The lowest CPU time per request of a server's runs (the run least disturbed by the rest of the machine). */
function minCpu(runs: readonly Run[]): number | undefined {
  const values = runs.map((r) => r.cpuMicros).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.min(...values) : undefined;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
