import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { billedResources, estimateCost, estimateMonthlyCost, snapshotMonthlyCost, type CostEstimate, type CostItemId } from '../../src/cost.js';
import { costReport } from '../../src/cost-report.js';
import { resolveConfig } from '../../src/config.js';
import type { Manifest } from '../../src/engine/manifest.js';

/**
 * The estimate against figures worked out by hand here from the published unit prices (the sources named in
 * src/prices.json), not read from the table: a wrong figure in the table or a wrong formula fails these.
 */
const H = 730;

function line(e: CostEstimate, id: CostItemId) {
  const l = e.lines.find((x) => x.id === id);
  assert.ok(l, `line ${id}`);
  return l;
}

function near(actual: number, expected: number, what: string, tolerance = 0.006): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected}`);
}

describe('cost estimate: two regions by hand', () => {
  it('prices the default stack in us-east-1 from its unit prices', () => {
    const e = estimateCost(resolveConfig({ stack: 'demo', region: 'us-east-1' }));
    const hand: Record<CostItemId, number> = {
      'nat-gateway': 0.045 * H, // 32.85
      'nat-address': 0.005 * H, // 3.65
      'load-balancer': 0.0225 * H, // 16.425
      'load-balancer-addresses': 2 * 0.005 * H, // 7.30
      tasks: (0.25 * 0.04048 + 0.5 * 0.004445) * H, // 9.01
      'database-instance': 0.016 * H, // 11.68
      'database-storage': 20 * 0.115, // 2.30
      cache: 0.016 * H, // 11.68
      'db-secret': 0.4,
      'api-key-secret': 0.4,
      'redis-auth-secret': 0.4,
    };
    for (const [id, monthly] of Object.entries(hand)) near(line(e, id as CostItemId).monthly, monthly, id);
    const total = Object.values(hand).reduce((a, b) => a + b, 0); // 95.295
    near(e.monthly, total, 'total');
    near(e.hourly, total / H, 'hourly', 0.0001);
    assert.equal(e.region, 'us-east-1');
    assert.equal(e.pricesRegion, 'us-east-1');
    assert.equal(e.fallback, undefined);
    assert.equal(e.state, 'running');
    assert.ok(e.lines.every((l) => l.billed && l.reason === undefined));
    // Every us-east-1 figure of the default stack has a source.
    assert.equal(e.estimated, false);
    assert.deepEqual(e.notes, []);
  });

  it('prices an ARM stack with 2 tasks in ap-southeast-1 from Singapore prices, and names the guessed ones', () => {
    const e = estimateCost(resolveConfig({ stack: 'demo', region: 'ap-southeast-1', cpuArchitecture: 'ARM64', desiredCount: 2 }));
    near(line(e, 'nat-gateway').monthly, 0.059 * H, 'NAT'); // 43.07
    near(line(e, 'load-balancer').monthly, 0.0252 * H, 'ALB'); // 18.40
    near(line(e, 'tasks').monthly, 2 * (0.25 * 0.04045 + 0.5 * 0.00442) * H, 'ARM tasks'); // 18.00
    assert.equal(line(e, 'tasks').item, 'Fargate ARM tasks x 2');
    // Confirmed for Singapore (AWS Price List figures): not estimates.
    for (const id of ['nat-gateway', 'load-balancer', 'tasks'] as const) assert.equal(line(e, id).estimated, undefined, id);
    // Guessed for Singapore: the database (us-east-1 x 1.25), the cache (x 1.5), the address charge.
    near(line(e, 'database-instance').monthly, 0.02 * H, 'RDS'); // 14.60
    near(line(e, 'cache').monthly, 0.024 * H, 'cache'); // 17.52
    for (const id of ['database-instance', 'cache', 'nat-address', 'database-storage'] as const) assert.equal(line(e, id).estimated, true, id);
    assert.equal(e.estimated, true);
    assert.match(e.notes.join(' '), /Estimates \(not confirmed prices for ap-southeast-1\): .*RDS PostgreSQL db\.t4g\.micro/);
    const total =
      0.059 * H + 0.005 * H + 0.0252 * H + 0.01 * H + 2 * (0.25 * 0.04045 + 0.5 * 0.00442) * H + 0.02 * H + 20 * 0.138 + 0.024 * H + 3 * 0.4; // 126.34: three secrets
    near(e.monthly, total, 'total');
    assert.match(e.excludes.join('; '), /NAT gateway data processing \(\$0\.059\/GB\)/);
  });

  it('is more for more tasks and less on ARM', () => {
    const one = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1' }));
    const three = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1', desiredCount: 3 }));
    const arm = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1', cpuArchitecture: 'ARM64' }));
    near(three.monthly - one.monthly, 2 * (0.25 * 0.04048 + 0.5 * 0.004445) * H, 'two more tasks');
    assert.ok(arm.monthly < one.monthly);
  });
});

describe('cost estimate: a region without figures', () => {
  it('falls back to us-east-1 visibly and marks every figure as a guess', () => {
    const e = estimateCost(resolveConfig({ stack: 'demo', region: 'eu-north-1' }));
    const east = estimateCost(resolveConfig({ stack: 'demo', region: 'us-east-1' }));
    assert.equal(e.region, 'eu-north-1');
    assert.equal(e.pricesRegion, 'us-east-1');
    assert.deepEqual(e.fallback && { from: e.fallback.from, to: e.fallback.to }, { from: 'eu-north-1', to: 'us-east-1' });
    assert.equal(e.monthly, east.monthly, 'the fallback region\'s figures');
    assert.ok(e.lines.every((l) => l.estimated === true));
    assert.equal(e.estimated, true);
    assert.match(e.notes[0] ?? '', /no figures for eu-north-1; us-east-1 prices are shown instead, so every figure is a guess/);
  });
});

describe('cost estimate: paused and deep-paused', () => {
  const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });

  it('bills the load balancer, its addresses, the cache and the database storage while paused', () => {
    const e = estimateCost(config, { state: 'paused' });
    const billed = e.lines.filter((l) => l.billed).map((l) => l.id);
    assert.deepEqual(billed.sort(), ['api-key-secret', 'cache', 'database-storage', 'db-secret', 'load-balancer', 'load-balancer-addresses', 'redis-auth-secret']);
    // 16.425 + 7.30 + 2.30 + 11.68 + 3 x 0.40
    near(e.monthly, 0.0225 * H + 0.01 * H + 20 * 0.115 + 0.016 * H + 3 * 0.4, 'paused total');
    assert.equal(line(e, 'database-instance').reason, 'stopped by pause (no instance hours; storage still billed)');
    assert.equal(line(e, 'database-instance').monthly, 0);
    near(line(e, 'database-instance').whenBilled.monthly, 0.016 * H, 'rate while billed');
    assert.equal(line(e, 'nat-gateway').reason, 'deleted by pause');
    assert.match(e.notes.join(' '), /after 7 days/);
  });

  it('bills only the database storage and the secrets while deep-paused', () => {
    const e = estimateCost(config, { state: 'paused-deep' });
    assert.deepEqual(e.lines.filter((l) => l.billed).map((l) => l.id).sort(), ['api-key-secret', 'database-storage', 'db-secret', 'redis-auth-secret']);
    near(e.monthly, 20 * 0.115 + 3 * 0.4, 'deep total'); // 3.50
    assert.equal(line(e, 'cache').reason, 'deleted by pause --deep');
    assert.match(e.notes.join(' '), /URL changes/);
  });

  it('says what pause and deep pause save', () => {
    const r = costReport({ config });
    near(r.savings.pause.monthly, 0.045 * H + 0.005 * H + (0.25 * 0.04048 + 0.5 * 0.004445) * H + 0.016 * H, 'pause saves'); // 57.19
    near(r.savings.deep.monthly, r.running.monthly - (20 * 0.115 + 3 * 0.4), 'deep saves'); // 92.60
    assert.equal(r.now.monthly, 0, 'a planned stack bills nothing yet');
    assert.ok(r.now.lines.every((l) => l.reason === 'not created'));
    near(r.finalSnapshot.monthly, 20 * 0.095, 'final snapshot'); // 1.90
  });
});

describe('cost estimate: what a recorded stack bills now', () => {
  const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });
  const at = '2026-01-01T00:00:00.000Z';
  const resource = (kind: string, status: Manifest['resources'][string]['status'], identity?: Record<string, string>) => ({
    kind,
    status,
    createdAt: at,
    updatedAt: at,
    ...(identity ? { identity } : {}),
  });

  it('bills what exists: the recorded resources with an AWS identity that are not deleted', () => {
    const present = billedResources({
      resources: {
        'nat-eip': resource('elastic-ip', 'created', { allocationId: 'eipalloc-1' }),
        'nat-gateway': resource('nat-gateway', 'creating', { natGatewayId: 'nat-1' }),
        database: resource('db-instance', 'creating', { dbInstanceIdentifier: 'demo-db' }),
        'load-balancer': resource('load-balancer', 'deleted', { loadBalancerArn: 'arn:lb' }),
        cache: resource('replication-group', 'creating'),
        'ecs-service': resource('ecs-service', 'failed', { serviceArn: '' }),
      },
    });
    assert.deepEqual([...present].sort(), ['database', 'nat-eip', 'nat-gateway']);
    const e = estimateCost(config, { present });
    assert.deepEqual(e.lines.filter((l) => l.billed).map((l) => l.id).sort(), ['database-instance', 'database-storage', 'db-secret', 'nat-address', 'nat-gateway']);
    near(e.monthly, 0.045 * H + 0.005 * H + 0.016 * H + 20 * 0.115 + 0.4, 'half-built'); // 50.88
    assert.equal(line(e, 'load-balancer').reason, 'not created');
    const r = costReport({ config, present });
    near(r.savings.pause.monthly, 0.045 * H + 0.005 * H + 0.016 * H, 'pause saves what exists'); // 48.18
  });

  it('keeps the existing plan fields: estimateMonthlyCost is the running estimate', () => {
    const e = estimateMonthlyCost(config);
    assert.deepEqual(e, estimateCost(config, { state: 'running' }));
    for (const l of e.lines) assert.deepEqual(Object.keys(l).filter((k) => ['item', 'basis', 'hourly', 'monthly'].includes(k)).sort(), ['basis', 'hourly', 'item', 'monthly']);
    const sum = e.lines.reduce((s, l) => s + l.monthly, 0);
    assert.ok(Math.abs(sum - e.monthly) < 0.05, 'lines add up to the total');
  });

  it('prices the final snapshot of a larger database', () => {
    const s = snapshotMonthlyCost(resolveConfig({ stack: 'demo', region: 'eu-west-1' }), { gb: 50 });
    near(s.monthly, 50 * 0.095, 'snapshot'); // 4.75
    assert.equal(s.estimated, true, 'eu-west-1 snapshot storage is a guess');
  });
});
