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

const terminal = new Set(['ready', 'adopted', 'unchanged', 'stopped', 'gone', 'failed', 'skipped']);

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

/** One row of the task list: its resource, its last event, the AWS id once any event named it. */
interface Row {
  node: ProgressNode;
  task?: Task;
  last?: ResourceEvent;
  awsId?: string;
  done?: boolean;
  /** The run ended before this resource reached a terminal phase. */
  stopped?: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

/**
 * A row's title: the resource's name and kind, its AWS id, and once it settled, the outcome with the time its own
 * work took (from the event, never the task list's clock, which runs from the start of the whole list).
 */
export function rowTitle(row: Pick<Row, 'node' | 'last' | 'awsId' | 'stopped'>): string {
  const head = `${row.node.id} (${row.node.kind})${row.awsId ? ` ${row.awsId}` : ''}`;
  const e = row.last;
  if (row.stopped) return `${head} ${e ? `stopped while ${e.phase}` : 'not reached'}`;
  if (!e || !terminal.has(e.phase)) return head;
  return `${head} ${e.phase}${e.detail ? ` - ${e.detail}` : ''}${e.elapsedMs !== undefined ? ` (${seconds(e.elapsedMs)})` : ''}`;
}

/**
 * One listr2 task per resource; each settles when its resource reaches a terminal phase. Every row keeps its
 * resource's name and AWS id in every state (listr2 would replace the title with an error or skip message), also
 * when its events arrived before listr2 started the row's task; rows that wait tick every second; the header shows
 * the total elapsed time and, when known, the expected total. listr2's own timer is off: it would time every row
 * from the start of the list, so a resource that was only checked at the end of a rerun would show the whole run.
 */
function listrView(nodes: readonly ProgressNode[], title: string, expectedMs: number | undefined): ProgressView {
  const rows = new Map<string, Row>();
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
    rows.set(n.id, { node: n, resolve, reject });
  }
  const startedAt = Date.now();
  let header: Task | undefined;
  const headerText = (): string => `${title} - ${seconds(Date.now() - startedAt)} elapsed${expectedMs ? `, about ${seconds(expectedMs)} expected` : ''}`;
  // A finished task's output must never be set again: listr2 drops its buffer once it has rendered it, and the
  // setter would throw. A rendering glitch must never end the run either, hence the guard.
  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // the row keeps its last text
    }
  };
  /** Title and output of a row whose task has started; a finished row gets its last title and no output. */
  const draw = (row: Row, now: number): void => {
    const task = row.task;
    if (!task) return;
    safely(() => {
      task.title = rowTitle(row);
      if (row.last && !row.done) task.output = rowText(row.last, now);
    });
  };
  const redraw = (): void => {
    const now = Date.now();
    safely(() => {
      if (header) header.title = headerText();
    });
    for (const row of rows.values()) if (!row.done) draw(row, now);
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
              title: rowTitle({ node: n }),
              task: async (_c: unknown, task: Task) => {
                const row = rows.get(n.id);
                if (row) {
                  row.task = task;
                  draw(row, Date.now());
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
      rendererOptions: { logger, collapseSubtasks: false, showSkipMessage: false, showErrorMessage: false },
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
      const row = rows.get(e.id);
      if (!row || row.done) return;
      row.last = e;
      if (e.awsId) row.awsId = e.awsId;
      // The header's clock moves with every event too: the list may end before the next tick.
      safely(() => {
        if (header) header.title = headerText();
      });
      if (terminal.has(e.phase)) row.done = true;
      draw(row, Date.now());
      if (!row.done) return;
      if (e.phase === 'failed') row.reject(new Error(`${e.id}: ${e.detail ?? 'failed'}`));
      else row.resolve();
    },
    stop: async () => {
      clearInterval(ticker);
      // Resources that never reached a terminal phase (the run stopped early) are settled as skipped, by name.
      for (const row of rows.values()) {
        if (row.done) continue;
        row.stopped = true;
        row.done = true;
        const task = row.task;
        if (task) {
          safely(() => {
            task.title = rowTitle(row);
            task.skip();
          });
        }
        row.resolve();
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

/** Show the progress of `work` (given the view's event sink) until it ends, however it ends. */
export async function withProgress<T>(mode: OutputMode, nodes: readonly ProgressNode[], title: string, expectedMs: number | undefined, work: (sink: EventSink) => Promise<T>): Promise<T> {
  const view = progressView(mode, nodes, title, expectedMs);
  try {
    return await work(view.sink);
  } finally {
    await view.stop();
  }
}
