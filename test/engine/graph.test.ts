import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { criticalPath, dependents, topologicalOrder } from '../../src/engine/graph.js';
import { executeGraph } from '../../src/engine/executor.js';
import { ThreeTierError } from '../../src/errors.js';

const n = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });

describe('topologicalOrder', () => {
  const cases: { name: string; nodes: ReturnType<typeof n>[]; error?: RegExp }[] = [
    { name: 'a chain', nodes: [n('c', 'b'), n('b', 'a'), n('a')] },
    { name: 'a diamond', nodes: [n('d', 'b', 'c'), n('b', 'a'), n('c', 'a'), n('a')] },
    { name: 'a cycle is reported as its path', nodes: [n('a', 'c'), n('b', 'a'), n('c', 'b')], error: /cycle: a -> c -> b -> a/ },
    { name: 'a self-loop', nodes: [n('a', 'a')], error: /cycle: a -> a/ },
    { name: 'a missing dependency', nodes: [n('a', 'ghost')], error: /"a" depends on "ghost"/ },
    { name: 'a duplicate id', nodes: [n('a'), n('a')], error: /declared twice/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => topologicalOrder(c.nodes), (e: unknown) => e instanceof ThreeTierError && c.error!.test(e.message));
        return;
      }
      const order = topologicalOrder(c.nodes).map((x) => x.id);
      for (const node of c.nodes) for (const d of node.dependsOn) assert.ok(order.indexOf(d) < order.indexOf(node.id), `${d} before ${node.id}`);
    });
  }

  it('dependents are the reverse edges', () => {
    const rev = dependents([n('b', 'a'), n('c', 'a'), n('a')]);
    assert.deepEqual(rev.get('a'), ['b', 'c']);
    assert.deepEqual(rev.get('b'), []);
  });

  it('critical path is the longest weighted chain', () => {
    const weights: Record<string, number> = { a: 1, b: 10, c: 2, d: 1 };
    const r = criticalPath([n('a'), n('b', 'a'), n('c', 'a'), n('d', 'b', 'c')], (id) => weights[id] ?? 0);
    assert.equal(r.totalMs, 12);
    assert.deepEqual(r.path, ['a', 'b', 'd']);
  });
});

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('executeGraph', () => {
  it('starts each node only after its dependencies, and deletes in reverse', async () => {
    const nodes = [n('vpc'), n('subnet', 'vpc'), n('sg', 'vpc'), n('db', 'subnet', 'sg')];
    const started: string[] = [];
    const finished: string[] = [];
    const run = async (node: { id: string }) => {
      started.push(node.id);
      await tick();
      finished.push(node.id);
    };
    await executeGraph(nodes, run, { concurrency: 4, direction: 'create' });
    assert.equal(started[0], 'vpc');
    assert.ok(started.indexOf('db') > finished.indexOf('subnet') && started.indexOf('db') > finished.indexOf('sg'));
    started.length = 0;
    finished.length = 0;
    await executeGraph(nodes, run, { concurrency: 4, direction: 'delete' });
    assert.equal(started[0], 'db');
    assert.equal(finished.at(-1), 'vpc');
  });

  it('runs independent nodes in parallel, never more than the concurrency bound', async () => {
    const nodes = Array.from({ length: 10 }, (_, i) => n(`r${i}`));
    let running = 0;
    let peak = 0;
    await executeGraph(
      nodes,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
      },
      { concurrency: 3, direction: 'create' },
    );
    assert.equal(peak, 3);
  });

  it('starts the long poles first when several nodes are ready', async () => {
    const nodes = [n('small1'), n('small2'), n('rds'), n('small3')];
    const started: string[] = [];
    await executeGraph(nodes, async (node) => void started.push(node.id), { concurrency: 1, direction: 'create', priority: (id) => (id === 'rds' ? 10 : 0) });
    assert.equal(started[0], 'rds');
  });

  it('on a failure starts nothing new, lets running nodes finish, and throws the failure', async () => {
    const nodes = [n('a'), n('slow'), n('b', 'a'), n('c', 'b')];
    const finished: string[] = [];
    await assert.rejects(
      executeGraph(
        nodes,
        async (node) => {
          if (node.id === 'a') throw new ThreeTierError('BOOM', 'a failed');
          if (node.id === 'slow') await new Promise((r) => setTimeout(r, 30));
          finished.push(node.id);
        },
        { concurrency: 4, direction: 'create' },
      ),
      /a failed/,
    );
    assert.deepEqual(finished, ['slow'], 'slow finished, b and c never started');
  });

  it('stops starting nodes once aborted and says what did not start', async () => {
    const ac = new AbortController();
    const nodes = [n('a'), n('b', 'a')];
    await assert.rejects(
      executeGraph(nodes, async (node) => void (node.id === 'a' && ac.abort()), { concurrency: 2, direction: 'create', signal: ac.signal }),
      (e: unknown) => e instanceof ThreeTierError && e.kind === 'interrupted' && /before b started/.test(e.message),
    );
  });
});
