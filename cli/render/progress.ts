import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, SimpleRenderer, type ListrTaskWrapper } from 'listr2';
import type { EngineEvent, EventSink, ResourceEvent } from '../../src/engine/events.js';

/**
 * Progress rendering of the engine's events (STYLE.md 1 and 9): listr2 on a terminal, plain lines without one (CI,
 * pipes), JSON lines with --json. All of it goes to stderr; stdout carries only the command's result.
 */
export type OutputMode = 'tty' | 'plain' | 'json';

export function outputMode(opts: { json?: boolean | undefined }): OutputMode {
  if (opts.json) return 'json';
  return process.stderr.isTTY && !process.env['CI'] ? 'tty' : 'plain';
}

export interface ProgressNode {
  id: string;
  kind: string;
}

export interface ProgressView {
  sink: EventSink;
  /** Wait until the view has drawn its last frame. */
  stop(): Promise<void>;
}

const terminal = new Set(['ready', 'adopted', 'unchanged', 'gone', 'failed', 'skipped']);

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`;
}

function describe(e: ResourceEvent): string {
  const parts: string[] = [e.phase];
  if (e.awsId) parts.push(e.awsId);
  if (e.detail) parts.push(`- ${e.detail}`);
  if (e.elapsedMs !== undefined) parts.push(`(${seconds(e.elapsedMs)})`);
  return parts.join(' ');
}

function plainView(write: (line: string) => void, startedAt: number): ProgressView {
  const width = 22;
  return {
    sink: (e: EngineEvent) => {
      const t = `[${seconds(Date.now() - startedAt).padStart(7)}]`;
      if (e.type === 'message') write(`${t} ${e.level === 'warn' ? 'warning: ' : ''}${e.text}`);
      else write(`${t} ${e.id.padEnd(width)} ${describe(e)}`);
    },
    stop: async () => undefined,
  };
}

function jsonView(write: (line: string) => void): ProgressView {
  return { sink: (e) => write(JSON.stringify(e)), stop: async () => undefined };
}

/** A row's text at a moment: the phase and detail, with the time since the resource's work started (ticking). */
function rowText(e: ResourceEvent, now: number): string {
  const startedAt = e.elapsedMs === undefined ? undefined : e.at - e.elapsedMs;
  return describe(startedAt === undefined || terminal.has(e.phase) ? e : { ...e, elapsedMs: now - startedAt });
}

/**
 * One listr2 task per resource; each settles when its resource reaches a terminal phase. Every row keeps its
 * resource's name in every state (listr2 would replace the title with an error or skip message), rows that wait
 * tick every second, and the header shows the total elapsed time and, when known, the expected total.
 */
function listrView(nodes: readonly ProgressNode[], title: string, expectedMs: number | undefined): ProgressView {
  type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;
  const waiters = new Map<string, { node: ProgressNode; task?: Task; resolve: () => void; reject: (e: Error) => void; last?: ResourceEvent; done?: boolean }>();
  const settled = new Map<string, Promise<void>>();
  for (const n of nodes) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    settled.set(
      n.id,
      new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      }),
    );
    waiters.set(n.id, { node: n, resolve, reject });
  }
  const startedAt = Date.now();
  let header: Task | undefined;
  const headerText = (): string => `${title} - ${seconds(Date.now() - startedAt)} elapsed${expectedMs ? `, about ${seconds(expectedMs)} expected` : ''}`;
  const name = (n: ProgressNode, e?: ResourceEvent): string => `${n.id} (${n.kind})${e?.awsId ? ` ${e.awsId}` : ''}`;
  /** A row's title and output for an event: a finished row says how it ended, with its id and time. */
  const show = (w: { node: ProgressNode; task?: Task }, e: ResourceEvent): void => {
    if (!w.task) return;
    if (terminal.has(e.phase)) {
      w.task.title = `${name(w.node, e)} ${e.phase}${e.detail ? ` - ${e.detail}` : ''}${e.elapsedMs !== undefined ? ` (${seconds(e.elapsedMs)})` : ''}`;
      return;
    }
    w.task.output = rowText(e, Date.now());
    w.task.title = name(w.node, e);
  };
  // A finished task's output must never be set again: listr2 drops its buffer once it has rendered it, and the
  // setter would throw. A rendering glitch must never end the run either, hence the guard.
  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // the row keeps its last text
    }
  };
  const redraw = (): void => {
    const now = Date.now();
    safely(() => {
      if (header) header.title = headerText();
      for (const w of waiters.values()) if (w.task && w.last && !w.done) w.task.output = rowText(w.last, now);
    });
  };
  const messages: string[] = [];
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr(
    [
      {
        title: headerText(),
        task: (_ctx, parent) => {
          header = parent as unknown as Task;
          return parent.newListr(
            nodes.map((n) => ({
              title: name(n),
              task: async (_c: unknown, task: Task) => {
                const w = waiters.get(n.id);
                if (w) {
                  w.task = task;
                  // Events that came before listr2 started the row (a quick resource): show where it is now.
                  if (w.last) safely(() => show(w, w.last as ResourceEvent));
                }
                await settled.get(n.id);
              },
            })),
            { concurrent: true, exitOnError: false },
          );
        },
      },
    ],
    {
      renderer: 'default',
      rendererOptions: {
        logger,
        collapseSubtasks: false,
        showSkipMessage: false,
        showErrorMessage: false,
        timer: { condition: true, format: () => (x: string) => x, field: (ms: number) => seconds(ms) } as never,
      },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger },
      exitOnError: false,
      registerSignalListeners: false,
    },
  );
  const ticker = setInterval(redraw, 1000);
  ticker.unref();
  const running = list.run().catch(() => undefined);
  return {
    sink: (e) => {
      if (e.type === 'message') {
        messages.push(`${e.level === 'warn' ? 'warning: ' : ''}${e.text}`);
        return;
      }
      const w = waiters.get(e.id);
      if (!w || w.done) return;
      w.last = e;
      if (w.task) safely(() => show(w, e));
      if (terminal.has(e.phase)) {
        w.done = true;
        if (e.phase === 'failed') w.reject(new Error(`${e.id}: ${e.detail ?? 'failed'}`));
        else w.resolve();
      }
    },
    stop: async () => {
      clearInterval(ticker);
      // Resources that never reached a terminal phase (the run stopped early) are settled as skipped, by name.
      for (const w of waiters.values()) {
        if (w.done) continue;
        w.done = true;
        if (w.task) {
          const task = w.task;
          safely(() => {
            task.title = `${name(w.node, w.last)} ${w.last ? `stopped while ${w.last.phase}` : 'not reached'}`;
            task.skip();
          });
        }
        w.resolve();
      }
      redraw();
      await running;
      for (const m of messages) process.stderr.write(`${m}\n`);
    },
  };
}

export function progressView(mode: OutputMode, nodes: readonly ProgressNode[], title: string, expectedMs?: number): ProgressView {
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  if (mode === 'json') return jsonView(write);
  if (mode === 'plain') return plainView(write, Date.now());
  return listrView(nodes, title, expectedMs);
}
