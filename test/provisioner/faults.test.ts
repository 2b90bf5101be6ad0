import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { EventSink } from '../../src/engine/events.js';
import { countByType, harness, type Harness } from './harness.js';
import { assertCompleteStack, live, mutatingCalls, UP_CHANGES } from './expect.js';

/**
 * With throttling, 5xx answers, eventual consistency (NotFound right after a create) and lingering network
 * interfaces all on, up and destroy still end in the right state. The image is outside ECR: deployed as given,
 * with an event saying its architecture could not be checked.
 */
describe('up and destroy under faults', () => {
  let h: Harness;
  const image = 'ghcr.io/example/three-tier-api:1.0.0';

  before(async () => {
    h = await harness({ stack: 'faulty', image: { kind: 'existing', uri: image } });
    await h.faults({ throttleRate: 0.1, errorRate: 0.05, consistencyWindowMs: 200, eniLingerMs: 400, seed: 7 });
  });
  after(async () => h.close());

  it('up succeeds and builds exactly the stack', async () => {
    const before = await h.calls();
    const result = await h.up();
    assert.ok(result.url);
    await h.faults({ throttleRate: 0, errorRate: 0 });
    assertCompleteStack(await h.tagged());
    // Throttled and failed calls are counted and retried: the changes of a clean up, some more than once, no other.
    const changes = mutatingCalls(before, await h.calls());
    assert.deepEqual(Object.keys(changes).sort(), Object.keys(UP_CHANGES).sort());
    for (const [op, n] of Object.entries(UP_CHANGES)) assert.ok((changes[op] ?? 0) >= n, `${op}: ${changes[op]} call(s), at least ${n}`);
    assert.ok(Object.entries(UP_CHANGES).some(([op, n]) => (changes[op] ?? 0) > n), 'some change was answered with a fault and retried');
    const td = await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition']?.['arn'] }));
    assert.equal(td.taskDefinition?.containerDefinitions?.[0]?.image, image);
    const warned = h.sink.events.find((e) => e.type === 'message' && /architecture was not checked: the image is not in ECR/.test(e.text));
    assert.ok(warned, 'says the architecture of an image outside ECR was not checked');
    await h.faults({ throttleRate: 0.1, errorRate: 0.05 });
  });

  it('destroy succeeds and leaves nothing', async () => {
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    await h.faults({ throttleRate: 0, errorRate: 0 });
    assert.deepEqual(live(await h.tagged()), []);
    assert.equal(existsSync(h.manifestPath), false);
  });

  it('an up interrupted right after its creates, re-run at once, makes no duplicates; a destroy at once leaves nothing', async () => {
    await h.faults({ throttleRate: 0, errorRate: 0, consistencyWindowMs: 400 });
    const interruptAt = async (id: string, phase: string): Promise<void> => {
      const abort = new AbortController();
      const events: EventSink = (e) => {
        h.sink(e);
        if (e.type === 'resource' && e.id === id && e.phase === phase) abort.abort();
      };
      await assert.rejects(h.up({ events, signal: abort.signal }), (err: unknown) => (err as { code?: string }).code === 'INTERRUPTED');
    };
    await interruptAt('vpc', 'creating');
    await interruptAt('route-table-public', 'creating');
    const counts = countByType(live(await h.tagged()));
    assert.equal(counts['vpc'], 1, 'one VPC');
    assert.ok((counts['subnet'] ?? 0) <= 4);
    assert.ok((counts['elastic-ip'] ?? 0) <= 1);
    // The route table was created moments ago: describing or deleting it can still answer NotFound.
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    assert.deepEqual(live(await h.tagged()), []);
  });
});
