import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { resolveConfig } from '../../src/config.js';
import { readManifest } from '../../src/engine/manifest.js';
import { applyUp, openStack, planChangesSomething, planUp, type UpPlan } from '../../src/provisioner.js';
import { ThreeTierError } from '../../src/errors.js';
import { harness, type Harness } from './harness.js';
import { mutatingOps, type Calls } from './expect.js';

/** One plan, applied: the plan is a value computed from what AWS holds; apply carries out exactly that. */
describe('up as a plan, applied', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'plan' });
  });
  after(async () => h.close());

  async function plan(input: Parameters<typeof resolveConfig>[0] = { stack: 'plan', region: 'us-east-1' }): Promise<UpPlan> {
    const session = openStack(h.manifestPath, 'up');
    try {
      const config = resolveConfig(input, readManifest(h.manifestPath)?.config);
      return await planUp(session, h.options({ config }));
    } finally {
      session.close();
    }
  }

  it('plans a new stack without changing anything: every step a create, the time and the cost', async () => {
    const p = await plan();
    assert.equal(p.existing, false);
    assert.deepEqual([...new Set(p.steps.map((s) => s.action))], ['create']);
    assert.equal(p.steps.length, 31);
    assert.ok(p.criticalPath.path.includes('database'));
    assert.ok(p.cost.monthly > 88 && p.cost.monthly < 100, `${p.cost.monthly}`);
    assert.equal(p.zones.chosenNow, true);
    assert.equal(p.zones.names.length, 2);
    const calls = (await h.calls()) as Calls;
    assert.deepEqual(mutatingOps(calls), [], 'planning only reads');
    assert.equal(readManifest(h.manifestPath), undefined, 'planning writes no manifest');
  });

  it('on a complete stack: nothing to change, and apply makes no AWS call at all', async () => {
    await h.up();
    const p = await plan();
    assert.equal(planChangesSomething(p), false, p.steps.filter((s) => s.action !== 'none').map((s) => `${s.id}: ${s.action} ${s.reason}`).join('; '));
    const before = ((await h.calls()) as Calls).total;
    const session = openStack(h.manifestPath, 'up');
    try {
      const result = await applyUp(session, p, h.options());
      assert.equal(result.unchanged.length, 31);
      assert.deepEqual([result.created, result.updated, result.adopted], [[], [], []]);
    } finally {
      session.close();
    }
    assert.equal(((await h.calls()) as Calls).total, before, 'the plan read everything already');
  });

  it('a changed task count is an update of the service only, old -> new; the manifest keeps it for later runs', async () => {
    const p = await plan({ stack: 'plan', region: 'us-east-1', desiredCount: 3 });
    assert.deepEqual(p.changes.map((c) => [c.flag, c.from, c.to]), [['--tasks', '1', '3']]);
    assert.deepEqual(
      p.steps.filter((s) => s.action !== 'none').map((s) => [s.id, s.action]),
      [['ecs-service', 'update']],
    );
    const session = openStack(h.manifestPath, 'up');
    try {
      const result = await applyUp(session, p, h.options({ config: p.config }));
      assert.deepEqual(result.updated, ['ecs-service']);
    } finally {
      session.close();
    }
    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'plan', services: ['plan-api'] }))).services?.[0];
    assert.equal(svc?.desiredCount, 3);
    assert.equal(svc?.runningCount, 3);
    assert.equal(readManifest(h.manifestPath)?.config.desiredCount, 3);
    // A run without --tasks keeps 3.
    const again = await plan();
    assert.equal(again.config.desiredCount, 3);
    assert.equal(planChangesSomething(again), false);
  });

  it('a new task size registers a new revision and rolls the service; a new DB class modifies the instance in place', async () => {
    const p = await plan({ stack: 'plan', region: 'us-east-1', taskCpu: 512, taskMemory: 1024, dbInstanceClass: 'db.t4g.small' });
    assert.deepEqual(
      p.steps.filter((s) => s.action !== 'none').map((s) => [s.id, s.action]).sort(),
      [['database', 'update'], ['ecs-service', 'update'], ['task-definition', 'update']],
    );
    const dbBefore = (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'plan-db' }))).DBInstances?.[0];
    const session = openStack(h.manifestPath, 'up');
    try {
      await applyUp(session, p, h.options({ config: p.config }));
    } finally {
      session.close();
    }
    const db = (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'plan-db' }))).DBInstances?.[0];
    assert.equal(db?.DBInstanceClass, 'db.t4g.small');
    assert.equal(db?.DbiResourceId, dbBefore?.DbiResourceId, 'the same instance, changed in place');
    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'plan', services: ['plan-api'] }))).services?.[0];
    const td = (await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc?.taskDefinition ?? '' }))).taskDefinition;
    assert.deepEqual([td?.cpu, td?.memory], ['512', '1024']);
    assert.equal(svc?.deployments?.length, 1);
    assert.equal(svc?.deployments?.[0]?.rolloutState, 'COMPLETED');
  });

  it('refuses what cannot change in place (the VPC block), before anything changes', async () => {
    await assert.rejects(plan({ stack: 'plan', region: 'us-east-1', vpcCidr: '10.1.0.0/16' }), (err: unknown) => err instanceof ThreeTierError && err.code === 'STACK_CONFIG_CONFLICT' && err.kind === 'usage');
  });

  it('one command at a time: a second opening of the stack fails with who holds it', () => {
    const first = openStack(h.manifestPath, 'up');
    try {
      assert.throws(() => openStack(h.manifestPath, 'destroy'), (err: unknown) => err instanceof ThreeTierError && err.code === 'STACK_LOCKED' && err.message.includes(`pid ${process.pid}`));
    } finally {
      first.close();
    }
    openStack(h.manifestPath, 'destroy').close();
  });
});
