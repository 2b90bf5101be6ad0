import { ThreeTierError } from '../errors.js';
import { dependents, topologicalOrder, type GraphNode } from './graph.js';

export interface ExecuteOptions {
  /** At most this many nodes run at once. */
  concurrency: number;
  /** `create`: a node starts when all its dependencies are done. `delete`: when every node depending on it is done. */
  direction: 'create' | 'delete';
  /** Stops starting new nodes once aborted; running nodes see the signal through their own work. */
  signal?: AbortSignal;
  /** Nodes with a higher priority start first when several are ready (the long poles: RDS, ElastiCache, NAT). */
  priority?: (id: string) => number;
}

export interface NodeFailure {
  id: string;
  error: unknown;
}

/**
 * Run a DAG of work with bounded concurrency: every node starts as soon as what it needs is done. On the first
 * failure no new node starts; nodes already running finish (so that what they created is recorded), and the
 * failures are thrown together.
 */
export async function executeGraph<N extends GraphNode>(nodes: readonly N[], run: (node: N) => Promise<void>, options: ExecuteOptions): Promise<void> {
  topologicalOrder(nodes);
  const waitsOn = new Map<string, Set<string>>();
  if (options.direction === 'create') {
    for (const n of nodes) waitsOn.set(n.id, new Set(n.dependsOn));
  } else {
    const rev = dependents(nodes);
    for (const n of nodes) waitsOn.set(n.id, new Set(rev.get(n.id) ?? []));
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const declared = new Map(nodes.map((n, i) => [n.id, i]));
  const pending = new Set(nodes.map((n) => n.id));
  const running = new Set<Promise<void>>();
  const failures: NodeFailure[] = [];
  const priority = options.priority ?? (() => 0);
  const concurrency = Math.max(1, options.concurrency);

  const ready = (): string[] =>
    [...pending]
      .filter((id) => (waitsOn.get(id)?.size ?? 0) === 0)
      .sort((a, b) => priority(b) - priority(a) || (declared.get(a) ?? 0) - (declared.get(b) ?? 0));

  const start = (id: string): void => {
    pending.delete(id);
    const node = byId.get(id) as N;
    const p: Promise<void> = run(node)
      .then(
        () => {
          for (const w of waitsOn.values()) w.delete(id);
        },
        (error: unknown) => {
          failures.push({ id, error });
        },
      )
      .finally(() => running.delete(p));
    running.add(p);
  };

  for (;;) {
    if (failures.length === 0 && !options.signal?.aborted) {
      for (const id of ready()) {
        if (running.size >= concurrency) break;
        start(id);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }

  if (failures.length > 0) {
    if (failures.length === 1) throw (failures[0] as NodeFailure).error;
    throw new ThreeTierError('MULTIPLE_FAILURES', failures.map((f) => `${f.id}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('\n'), {
      cause: failures[0]?.error,
      hints: hintsOf(failures),
    });
  }
  if (pending.size > 0) {
    if (options.signal?.aborted) throw new ThreeTierError('INTERRUPTED', `interrupted before ${[...pending].join(', ')} started`, { kind: 'interrupted' });
    throw new ThreeTierError('GRAPH_STUCK', `resource graph could not finish: ${[...pending].join(', ')} never became ready`);
  }
}

function hintsOf(failures: readonly NodeFailure[]): string[] {
  const hints = new Set<string>();
  for (const f of failures) if (f.error instanceof ThreeTierError) for (const h of f.error.hints) hints.add(h);
  return [...hints];
}
