import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rowTitle } from '../../cli/render/progress.js';
import type { ResourceEvent } from '../../src/engine/events.js';

/** The title of a row of the live task list, from the events alone (listr2 itself needs a terminal: see test/e2e/interactive). */
describe('progress rows', () => {
  const node = { id: 'ecs-cluster', kind: 'ecs-cluster' };
  const event = (phase: ResourceEvent['phase'], extra: Partial<ResourceEvent> = {}): ResourceEvent => ({ type: 'resource', id: node.id, kind: node.kind, phase, at: Date.now(), ...extra });

  it('names the resource, its kind and its AWS id while it works', () => {
    assert.equal(rowTitle({ node }), 'ecs-cluster (ecs-cluster)');
    assert.equal(rowTitle({ node, awsId: 'demo', last: event('waiting', { detail: 'waiting until it is ready', elapsedMs: 200 }) }), 'ecs-cluster (ecs-cluster) demo');
  });

  it("shows the outcome with the time of the resource's own work, however late in the run it settled", () => {
    // Verified 90 s into a rerun, in 40 ms: the row says 0.0s, not 90 s.
    const late = event('unchanged', { detail: 'ACTIVE', awsId: 'demo', elapsedMs: 40, at: Date.now() + 90_000 });
    assert.equal(rowTitle({ node, awsId: 'demo', last: late }), 'ecs-cluster (ecs-cluster) demo unchanged - ACTIVE (0.0s)');
  });

  it('keeps the name and the id of a row the run stopped before it finished', () => {
    assert.equal(rowTitle({ node, awsId: 'demo', last: event('waiting'), stopped: true }), 'ecs-cluster (ecs-cluster) demo stopped while waiting');
    assert.equal(rowTitle({ node, stopped: true }), 'ecs-cluster (ecs-cluster) not reached');
  });
});
