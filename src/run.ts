import type { AwsClients } from './aws/clients.js';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws/errors.js';
import { interrupted, sleep, type Timing } from './aws/wait.js';
import type { StackConfig } from './config.js';
import { ThreeTierError } from './errors.js';
import type { EngineEvent, EventSink, ResourcePhase } from './engine/events.js';
import { executeGraph } from './engine/executor.js';
import { RESOURCE_TAG, STACK_TAG, type Identity, type NodeContext, type Observed } from './engine/kind.js';
import type { ManifestResource, ManifestStore } from './engine/manifest.js';
import { consistencyWindowWallMs } from './resources/budgets.js';
import type { StackGraphNode } from './stack.js';

/**
 * What every command that works on a stack shares: the options, the run (a manifest store, an abort signal, the
 * events), each node's context, and the one way an error leaves the core (typed, naming the resource).
 */
export interface ProvisionerOptions {
  config: StackConfig;
  clients: AwsClients;
  manifestPath: string;
  events: EventSink;
  signal: AbortSignal;
  timing: Timing;
  /** Nodes worked on at once (default 8). */
  concurrency?: number;
  /** Where the stack lives when it is not real AWS (the sandbox endpoint), recorded in the manifest. */
  endpoint?: string;
}

export const DEFAULT_CONCURRENCY = 8;

export function hasIdentity(r: Readonly<ManifestResource> | undefined): r is Readonly<ManifestResource> & { identity: Identity } {
  return !!r?.identity && Object.values(r.identity).some((v) => v !== '');
}

export function awsIdOf(identity: Identity | undefined): string | undefined {
  if (!identity) return undefined;
  return Object.values(identity).find((v) => v !== '');
}

export function isInterruption(err: unknown): boolean {
  return (err instanceof ThreeTierError && err.code === 'INTERRUPTED') || (err instanceof Error && err.name === 'AbortError');
}

/** Every error leaves the core typed: an AWS error is named with the resource it hit and what to try. */
export type WorkAction = 'create' | 'delete' | 'read' | 'update' | 'pause';

export function asThreeTierError(node: { id: string; kind: { kind: string } }, action: WorkAction, err: unknown): ThreeTierError {
  if (err instanceof ThreeTierError) return err;
  const code = awsErrorCode(err) ?? 'Error';
  if (isCredentialsError(err)) {
    return new ThreeTierError('AWS_CREDENTIALS', `AWS refused the credentials while working on ${node.id}: ${code}: ${errorMessage(err)}`, {
      cause: err,
      hints: [
        'if you log in with IAM Identity Center: aws sso login (with your --profile), then run the same command again: it continues where it stopped',
        'otherwise check the profile or the environment variables (aws sts get-caller-identity), then run the same command again',
      ],
    });
  }
  const doing = { create: 'creating', delete: 'deleting', read: 'reading', update: 'updating', pause: 'pausing' }[action];
  return new ThreeTierError('AWS_ERROR', `${doing} ${node.id} (${node.kind.kind}) failed: ${code}: ${errorMessage(err)}`, {
    cause: err,
    hints: ['run the same command again: it continues from where it stopped', 'if it fails the same way, the message above names what AWS refused'],
  });
}

/** A node context for reading only (planning): it records nothing and reports nothing. */
export function readOnlyContext(opts: Pick<ProvisionerOptions, 'clients' | 'timing' | 'signal' | 'events'>, config: StackConfig, node: { id: string }, outputsOf: (id: string) => Record<string, string>): NodeContext {
  return {
    id: node.id,
    config,
    clients: opts.clients,
    timing: opts.timing,
    signal: opts.signal,
    outputsOf,
    recorded: () => undefined,
    record: () => undefined,
    tags: () => stackTags(config.stack, node.id),
    progress: () => undefined,
    events: opts.events,
    finalSnapshot: false,
  };
}

export function stackTags(stack: string, id: string): { Key: string; Value: string }[] {
  return [
    { Key: STACK_TAG, Value: stack },
    { Key: RESOURCE_TAG, Value: id },
  ];
}

/** One command's work on a stack: the manifest store, the signal (aborted on Ctrl-C, or on a failure), the events. */
export class Run {
  readonly t0 = Date.now();
  /** Aborted on the first failure, so that other nodes stop waiting (what they made is recorded). */
  readonly stop = new AbortController();
  readonly signal: AbortSignal;

  constructor(
    readonly opts: ProvisionerOptions,
    readonly store: ManifestStore,
    readonly config: StackConfig,
    readonly extra: { finalSnapshot?: boolean; restore?: Readonly<Record<string, string>> } = {},
  ) {
    this.signal = AbortSignal.any([opts.signal, this.stop.signal]);
  }

  emit(node: { id: string; kind: { kind: string } }, phase: ResourcePhase, extra: { detail?: string; awsId?: string; since?: number } = {}): void {
    const event: EngineEvent = { type: 'resource', id: node.id, kind: node.kind.kind, phase, at: Date.now() };
    if (extra.detail !== undefined) event.detail = extra.detail;
    // Every event of a resource whose identity is recorded names it, whatever the phase (a wait's progress, a
    // failure), so that no view has to remember it and none shows a row without its AWS id. An explicit '' says
    // the recorded one does not count (a resource about to be made anew).
    const awsId = extra.awsId ?? awsIdOf(this.store.resource(node.id)?.identity);
    if (awsId) event.awsId = awsId;
    if (extra.since !== undefined) event.elapsedMs = Date.now() - extra.since;
    this.opts.events(event);
  }

  message(level: 'info' | 'warn', text: string): void {
    this.opts.events({ type: 'message', level, text, at: Date.now() });
  }

  context(node: StackGraphNode, since: number): NodeContext {
    const { store, config, opts } = this;
    return {
      id: node.id,
      config,
      clients: opts.clients,
      timing: opts.timing,
      signal: this.signal,
      outputsOf: (id) => store.resource(id)?.outputs ?? {},
      recorded: () => store.resource(node.id),
      record: (change) => store.update(node.id, node.kind.kind, change),
      tags: () => stackTags(config.stack, node.id),
      progress: (phase, detail) => this.emit(node, phase, { detail, since }),
      events: opts.events,
      finalSnapshot: this.extra.finalSnapshot ?? false,
      ...(this.extra.restore?.[node.id] === undefined ? {} : { restoreFrom: this.extra.restore[node.id] }),
    };
  }

  /**
   * Run `work` over the graph with bounded concurrency. A failure stops other nodes' waits (what they made is
   * recorded) and is recorded on its node; Ctrl-C ends with an "interrupted" error.
   */
  async execute(nodes: readonly StackGraphNode[], direction: 'create' | 'delete', action: Exclude<WorkAction, 'read'>, work: (node: StackGraphNode, ctx: NodeContext, since: number) => Promise<void>, priority?: (id: string) => number): Promise<void> {
    const { opts, store } = this;
    try {
      await executeGraph(
        nodes,
        async (node) => {
          const since = Date.now();
          const ctx = this.context(node, since);
          try {
            await work(node, ctx, since);
          } catch (err) {
            if (opts.signal.aborted && isInterruption(err)) {
              this.emit(node, 'failed', { detail: 'interrupted', since });
              throw err;
            }
            if (this.stop.signal.aborted && isInterruption(err)) {
              // Another resource failed: stop waiting here; what this node made is recorded for the next run.
              this.emit(node, 'skipped', { detail: 'stopped waiting: another resource failed', since });
              return;
            }
            const error = asThreeTierError(node, action, err);
            store.update(node.id, node.kind.kind, { status: 'failed', error: error.message.slice(0, 2000) });
            this.emit(node, 'failed', { detail: error.message, since });
            if (direction === 'create') this.stop.abort();
            throw error;
          }
        },
        { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY, direction, signal: opts.signal, ...(priority ? { priority } : {}) },
      );
    } catch (err) {
      if (opts.signal.aborted) throw interrupted();
      throw err;
    }
    if (opts.signal.aborted) throw interrupted();
  }
}

/**
 * Read a recorded resource. Right after a create, AWS can answer NotFound to every describe, by id or by tag
 * (eventual consistency): a resource recorded moments ago (an interrupted run, re-run at once) that reads as gone
 * is read again until the consistency budget since it was recorded has passed. Only then is it gone.
 */
export async function readSettled(
  node: StackGraphNode,
  ctx: NodeContext,
  rec: Readonly<ManifestResource> & { identity: Identity },
  onWait: (detail: string) => void,
): Promise<Observed | undefined> {
  const recordedAt = Date.parse(rec.updatedAt);
  const windowMs = consistencyWindowWallMs(ctx.timing.scale);
  for (;;) {
    const observed = await node.kind.read(ctx, rec.identity);
    if (observed || !(Date.now() - recordedAt < windowMs)) return observed;
    onWait(`${awsIdOf(rec.identity) ?? node.id} was recorded moments ago and is not visible yet`);
    await sleep(ctx.timing.pollMs, ctx.signal);
  }
}
