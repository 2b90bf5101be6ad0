import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CloudWatchLogsClient, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { appendLogEvent, logGroup } from '../../src/sandbox/services/logs/store.js';
import { clientConfig, eventually } from '../sandbox/helpers.js';
import { calls, e2eSuite, runCli, stackArgs } from './cli.js';

const STACK = 'lg';
const GROUP = `/three-tier/${STACK}/api`;

/**
 * `three-tier logs` end to end against the sandbox's CloudWatch Logs. The sandbox's tasks write the line they start
 * with; the API's own JSON lines are appended to the task's stream the way the awslogs driver would (a stand-in for
 * the API process, which only the sandbox's data plane runs). A log group that is not there (a stack never made,
 * or its group deleted) exits 2 naming the group and what to do.
 */
describe('three-tier logs, through the CLI', () => {
  const suite = e2eSuite('logs');
  const dir = suite.dir;
  const manifest = join(dir, `${STACK}.json`);
  const args = (): string[] => ['--stack', STACK, '--endpoint-url', suite.sb.endpoint, '--manifest', manifest];
  const logs = (extra: string[], o: Partial<Parameters<typeof runCli>[1]> = {}) => runCli(['logs', ...args(), ...extra], { cwd: dir, ...o });
  let task = '';
  const write = (message: string, agoMs = 0): void => {
    assert.ok(appendLogEvent(suite.sb.world, GROUP, `api/api/${task}`, message));
    if (agoMs === 0) return;
    const events = logGroup(suite.sb.world, GROUP)?.data.streams[`api/api/${task}`]?.events ?? [];
    const e = events[events.length - 1];
    assert.ok(e);
    e.timestamp -= agoMs;
  };

  it('a stack whose task has written', async () => {
    const r = await runCli(['up', ...stackArgs(suite.sb, STACK, manifest), '--image', 'public.ecr.aws/nginx/nginx:1.27'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const arns = (await new ECSClient(clientConfig(suite.sb)).send(new ListTasksCommand({ cluster: STACK, serviceName: `${STACK}-api` }))).taskArns ?? [];
    task = arns[0]?.split('/').pop() ?? '';
    assert.match(task, /^[0-9a-f]{32}$/);
    write('{"time":"2026-01-30T12:00:00.000Z","level":"info","msg":"request","method":"GET","path":"/items","status":200,"durationMs":3}');
    write('{"level":"error","msg":"old line"}', 2 * 3_600_000);
  });

  it('prints the lines with their task id, the JSON ones readably, newest last', async () => {
    const r = await logs([]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^\\S+Z ${task.slice(0, 8)} sandbox: container api started from public.ecr.aws/nginx/nginx:1.27$`));
    assert.match(lines.at(-1) ?? '', new RegExp(`^\\S+Z ${task.slice(0, 8)} INFO  request method=GET path=/items status=200 durationMs=3$`));
    assert.doesNotMatch(r.stdout, /old line/, 'two hours old: before the default --since 10m');
  });

  it('--json prints each line raw in one JSON object', async () => {
    const r = await logs(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const objects = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { taskId: string; message: string });
    assert.ok(objects.every((o) => o.taskId === task));
    assert.equal(objects.at(-1)?.message, '{"time":"2026-01-30T12:00:00.000Z","level":"info","msg":"request","method":"GET","path":"/items","status":200,"durationMs":3}');
  });

  it('--since reaches further back; --task filters by the start of the id', async () => {
    const r = await logs(['--since', '3h']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0] ?? '', /ERROR old line$/, 'the oldest first');
    const other = await logs(['--since', '3h', '--task', task.startsWith('f') ? '0' : 'f']);
    assert.equal(other.stdout, '');
    assert.match(other.stderr, /No log lines/);
    const mine = await logs(['--task', task.slice(0, 6)]);
    assert.match(mine.stdout, /request method=GET/);
  });

  it('a bad --since or --task exits 2, naming the value and what is allowed', async () => {
    const r = await logs(['--since', '5 minutes']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--since "5 minutes" is not a time: use a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time/);
    const t = await logs(['--task', 'zzz']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /--task "zzz" is not an ECS task id/);
  });

  it('--follow prints new lines once each, and Ctrl-C ends it with 130', async () => {
    const run = logs(['--follow', '--json']);
    let out = '';
    run.child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    await eventually(async () => (out.includes('started from') ? true : undefined), 10_000, 'the first lines');
    write('{"level":"info","msg":"after the start"}');
    await eventually(async () => (out.includes('after the start') ? true : undefined), 10_000, 'the new line');
    // Three more polls (counted at the sandbox): nothing is printed again.
    const printed = out.length;
    const filters = async (): Promise<number> => (await calls(suite.sb)).operations['logs:FilterLogEvents'] ?? 0;
    const before = await filters();
    await eventually(async () => ((await filters()) >= before + 3 ? true : undefined), 10_000, 'three more polls');
    assert.equal(out.length, printed, 'no line printed again');
    run.child.kill('SIGINT');
    const r = await run;
    assert.equal(r.code, 130, r.stderr);
    assert.doesNotMatch(r.stderr, /Error/);
    const ids = out.trim().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('a stack never made has no log group yet: exit 2, NO_LOG_GROUP naming the group and what to do', async () => {
    const r = await runCli(['logs', '--stack', 'nolg', '--endpoint-url', suite.sb.endpoint, '--manifest', join(dir, 'nolg.json')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /NO_LOG_GROUP/);
    assert.match(r.stderr, /the log group \/three-tier\/nolg\/api does not exist: the stack's service has nowhere to write its lines/);
    assert.match(r.stderr, /Try: .*three-tier up/);
  });

  it('a log group deleted under the stack: exit 2, NO_LOG_GROUP, also with --json and --follow', async () => {
    await new CloudWatchLogsClient(clientConfig(suite.sb)).send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    for (const extra of [[], ['--json'], ['--follow']]) {
      const r = await logs(extra, { timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}${r.stdout}`);
      const json = extra.includes('--json');
      const text = json ? r.stdout : r.stderr;
      assert.match(text, /NO_LOG_GROUP/);
      assert.match(text, new RegExp(`the log group ${GROUP.replaceAll('/', '\\/')} does not exist`));
      if (json) assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'NO_LOG_GROUP');
    }
  });
});
