import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStackGraph, stackCriticalPath } from '../../src/stack.js';
import { topologicalOrder, dependents } from '../../src/engine/graph.js';
import { resolveConfig } from '../../src/config.js';

const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });

describe('stack graph', () => {
  const nodes = buildStackGraph(config, { kind: 'existing', uri: 'public.ecr.aws/x/y:1' });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order = topologicalOrder(nodes).map((n) => n.id);
  const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b}`);

  it('has about 31 nodes and no cycle', () => {
    assert.ok(nodes.length >= 29 && nodes.length <= 33, `${nodes.length} nodes`);
    assert.equal(order.length, nodes.length);
  });

  it('orders creation as AWS needs it', () => {
    before('nat-gateway', 'route-table-private');
    before('internet-gateway', 'nat-gateway');
    before('internet-gateway', 'load-balancer'); // an internet-facing load balancer needs the attached gateway (InvalidSubnet)
    before('listener', 'ecs-service');
    before('database', 'execution-role');
    before('database', 'task-definition');
    before('cache', 'task-definition');
    before('image', 'task-definition');
    before('image', 'ecs-service');
    before('sg-alb', 'sg-ecs');
    before('sg-ecs', 'sg-rds');
  });

  it('deletes in the order of the traps: service first, NAT before its EIP, groups rds/redis -> ecs -> alb, VPC last', () => {
    const rev = dependents(nodes);
    const dependsOnTransitively = (a: string, b: string): boolean => {
      const seen = new Set<string>();
      const stack = [a];
      while (stack.length) {
        const x = stack.pop() as string;
        for (const d of byId.get(x)?.dependsOn ?? []) {
          if (d === b) return true;
          if (!seen.has(d)) stack.push(d), seen.add(d);
        }
      }
      return false;
    };
    // In delete direction a node waits for everything that depends on it.
    assert.ok(dependsOnTransitively('ecs-service', 'ecs-cluster'));
    assert.ok(dependsOnTransitively('nat-gateway', 'nat-eip'), 'EIP released after the NAT is gone');
    assert.ok(dependsOnTransitively('sg-rds', 'sg-ecs') && dependsOnTransitively('sg-redis', 'sg-ecs') && dependsOnTransitively('sg-ecs', 'sg-alb'));
    assert.ok(dependsOnTransitively('load-balancer', 'internet-gateway') && dependsOnTransitively('nat-gateway', 'internet-gateway'), 'IGW detached after NAT and ALB');
    for (const n of nodes) if (n.id !== 'vpc' && !['nat-eip', 'ecr-repository', 'image', 'log-group', 'ecs-cluster', 'api-key', 'redis-auth'].includes(n.id)) assert.ok(dependsOnTransitively(n.id, 'vpc') || n.id === 'vpc', `${n.id} depends on the vpc`);
    assert.ok((rev.get('vpc') ?? []).length > 5);
  });

  it('gives the long poles the highest priorities', () => {
    const top = [...nodes].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)).slice(0, 3).map((n) => n.id);
    assert.deepEqual(new Set(top), new Set(['database', 'cache', 'nat-gateway']));
  });

  it('has a critical path through the database', () => {
    const cp = stackCriticalPath(nodes);
    assert.ok(cp.path.includes('database'), cp.path.join(' -> '));
    assert.equal(cp.path.at(-1), 'ecs-service');
    assert.ok(cp.totalMs > 8 * 60_000 && cp.totalMs < 20 * 60_000, `${cp.totalMs}`);
  });
});
