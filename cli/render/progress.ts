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

/** One listr2 task per resource; each settles when its resource reaches a terminal phase. */
function listrView(nodes: readonly ProgressNode[], title: string): ProgressView {
  const waiters = new Map<string, { task?: ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>; resolve: () => void; reject: (e: Error) => void; last?: ResourceEvent; done?: boolean }>();
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
    waiters.set(n.id, { resolve, reject });
  }
  const messages: string[] = [];
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr(
    [
      {
        title,
        task: (_ctx, parent) =>
          parent.newListr(
            nodes.map((n) => ({
              title: `${n.id} (${n.kind})`,
              task: async (_c: unknown, task: ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>) => {
                const w = waiters.get(n.id);
                if (w) {
                  w.task = task;
                  if (w.last) task.output = describe(w.last);
                }
                await settled.get(n.id);
              },
            })),
            { concurrent: true, exitOnError: false },
          ),
      },
    ],
    {
      renderer: 'default',
      rendererOptions: { logger, collapseSubtasks: false, timer: { condition: true, format: () => (s: string) => s, field: (ms: number) => seconds(ms) } as never },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger },
      exitOnError: false,
      registerSignalListeners: false,
    },
  );
  const running = list.run().catch(() => undefined);
  return {
    sink: (e) => {
      if (e.type === 'message') {
        messages.push(`${e.level === 'warn' ? 'warning: ' : ''}${e.text}`);
        return;
      }
      const w = waiters.get(e.id);
      if (!w) return;
      w.last = e;
      if (w.task) {
        w.task.output = describe(e);
        w.task.title = `${e.id} (${e.kind}) ${e.awsId ?? ''}`.trimEnd();
      }
      if (terminal.has(e.phase)) {
        w.done = true;
        if (e.phase === 'failed') w.reject(new Error(e.detail ?? 'failed'));
        else {
          if (w.task && e.phase !== 'ready') w.task.title = `${e.id} (${e.kind}) ${e.phase}${e.detail ? ` - ${e.detail}` : ''}`;
          w.resolve();
        }
      }
    },
    stop: async () => {
      // Resources that never reached a terminal phase (the run stopped early) are settled as skipped.
      for (const w of waiters.values()) {
        if (w.done) continue;
        if (w.task) w.task.skip(w.last ? `stopped while ${w.last.phase}` : 'not reached');
        w.resolve();
      }
      await running;
      for (const m of messages) process.stderr.write(`${m}\n`);
    },
  };
}

export function progressView(mode: OutputMode, nodes: readonly ProgressNode[], title: string): ProgressView {
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  if (mode === 'json') return jsonView(write);
  if (mode === 'plain') return plainView(write, Date.now());
  return listrView(nodes, title);
}
