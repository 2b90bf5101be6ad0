import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { stackNames } from '../../src/names.js';
import { clientConfig, eventually } from '../sandbox/helpers.js';
import { runCli, scratchDir, stackArgs, TIME_SCALE } from './cli.js';
import { alive, dataPlaneSuite } from './data-plane-support.js';

/**
 * The sandbox's data plane with the real CLI and SDK: `up` builds a stack whose task runs the bundled API as a real
 * process against the local PostgreSQL (a fresh database) and Redis, its load balancer answers on a loopback port,
 * and `verify` proves the tiers through it. One stack for the whole file: the API takes seconds to start.
 */
describe('the sandbox data plane runs the API behind its load balancer', () => {
  const stack = 'plane';
  const names = stackNames(stack);
  const dir = scratchDir('dataplane');
  const manifest = join(dir, `${stack}.json`);
  const suite = dataPlaneSuite(TIME_SCALE);
  let url = '';
  const ecs = (): ECSClient => new ECSClient(clientConfig(suite.sb));
  const logs = (): CloudWatchLogsClient => new CloudWatchLogsClient(clientConfig(suite.sb));

  async function runningTask(): Promise<Task> {
    return eventually(async () => {
      const arns = (await ecs().send(new ListTasksCommand({ cluster: names.cluster, serviceName: names.service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
      if (arns.length === 0) return undefined;
      const tasks = (await ecs().send(new DescribeTasksCommand({ cluster: names.cluster, tasks: arns }))).tasks ?? [];
      return tasks.find((t) => t.lastStatus === 'RUNNING');
    }, 30_000, 'a RUNNING task of the service');
  }

  async function streamOf(task: Task): Promise<string[]> {
    const taskId = task.taskArn?.split('/').pop() ?? '';
    const out = await logs().send(new GetLogEventsCommand({ logGroupName: names.logGroup, logStreamName: `api/api/${taskId}`, startFromHead: true }));
    return (out.events ?? []).map((e) => e.message ?? '');
  }

  /** The pid of the process that serves a task: the data plane's only live process once the others are gone. */
  async function onlyPid(): Promise<number> {
    return eventually(async () => {
      const pids = suite.sb.dataPlane?.pids() ?? [];
      return pids.length === 1 ? pids[0] : undefined;
    }, 30_000, 'exactly one API process');
  }

  async function verifyUntilOk(): Promise<void> {
    await eventually(async () => ((await runCli(['verify', '--stack', stack, '--manifest', manifest, '--endpoint-url', suite.sb.endpoint], { cwd: dir })).code === 0 ? true : undefined), 60_000, 'verify to pass again');
  }

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('up prints the loopback URL of the load balancer and its verify passes; DescribeLoadBalancers keeps the AWS DNS name', async () => {
    const r = await runCli(['up', ...stackArgs(suite.sb, stack, manifest), '--json'], { cwd: dir, timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const result = JSON.parse(r.stdout) as { url: string; localUrl?: string; verify: { ok?: boolean; steps?: { step: string; ok: boolean }[] } };
    assert.match(result.url, /^http:\/\/plane-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    assert.match(result.localUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    url = result.localUrl ?? '';
    assert.equal(result.verify.ok, true, JSON.stringify(result.verify));
    assert.deepEqual(result.verify.steps?.map((s) => s.step), ['health', 'read', 'cached read', 'write', 'read after write', 'clean up']);
    const lb = (await new ElasticLoadBalancingV2Client(clientConfig(suite.sb)).send(new DescribeLoadBalancersCommand({ Names: [names.loadBalancer] }))).LoadBalancers?.[0];
    assert.equal(`http://${lb?.DNSName ?? ''}`, result.url, 'the AWS-shaped name stays in the API');
  });

  it('forwards any method, path, body and headers to the API, which answers from the fresh database', async () => {
    // Writes need the stack's API key (three-tier api-key prints it); without it the API answers 401.
    const refused = await fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'anonymous' }) });
    assert.equal(refused.status, 401);
    const key = (await runCli(['api-key', '--stack', stack, '--manifest', manifest, '--endpoint-url', suite.sb.endpoint], { cwd: dir })).stdout.trim();
    const auth = { authorization: `Bearer ${key}` };
    const created = await fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ name: 'forwarded', description: 'through the data plane' }) });
    assert.equal(created.status, 201);
    const item = (await created.json()) as { id: number; name: string };
    assert.equal(item.name, 'forwarded');
    const put = await fetch(`${url}/items/${item.id}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ name: 'renamed' }) });
    assert.equal(put.status, 200);
    assert.equal(((await (await fetch(`${url}/items/${item.id}`)).json()) as { name: string }).name, 'renamed');
    // The row is in the database this test created, not anywhere else.
    const pg = await import('pg');
    const c = new pg.default.Client({ connectionString: suite.db.url });
    await c.connect();
    try {
      assert.deepEqual((await c.query('SELECT name FROM public.items WHERE id = $1', [item.id])).rows, [{ name: 'renamed' }]);
    } finally {
      await c.end();
    }
    // A body without its content-type header is refused by the API itself: the headers reach it as sent.
    const noType = await fetch(`${url}/items`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'x' }) });
    assert.notEqual(noType.status, 201);
    assert.equal((await fetch(`${url}/items/${item.id}`, { method: 'DELETE', headers: auth })).status, 204);
    const missing = await fetch(`${url}/no/such/path`);
    assert.equal(missing.status, 404);
    assert.notEqual(missing.headers.get('server'), 'awselb/2.0', 'the 404 comes from the API, not the load balancer');
  });

  it("writes the API process's log lines to the task's CloudWatch stream", async () => {
    const task = await runningTask();
    const lines = await eventually(async () => {
      const l = await streamOf(task);
      return l.some((x) => x.includes('"msg":"listening"')) ? l : undefined;
    }, 10_000, 'the listening line in the stream');
    assert.ok(lines.every((l) => !l.includes('\n')), 'one event per line');
  });

  it('three-tier verify passes through the load balancer, each step timed', async () => {
    const r = await runCli(['verify', '--stack', stack, '--manifest', manifest, '--endpoint-url', suite.sb.endpoint, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; url: string; steps: { ok: boolean; latencyMs: number; detail: string }[] };
    assert.equal(report.ok, true);
    assert.equal(report.url, url);
    assert.equal(report.steps.length, 6);
    assert.ok(report.steps.every((s) => s.ok && Number.isInteger(s.latencyMs)));
    assert.match(report.steps[1]?.detail ?? '', /from the database/);
    assert.match(report.steps[2]?.detail ?? '', /from the cache/);
  });

  it('StopTask sends SIGTERM: the API exits 0 after its graceful shutdown and the service starts a new process', async () => {
    const task = await runningTask();
    const pid = await onlyPid();
    await ecs().send(new StopTaskCommand({ cluster: names.cluster, task: task.taskArn ?? '', reason: 'test' }));
    await eventually(async () => (alive(pid) ? undefined : true), 30_000, `process ${pid} to exit`);
    const stopped = await eventually(async () => {
      const t = (await ecs().send(new DescribeTasksCommand({ cluster: names.cluster, tasks: [task.taskArn ?? ''] }))).tasks?.[0];
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    }, 30_000, 'the task STOPPED');
    assert.equal(stopped.containers?.[0]?.exitCode, 0);
    assert.ok((await streamOf(task)).some((l) => l.includes('"msg":"stopped"')), 'the shutdown line reached the stream');
    const next = await onlyPid();
    assert.notEqual(next, pid);
    await verifyUntilOk();
  });

  it('a process that dies stops its task like ECS (Essential container in task exited, its exit code) and is replaced', async () => {
    const task = await runningTask();
    const pid = await onlyPid();
    process.kill(pid, 'SIGKILL');
    const stopped = await eventually(async () => {
      const t = (await ecs().send(new DescribeTasksCommand({ cluster: names.cluster, tasks: [task.taskArn ?? ''] }))).tasks?.[0];
      return t?.desiredStatus === 'STOPPED' ? t : undefined;
    }, 30_000, 'the task to be stopped');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.containers?.[0]?.exitCode, 137);
    const next = await onlyPid();
    assert.notEqual(next, pid);
    await verifyUntilOk();
  });

  it("the sandbox's close leaves no API process behind", async () => {
    const pids = [await onlyPid()];
    await suite.sb.close();
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} survived the sandbox`);
  });
});
