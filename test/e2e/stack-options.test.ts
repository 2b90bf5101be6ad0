import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { StackLock } from '../../src/engine/manifest.js';
import { clientConfig } from '../sandbox/helpers.js';
import { assertCompleteStack } from '../provisioner/expect.js';
import { calls, e2eSuite, mutatingCalls, resourceEventOf, runCli, stackArgs, stackResources, taggedWith, TIME_SCALE, type CliResult } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const STACK = 'opts';

/**
 * The options of `up` reach AWS (a VPC block that is not the default, a task count), one command at a time changes
 * a stack (the lock, through the CLI), an existing stack keeps its recorded region, and destroy takes the endpoint
 * from the manifest. One stack, created once, for all of it.
 */
describe('up options, the stack lock, and what the manifest decides', () => {
  const suite = e2eSuite('options');
  const dir = suite.dir;
  /** An endpoint that answers no AWS call: every connection is closed at once (held by the test, on loopback). */
  let dead: Server;
  let deadUrl = '';
  const manifest = join(dir, `${STACK}.json`);
  const upArgs = (extra: string[] = []) => ['up', ...stackArgs(suite.sb, STACK, manifest), '--image', IMAGE, '--vpc-cidr', '10.20.0.0/16', '--tasks', '2', ...extra];

  before(async () => {
    dead = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const address = dead.address();
    assert.ok(address && typeof address === 'object');
    deadUrl = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await new Promise((resolve) => dead.close(resolve));
  });

  it('up with --vpc-cidr and --tasks builds them; a second command meanwhile fails with STACK_LOCKED', async () => {
    // The first up is paused (SIGSTOP) at its first create, holding the lock, while a destroy and an up try the
    // same stack; then it continues.
    let second: Promise<CliResult[]> | undefined;
    const first = await runCli(upArgs(['--json']), {
      cwd: dir,
      onLine: (line, child) => {
        if (second !== undefined || resourceEventOf(line)?.phase !== 'creating') return;
        child.kill('SIGSTOP');
        second = (async () => {
          try {
            return [await runCli(['destroy', ...stackArgs(suite.sb, STACK, manifest)], { cwd: dir }), await runCli(upArgs(), { cwd: dir })];
          } finally {
            child.kill('SIGCONT');
          }
        })();
      },
    });
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    assert.ok(second, 'the second commands ran while the first held the lock');
    for (const r of await second) {
      assert.equal(r.code, 1, r.stderr.slice(-1500));
      assert.match(r.stderr, /STACK_LOCKED/);
    }
    assertCompleteStack(await taggedWith(suite.sb, STACK), 2);

    const cfg = clientConfig(suite.sb);
    const ec2 = new EC2Client(cfg);
    const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: [STACK] }] }))).Vpcs ?? [];
    assert.deepEqual(vpcs.map((v) => v.CidrBlock), ['10.20.0.0/16']);
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcs[0]?.VpcId ?? ''] }] }))).Subnets ?? [];
    assert.deepEqual(subnets.map((s) => s.CidrBlock).sort(), ['10.20.0.0/20', '10.20.16.0/20', '10.20.32.0/20', '10.20.48.0/20']);

    const service = (await new ECSClient(cfg).send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
    assert.equal(service?.desiredCount, 2);
    assert.equal(service?.runningCount, 2);
    const elbv2 = new ElasticLoadBalancingV2Client(cfg);
    const tg = (await elbv2.send(new DescribeTargetGroupsCommand({ Names: [`${STACK}-tg`] }))).TargetGroups?.[0];
    const health = (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn }))).TargetHealthDescriptions ?? [];
    assert.equal(health.filter((t) => t.TargetHealth?.State === 'healthy').length, 2, 'two healthy targets');
  });

  it('while another process holds the lock, up and destroy fail with STACK_LOCKED and change nothing', async () => {
    const lock = StackLock.acquire(manifest, 'test');
    try {
      const recorded = readFileSync(manifest, 'utf8');
      const before = await calls(suite.sb);
      for (const args of [upArgs(), ['destroy', ...stackArgs(suite.sb, STACK, manifest)]]) {
        const r = await runCli(args, { cwd: dir });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /STACK_LOCKED/);
        assert.match(r.stderr, new RegExp(`pid ${process.pid}`), 'names who holds it');
      }
      assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
      assert.equal(readFileSync(manifest, 'utf8'), recorded, 'the manifest is untouched');
    } finally {
      lock.release();
    }
  });

  it('a lock left by a process on another host stops the command, naming the host and the lock file', async () => {
    const lockPath = `${manifest}.lock`;
    writeFileSync(lockPath, JSON.stringify({ pid: 4242, host: 'build-agent-7.example', command: 'up', startedAt: '2026-01-01T00:00:00.000Z' }), { mode: 0o600 });
    try {
      const before = await calls(suite.sb);
      const r = await runCli(upArgs(), { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /STACK_LOCKED/);
      assert.match(r.stderr, /build-agent-7\.example/);
      assert.ok(r.stderr.includes(lockPath), `names ${lockPath}: ${r.stderr}`);
      assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
      assert.ok(existsSync(lockPath), 'a lock of another host is never taken over');
    } finally {
      rmSync(lockPath, { force: true });
    }
  });

  it('an existing stack keeps its recorded region when AWS_REGION says another', async () => {
    const before = await calls(suite.sb);
    const r = await runCli(upArgs(), { cwd: dir, env: { AWS_REGION: 'eu-west-1' } });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, /nothing changed/);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
    assert.equal((JSON.parse(readFileSync(manifest, 'utf8')) as { region: string }).region, 'us-east-1');
  });

  it('destroy takes the endpoint from the manifest, not from AWS_ENDPOINT_URL', async () => {
    const args = ['destroy', '--stack', STACK, '--manifest', manifest, '--time-scale', String(TIME_SCALE), '--yes'];
    const r = await runCli(args, { cwd: dir, env: { AWS_ENDPOINT_URL: deadUrl } });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.deepEqual((await stackResources(suite.sb, STACK)).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest), false);
  });
});
