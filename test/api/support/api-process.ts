import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { eventually, request } from './http.js';
import { apiMain, repoRoot } from './paths.js';

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * `node api/dist/main.js` as the container runs it, with only the given environment (plus PATH), so the tests
 * never depend on the developer's shell. Output is collected for assertions.
 */
export class ApiProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exit: Exit | undefined;

  constructor(env: Readonly<Record<string, string>>) {
    this.child = spawn(process.execPath, [apiMain], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.collect(this.child.stdout, this.stdout);
    this.collect(this.child.stderr, this.stderr);
    this.exited = once(this.child, 'close').then(([code, signal]) => {
      this.exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      this.notify();
      return this.exit;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** stdout lines parsed as JSON; a line that is not JSON fails the caller's assertion by throwing. */
  logs(): LogLine[] {
    return this.stdout.map((line) => JSON.parse(line) as LogLine);
  }

  /** Everything the process wrote, for "never contains" assertions. */
  allOutput(): string {
    return [...this.stdout, ...this.stderr].join('\n');
  }

  /** Resolves with the first log line matching, or rejects (with the output so far) after `timeoutMs`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.stdout.map(tryParse).find((line) => line !== undefined && predicate(line));
        if (found) {
          done();
          resolve(found);
          return true;
        }
        if (this.exit) {
          done();
          reject(new Error(`API exited (${JSON.stringify(this.exit)}) before the expected log line:\n${this.allOutput()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`expected log line not seen within ${timeoutMs} ms:\n${this.allOutput()}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(listener);
      };
      if (!check()) this.waiters.add(listener);
    });
  }

  /** Waits for the "listening" line and returns the base URL. */
  async ready(timeoutMs = 15_000): Promise<string> {
    const line = await this.waitForLog((l) => l.msg === 'listening', timeoutMs);
    return `http://127.0.0.1:${String(line['port'])}`;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with the exit. */
  async stop(graceMs = 5_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private collect(stream: NodeJS.ReadableStream | null, into: string[]): void {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts.filter((p) => p !== ''));
      this.notify();
    });
    stream?.on('end', () => {
      if (partial !== '') into.push(partial);
      partial = '';
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function tryParse(line: string): LogLine | undefined {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

/**
 * Starts an API process and waits until it listens and, unless `healthy` is false (tests of broken
 * dependencies), until /health says both dependencies are connected, so the first request can use the cache.
 */
export async function startApi(
  env: Readonly<Record<string, string>>,
  { healthy = true }: { healthy?: boolean } = {},
): Promise<{ api: ApiProcess; url: string }> {
  const api = new ApiProcess(env);
  try {
    const url = await api.ready();
    if (healthy && !(await eventually(async () => (await request(url, 'GET', '/health')).status === 200, 10_000))) {
      throw new Error(`the API did not become healthy:\n${api.allOutput()}`);
    }
    return { api, url };
  } catch (error) {
    await api.stop();
    throw error;
  }
}
