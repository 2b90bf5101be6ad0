/**
 * Tasks of the bundled API that run as real local processes (`node api/dist/main.js`), one per task, with their
 * output kept for the task's log stream, their exit kept for the task's stop, and real HTTP health checks against
 * them at the target group's interval. Everything here happens in real time, outside the simulated clock; the data
 * plane applies what it found to the world at its next tick.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { HealthCheckResult } from '../target-health.js';

/** The repository root (dist/src/sandbox/dataplane -> ../../../..), where api/dist/main.js is built. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const apiMain = fileURLToPath(new URL('../../../../api/dist/main.js', import.meta.url));
/** Stops a process whose sandbox died without stopping it (orphan-guard.ts). */
const orphanGuard = new URL('./orphan-guard.js', import.meta.url).href;

/**
 * How long a process has, in real time, to answer its first health check before failed checks count. The sandbox
 * scales AWS's durations, but not how long Node takes to start the API: without this, a fast time scale would kill
 * every task before it listens.
 */
export const START_BUDGET_MS = 30_000;
/** The fastest real health-check interval, whatever the time scale. */
const MIN_PROBE_INTERVAL_MS = 200;

export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** ELBv2 matcher: "200", "200,202", "200-299". */
  matcher: string;
}

export interface LogDestination {
  group: string;
  stream: string;
  createGroup: boolean;
}

export interface ProcessExit {
  code: number;
  signal: NodeJS.Signals | null;
}

export function matches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return lo !== undefined && status >= lo && status <= (hi ?? lo);
  });
}

/** A free TCP port on loopback (bound, then released for the process to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One HTTP GET with a timeout: the status, or why there was none. */
function probe(port: number, path: string, timeoutMs: number): Promise<{ status: number } | { error: 'timeout' | 'refused' }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { 'user-agent': 'ELB-HealthChecker/2.0' }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', () => resolve({ error: 'refused' }));
    req.end();
  });
}

export class TaskProcess {
  port: number | undefined;
  exit: ProcessExit | undefined;
  exitApplied = false;
  stopping = false;
  /** Lines written since the last tick, with the wall time they were written. */
  lines: { at: number; text: string }[] = [];
  private child: ChildProcess | undefined;
  private readonly startedAt = Date.now();
  /** Checks finished and not yet taken by the load balancer's rules. */
  private results: HealthCheckResult[] = [];
  private answered = false;
  // When an exited process last failed a check (takeChecks).
  private deadCheckedAt = 0;
  private lastFailure: HealthCheckResult & { passed: false } = { passed: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
  private probeTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void>;
  private markExited: () => void = () => undefined;

  constructor(
    readonly taskArn: string,
    readonly privateIp: string,
    readonly log: LogDestination | undefined,
    private readonly health: HealthCheckSettings | undefined,
    private readonly stopTimeoutMs: number,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  /** Start `node api/dist/main.js` with exactly `env` (plus PATH), listening on `port`. */
  start(env: Record<string, string>, port: number): void {
    this.port = port;
    const child = spawn(process.execPath, ['--import', orphanGuard, apiMain], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (text) => this.lines.push({ at: Date.now(), text }));
    }
    child.on('error', (e) => {
      this.lines.push({ at: Date.now(), text: `sandbox: the process could not start: ${e.message}` });
      this.finish({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => this.finish({ code: code ?? 128 + signalNumber(signal), signal }));
    if (this.health) this.probeTimer = setInterval(() => void this.check(), Math.max(MIN_PROBE_INTERVAL_MS, this.health.intervalMs));
  }

  /** The process could not even be spawned (no free port): it exits at once, as a container that cannot run. */
  failToStart(message: string): void {
    this.lines.push({ at: Date.now(), text: `sandbox: ${message}` });
    this.finish({ code: 1, signal: null });
  }

  private finish(exit: ProcessExit): void {
    if (this.exit) return;
    this.exit = exit;
    clearInterval(this.probeTimer);
    clearTimeout(this.killTimer);
    this.markExited();
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  private async check(): Promise<void> {
    const h = this.health;
    if (!h || this.port === undefined || !this.alive) return;
    const result = await probe(this.port, h.path, h.timeoutMs);
    if ('status' in result) this.answered = true;
    if ('status' in result && matches(h.matcher, result.status)) {
      this.results.push({ passed: true });
      return;
    }
    this.lastFailure =
      'status' in result
        ? { passed: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${result.status}]` }
        : result.error === 'timeout'
          ? { passed: false, reason: 'Target.Timeout', description: 'Request timed out' }
          : { passed: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
    // Node takes longer to start than the scaled interval allows: failures count once the process has answered
    // once, or after the start-up budget.
    if (this.answered || Date.now() - this.startedAt > START_BUDGET_MS) this.results.push(this.lastFailure);
  }

  /**
   * The checks finished since the last call, each once, for the load balancer's rules to count against the group's
   * thresholds. A process that has exited fails a check each interval from then on.
   */
  takeChecks(): HealthCheckResult[] {
    if (!this.health) return [];
    if (this.alive) return this.results.splice(0);
    // One failure per interval, as the load balancer's checks of a target that no longer answers: however often the
    // rules ask, the unhealthy threshold takes threshold x interval, as on AWS.
    const now = Date.now();
    if (now - this.deadCheckedAt < Math.max(MIN_PROBE_INTERVAL_MS, this.health.intervalMs)) return this.results.splice(0);
    this.deadCheckedAt = now;
    return [...this.results.splice(0), this.lastFailure];
  }

  /** SIGTERM, then SIGKILL once the stop timeout has passed, as the ECS agent stops a container. */
  terminate(): void {
    if (this.stopping || !this.alive) return;
    this.stopping = true;
    clearInterval(this.probeTimer);
    this.child?.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), this.stopTimeoutMs);
  }

  /** Stop now (the sandbox is closing): SIGTERM, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.child) {
      this.finish({ code: 0, signal: null });
      return;
    }
    if (this.alive) {
      this.child.kill('SIGTERM');
      clearTimeout(this.killTimer);
      this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    }
    await this.exited;
  }

  /** Last resort when the sandbox's own process exits: nothing may outlive it. */
  killNow(): void {
    if (this.alive) this.child?.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Clamp a target group's interval (AWS seconds, scaled) to what real probes can do. */
  static settings(s: Omit<HealthCheckSettings, 'intervalMs' | 'timeoutMs'> & { intervalSeconds: number; timeScale: number }): HealthCheckSettings {
    const intervalMs = Math.max(MIN_PROBE_INTERVAL_MS, Math.min(s.intervalSeconds * 1000, Math.round(s.intervalSeconds * 1000 * s.timeScale)));
    return {
      path: s.path,
      intervalMs,
      // The API answers /health within about a second even when a dependency hangs.
      timeoutMs: Math.max(2_000, intervalMs),
      matcher: s.matcher,
    };
  }
}

/** A container killed by a signal exits 128 + its number, as Docker reports it (137 for SIGKILL). */
function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : (constants.signals[signal] ?? 0);
}
