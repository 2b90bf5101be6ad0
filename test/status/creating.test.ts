import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMonthlyCost } from '../../src/cost.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { resource, statusWhen } from './support.js';

/**
 * A stack on its way: `up` runs (and holds the lock) while the database is still creating. Status reads it without
 * waiting for the lock, says a change is in progress, shows what is there and what is not yet, and a burn rate
 * below the whole stack's that says why.
 */
describe('status while up is creating the stack', () => {
  let h: Harness;
  const stop = new AbortController();
  let running: Promise<unknown>;
  before(async () => {
    // A slower pace than the other tests: the database takes about 6 s to create.
    h = await harness({ stack: 'early', timeScale: 0.02, pollMs: 100 });
    running = h.up({ signal: stop.signal }).catch((err: unknown) => err);
  });
  after(async () => {
    stop.abort();
    await running;
    await h.close();
  });

  it('shows RDS creating, the stack changing under the lock, and a partial burn rate', async () => {
    const s = await statusWhen(h, (x) => x.database?.status === 'creating' && x.lock !== undefined, 'the database creating while up holds the lock');
    assert.equal(s.verdict, 'changing', JSON.stringify([s.reasons, s.leaks, s.drift]));
    assert.equal(resource(s, 'database').health, 'pending');
    assert.equal(resource(s, 'database').state, 'creating');
    assert.equal(resource(s, 'ecs-service').health, 'absent', 'the service comes after the database');
    assert.equal(s.tiers.rds, 'pending');
    assert.equal(s.lock?.pid, process.pid);
    assert.equal(s.lock?.command, 'up');
    assert.ok(s.reasons.some((r) => /on its way: .*database \(creating\)/.test(r)), s.reasons.join('; '));
    assert.ok(s.reasons.some((r) => /a three-tier up is changing the stack/.test(r)));
    assert.deepEqual(s.drift, [], 'nothing not yet made counts as drift');

    const full = estimateMonthlyCost(h.config);
    assert.equal(s.cost.fullHourly, full.hourly);
    assert.equal(s.cost.partial, true);
    assert.ok(s.cost.hourly < full.hourly, `${s.cost.hourly} < ${full.hourly}`);
    const tasks = s.cost.lines.find((l) => /Fargate/.test(l.item));
    assert.equal(tasks?.billed, false);
    assert.equal(tasks?.note, 'not created', 'the service does not exist yet');
    const database = s.cost.lines.find((l) => /RDS PostgreSQL/.test(l.item));
    assert.equal(database?.billed, true, 'a database that is creating is billed');
    // What is not billed yet is exactly what the lines say is not there.
    // The total is the cost table's exact figure; each line is rounded to 4 places: within half a step per line.
    const lines = s.cost.lines.filter((l) => l.billed);
    const billed = lines.reduce((sum, l) => sum + l.hourly, 0);
    assert.ok(Math.abs(billed - s.cost.hourly) <= 0.00005 * lines.length + 1e-9, `${billed} vs ${s.cost.hourly}`);
  });

  it('bills the tasks in proportion to those running while the service starts', async () => {
    const s = await statusWhen(h, (x) => x.service !== undefined && x.service.running === 0 && x.lock !== undefined, 'the service created, its task not running yet');
    const tasks = s.cost.lines.find((l) => /Fargate/.test(l.item));
    assert.deepEqual([tasks?.billed, tasks?.hourly, tasks?.note], [false, 0, '0 of 1 task(s) running']);
    assert.equal(s.service?.health, 'pending');
    assert.equal(s.verdict, 'changing', s.reasons.join('; '));
  });
});
