import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand, type FilterLogEventsCommandInput, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { appendLogEvent, logGroup } from '../../src/sandbox/services/logs/store.js';
import { clientConfig, sandbox } from './helpers.js';

const GROUP = '/three-tier/f/api';
const T0 = Date.UTC(2026, 0, 30, 12, 0, 0);

/**
 * FilterLogEvents as the CloudWatch Logs API reference describes it, which `three-tier logs` relies on: the events of
 * every stream of the group (or of `logStreamNames`, or of a `logStreamNamePrefix`) interleaved by time;
 * `startTime` and `endTime` (epoch ms) bound them, both inclusive ("events with a timestamp before this time / later
 * than this time are not returned"); `limit` pages them with `nextToken`, absent on the last page; each event has an
 * `eventId` unique in the group and the same on every call.
 */
describe('sandbox FilterLogEvents', () => {
  let sb: Sandbox;
  let logs: CloudWatchLogsClient;
  // stream, offset (s) from T0, message: three tasks writing at interleaved times; two lines at the same instant.
  const written: [string, number, string][] = [
    ['api/api/aaa', 0, 'a0'],
    ['api/api/bbb', 1, 'b1'],
    ['api/api/aaa', 2, 'a2'],
    ['api/api/ccc', 3, 'c3'],
    ['api/api/bbb', 4, 'b4'],
    ['api/api/ccc', 4, 'c4'],
    ['other/x/ddd', 5, 'd5'],
  ];
  before(async () => {
    sb = await sandbox();
    logs = new CloudWatchLogsClient(clientConfig(sb, { maxAttempts: 1 }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    // Written as tasks write (the ECS simulation's store), then given the times of the scenario.
    for (const [stream, , message] of written) assert.ok(appendLogEvent(sb.world, GROUP, stream, message));
    const streams = logGroup(sb.world, GROUP)?.data.streams ?? {};
    for (const [stream, offset, message] of written) {
      const e = streams[stream]?.events.find((x) => x.message === message);
      assert.ok(e);
      e.timestamp = T0 + offset * 1000;
    }
  });
  after(async () => sb.close());

  const all = async (input: Omit<FilterLogEventsCommandInput, 'logGroupName'>): Promise<FilteredLogEvent[]> => {
    const out: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...input, ...(nextToken ? { nextToken } : {}) }));
      out.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  };

  it('interleaves every stream by time', async () => {
    const events = await all({});
    assert.deepEqual(events.map((e) => e.message), ['a0', 'b1', 'a2', 'c3', 'b4', 'c4', 'd5']);
    assert.deepEqual(events.map((e) => e.timestamp), [0, 1, 2, 3, 4, 4, 5].map((s) => T0 + s * 1000));
  });

  it('bounds by startTime and endTime, both inclusive', async () => {
    const events = await all({ startTime: T0 + 1000, endTime: T0 + 4000 });
    assert.deepEqual(events.map((e) => e.message), ['b1', 'a2', 'c3', 'b4', 'c4']);
  });

  it('reads only the streams named, or those with the prefix', async () => {
    assert.deepEqual((await all({ logStreamNames: ['api/api/bbb', 'api/api/ccc'] })).map((e) => e.message), ['b1', 'c3', 'b4', 'c4']);
    assert.deepEqual((await all({ logStreamNamePrefix: 'api/api/' })).map((e) => e.message), ['a0', 'b1', 'a2', 'c3', 'b4', 'c4']);
  });

  it('pages with limit and nextToken, the last page without a token', async () => {
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 3 }));
    assert.deepEqual(first.events?.map((e) => e.message), ['a0', 'b1', 'a2']);
    assert.ok(first.nextToken);
    const second = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 3, nextToken: first.nextToken }));
    assert.deepEqual(second.events?.map((e) => e.message), ['c3', 'b4', 'c4']);
    const third = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 3, nextToken: second.nextToken }));
    assert.deepEqual(third.events?.map((e) => e.message), ['d5']);
    assert.equal(third.nextToken, undefined);
  });

  it('gives each event an id unique in the group and the same on every call', async () => {
    const events = await all({});
    const ids = events.map((e) => e.eventId);
    assert.equal(new Set(ids).size, ids.length, `ids repeat: ${ids.join(' ')}`);
    const again = await all({ logStreamNames: ['api/api/ccc'], startTime: T0 + 4000 });
    assert.deepEqual(again.map((e) => [e.message, e.eventId]), [['c4', events.find((e) => e.message === 'c4')?.eventId]]);
  });
});
