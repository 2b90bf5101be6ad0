import { ThreeTierError } from '../errors.js';

/** A node of the resource graph: a logical id and the logical ids it needs. */
export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

/**
 * Check that every dependency exists and that there is no cycle; a cycle is reported as its path (a -> b -> a).
 * Returns the nodes in a dependency-respecting order (stable: ties keep declaration order).
 */
export function topologicalOrder<N extends GraphNode>(nodes: readonly N[]): N[] {
  const byId = new Map<string, N>();
  for (const n of nodes) {
    if (byId.has(n.id)) throw new ThreeTierError('GRAPH_DUPLICATE', `resource graph: "${n.id}" is declared twice`);
    byId.set(n.id, n);
  }
  for (const n of nodes) {
    for (const d of n.dependsOn) {
      if (!byId.has(d)) throw new ThreeTierError('GRAPH_MISSING_DEPENDENCY', `resource graph: "${n.id}" depends on "${d}", which is not in the graph`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const order: N[] = [];
  const stack: string[] = [];
  const visit = (n: N): void => {
    const s = state.get(n.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(n.id)), n.id];
      throw new ThreeTierError('GRAPH_CYCLE', `resource graph has a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(n.id, 'visiting');
    stack.push(n.id);
    for (const d of n.dependsOn) visit(byId.get(d) as N);
    stack.pop();
    state.set(n.id, 'done');
    order.push(n);
  };
  for (const n of nodes) visit(n);
  return order;
}

/** The nodes that depend on each node (the reverse edges, used to delete in reverse order). */
export function dependents(nodes: readonly GraphNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const n of nodes) for (const d of n.dependsOn) out.get(d)?.push(n.id);
  return out;
}

/**
 * The longest path through the graph when each node takes `duration(id)` ms: the least wall time any executor can
 * reach with unbounded concurrency. Returns the total and the path.
 */
export function criticalPath(nodes: readonly GraphNode[], duration: (id: string) => number): { totalMs: number; path: string[] } {
  const order = topologicalOrder(nodes);
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const n of order) {
    let start = 0;
    let from: string | undefined;
    for (const d of n.dependsOn) {
      const f = finish.get(d) ?? 0;
      if (f > start) {
        start = f;
        from = d;
      }
    }
    finish.set(n.id, start + duration(n.id));
    via.set(n.id, from);
  }
  let end: string | undefined;
  for (const [id, f] of finish) if (end === undefined || f > (finish.get(end) ?? 0)) end = id;
  const path: string[] = [];
  for (let cur = end; cur !== undefined; cur = via.get(cur)) path.unshift(cur);
  return { totalMs: end === undefined ? 0 : (finish.get(end) ?? 0), path };
}
