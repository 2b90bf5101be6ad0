import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ThreeTierError } from '../../src/errors.js';
import { readManifest } from '../../src/engine/manifest.js';
import { openStack, planUp } from '../../src/provisioner.js';
import { harness, type Harness } from './harness.js';

/**
 * The long poles start as early as their inputs allow. At this time scale a NAT gateway takes ~9 s and the ALB
 * ~15 s, while the inputs of the database and the cache (seconds-scale resources) are ready in about a second even
 * on a loaded machine: the order is the one real AWS would see, with a wide margin over HTTP round trips.
 * The run is interrupted as soon as both started, so the slow pace costs nothing: that is also an interruption test.
 */
describe('long poles first', () => {
  let h: Harness;
  let error: unknown;
  let readyWhenDbStarted: string[] = [];
  let readyWhenCacheStarted: string[] = [];
  let startedWhenDbStarted: string[] = [];

  before(async () => {
    h = await harness({ timeScale: 0.1, pollMs: 50 });
    const abort = new AbortController();
    const ready = new Set<string>();
    const started = new Set<string>();
    const seen = new Set<string>();
    const events = (e: Parameters<typeof h.sink>[0]): void => {
      h.sink(e);
      if (e.type !== 'resource') return;
      if (e.phase === 'ready') ready.add(e.id);
      if (e.phase === 'creating') started.add(e.id);
      if (e.phase === 'creating' && e.id === 'database') {
        readyWhenDbStarted = [...ready];
        startedWhenDbStarted = [...started];
      }
      if (e.phase === 'creating' && e.id === 'cache') readyWhenCacheStarted = [...ready];
      if (e.phase === 'creating' && (e.id === 'database' || e.id === 'cache')) seen.add(e.id);
      if (seen.size === 2 && !abort.signal.aborted) abort.abort();
    };
    try {
      await h.up({ events, signal: abort.signal });
    } catch (err) {
      error = err;
    }
  });
  after(async () => h.close());

  it('starts RDS and ElastiCache before the NAT gateway and the ALB are ready', () => {
    for (const list of [readyWhenDbStarted, readyWhenCacheStarted]) {
      for (const later of ['nat-gateway', 'load-balancer', 'route-table-private', 'listener']) assert.ok(!list.includes(later), `${later} is not ready yet`);
    }
    assert.ok(readyWhenDbStarted.includes('db-subnet-group') && readyWhenDbStarted.includes('sg-rds'), 'its inputs were ready');
    assert.ok(!startedWhenDbStarted.includes('route-table-private') && !startedWhenDbStarted.includes('listener'));
  });

  it('stops on the interruption with kind interrupted, the manifest true and the lock released', async () => {
    assert.ok(error instanceof ThreeTierError, String(error));
    assert.equal(error.code, 'INTERRUPTED');
    assert.equal(error.kind, 'interrupted');
    const m = readManifest(h.manifestPath);
    // The database's create call was answered before the interruption took effect: its identity is recorded.
    assert.equal(m?.resources['database']?.identity?.['identifier'], 'demo-db');
    assert.equal(m?.resources['ecs-service'], undefined);
    // The next run can take the lock, and would adopt the database rather than create it.
    const session = openStack(h.manifestPath, 'test');
    try {
      const steps = (await planUp(session, h.options())).steps;
      assert.equal(steps.find((x) => x.id === 'database')?.action, 'resume');
      assert.equal(steps.find((x) => x.id === 'ecs-service')?.action, 'create');
    } finally {
      session.close();
    }
  });
});
