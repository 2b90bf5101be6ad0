import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStackGraph, stackCriticalPath } from '../../src/stack.js';
import { topologicalOrder, dependents } from '../../src/engine/graph.js';
import { resolveConfig } from '../../src/config.js';
import { planSteps } from '../../src/provisioner.js';

const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });

describe('stack graph', () => {
  const nodes = buildStackGraph(config, { kind: 'existing', uri: 'public.ecr.aws/x/y:1' });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order = topologicalOrder(nodes).map((n) => n.id);
  const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b}`);

  it('has about 26 nodes and no cycle', () => {
    assert.ok(nodes.length >= 24 && nodes.length <= 30, `${nodes.length} nodes`);
    assert.equal(order.length, nodes.length);
  });

  it('orders creation as AWS needs it', () => {
    before('nat-gateway', 'route-table-private');
    before('internet-gateway', 'nat-gateway');
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
    for (const n of nodes) if (n.id !== 'vpc' && !['nat-eip', 'ecr-repository', 'image', 'log-group', 'ecs-cluster'].includes(n.id)) assert.ok(dependsOnTransitively(n.id, 'vpc') || n.id === 'vpc', `${n.id} depends on the vpc`);
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

  it('plans from the manifest: create, resume or verify, with the reason', () => {
    const now = new Date().toISOString();
    const steps = planSteps(nodes, {
      resources: {
        vpc: { kind: 'vpc', status: 'ready', identity: { vpcId: 'vpc-1' }, createdAt: now, updatedAt: now },
        database: { kind: 'db-instance', status: 'created', identity: { identifier: 'demo-db' }, createdAt: now, updatedAt: now },
        'nat-gateway': { kind: 'nat-gateway', status: 'creating', token: 't', createdAt: now, updatedAt: now },
      },
    });
    const of = (id: string) => steps.find((s) => s.id === id);
    assert.equal(of('vpc')?.action, 'verify');
    assert.equal(of('database')?.action, 'resume');
    assert.equal(of('nat-gateway')?.action, 'create');
    assert.equal(of('cache')?.action, 'create');
    assert.match(of('cache')?.reason ?? '', /tags or name/);
  });
});

describe('plan', () => {
  it('plans a new stack: every step a create, the critical path through the database, ~$95/month', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { plan } = await import('../../src/provisioner.js');
    const { ManifestStore } = await import('../../src/engine/manifest.js');
    const dir = mkdtempSync(join(tmpdir(), 'three-tier-plan-'));
    try {
      const manifestPath = join(dir, 'demo.json');
      const fresh = plan({ config, manifestPath, image: { kind: 'existing', uri: 'ghcr.io/a/b:1' } });
      assert.equal(fresh.existing, false);
      assert.ok(fresh.steps.every((s) => s.action === 'create'));
      assert.ok(fresh.criticalPath.path.includes('database'));
      assert.ok(fresh.cost.monthly > 88 && fresh.cost.monthly < 100);
      assert.ok(fresh.steps.filter((s) => s.billable).map((s) => s.id).includes('nat-gateway'));

      const store = ManifestStore.open(manifestPath, { config });
      store.update('database', 'db-instance', { status: 'ready', identity: { identifier: 'demo-db' } });
      const later = plan({ config, manifestPath });
      assert.equal(later.existing, true);
      assert.equal(later.steps.find((s) => s.id === 'database')?.action, 'verify');
      assert.ok(later.criticalPath.totalMs < fresh.criticalPath.totalMs, 'a ready database shortens what is left');

      assert.throws(() => plan({ config: { ...config, vpcCidr: '10.1.0.0/16' }, manifestPath }), (err: unknown) => {
        const e = err as { code?: string; kind?: string };
        return e.code === 'STACK_CONFIG_CONFLICT' && e.kind === 'usage';
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
