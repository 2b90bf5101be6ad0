import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ThreeTierError } from '../../src/errors.js';
import { checkTaskId, formatLogLine, jsonLogLine, parseSince } from '../../src/logs.js';

const NOW = Date.UTC(2026, 0, 30, 12, 0, 0);
const TASK = '0123456789abcdef0123456789abcdef';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ThreeTierError && e.kind === 'usage' && pattern.test(e.message));
}

describe('logs: --since, --task and how a line is printed', () => {
  it('--since takes 30s, 10m, 2h, 1d and ISO times', () => {
    assert.equal(parseSince('30s', NOW), NOW - 30_000);
    assert.equal(parseSince('10m', NOW), NOW - 600_000);
    assert.equal(parseSince('2h', NOW), NOW - 7_200_000);
    assert.equal(parseSince('1d', NOW), NOW - 86_400_000);
    assert.equal(parseSince('2026-01-30T11:00:00Z', NOW), NOW - 3_600_000);
    assert.equal(parseSince('2026-01-30', NOW), Date.UTC(2026, 0, 30));
  });

  it('refuses anything else, naming the value and what is allowed', () => {
    for (const bad of ['10', '5 minutes', '-5m', '1w', 'yesterday', '2026-13-45T99:00:00Z', '']) usage(() => parseSince(bad, NOW), /is not a time: use a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time/);
    usage(() => parseSince('2026-02-01T00:00:00Z', NOW), /in the future/);
  });

  it('--task takes a task id, its start, or a task ARN', () => {
    assert.equal(checkTaskId(TASK), TASK);
    assert.equal(checkTaskId('0123abcd'), '0123abcd');
    assert.equal(checkTaskId(`arn:aws:ecs:us-east-1:123456789012:task/demo/${TASK}`), TASK);
    usage(() => checkTaskId('not-a-task'), /"not-a-task" is not an ECS task id/);
  });

  it("prints the API's JSON lines readably: time, task, level, message, the other fields", () => {
    const line = { timestamp: NOW, taskId: TASK, logStream: `api/api/${TASK}`, eventId: '1', message: '{"time":"2026-01-30T12:00:00.000Z","level":"warn","msg":"cache unavailable","error":"connect ECONNREFUSED","retryInMs":500}' };
    assert.equal(formatLogLine(line), '2026-01-30T12:00:00.000Z 01234567 WARN  cache unavailable error="connect ECONNREFUSED" retryInMs=500');
    assert.equal(formatLogLine({ ...line, message: 'exec /usr/local/bin/docker-entrypoint.sh: exec format error' }), '2026-01-30T12:00:00.000Z 01234567 exec /usr/local/bin/docker-entrypoint.sh: exec format error');
    assert.equal(formatLogLine({ ...line, message: '{not json' }), '2026-01-30T12:00:00.000Z 01234567 {not json');
  });

  it('--json keeps the line raw in one object', () => {
    const message = '{"level":"info","msg":"request","status":200}';
    const out = JSON.parse(jsonLogLine({ timestamp: NOW, taskId: TASK, logStream: `api/api/${TASK}`, eventId: '42', message })) as Record<string, unknown>;
    assert.deepEqual(out, { time: '2026-01-30T12:00:00.000Z', timestamp: NOW, taskId: TASK, logStream: `api/api/${TASK}`, message, eventId: '42' });
  });
});
