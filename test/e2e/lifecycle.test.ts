import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { ECSClient, DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, sandbox } from '../sandbox/helpers.js';
import { assertCompleteStack, UP_CHANGES } from '../provisioner/expect.js';
import { calls, mutatingCalls, runCli, scratchDir, stackArgs, stackResources, taggedWith, TIME_SCALE } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';


describe('three-tier up / destroy as a subprocess against the sandbox', () => {
  let sb: Sandbox;
  const dir = scratchDir('e2e');
  const manifest = join(dir, 'shop.json');
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE } });
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('up creates the whole seed architecture, wired as designed, and prints the URL', async () => {
    const before = await calls(sb);
    const r = await runCli(['up', ...stackArgs(sb, 'shop', manifest), '--image', IMAGE, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.deepEqual(mutatingCalls(before, await calls(sb)), UP_CHANGES, 'each resource created once, nothing else changed');
    const result = JSON.parse(r.stdout) as { url: string; created: string[] };
    assert.match(result.url, /^http:\/\/shop-alb-.*\.elb\.amazonaws\.com$/);
    assert.equal(result.created.length, 31);
    assertCompleteStack(await taggedWith(sb, 'shop'));
    assert.equal(statSync(manifest).mode & 0o777, 0o600);

    const cfg = clientConfig(sb);
    const groups = (await new EC2Client(cfg).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['shop'] }] }))).SecurityGroups ?? [];
    const byName = new Map(groups.map((g) => [g.GroupName, g]));
    const alb = byName.get('shop-alb');
    const ecs = byName.get('shop-ecs');
    assert.deepEqual(alb?.IpPermissions?.map((p) => [p.FromPort, p.IpRanges?.map((x) => x.CidrIp)]), [[80, ['0.0.0.0/0']]]);
    for (const [name, port, from] of [['shop-ecs', 3000, alb], ['shop-rds', 5432, ecs], ['shop-redis', 6379, ecs]] as const) {
      const perms = byName.get(name)?.IpPermissions ?? [];
      assert.equal(perms.length, 1, name);
      assert.equal(perms[0]?.FromPort, port, name);
      assert.deepEqual(perms[0]?.UserIdGroupPairs?.map((p) => p.GroupId), [from?.GroupId], `${name} admits only its upstream group`);
      assert.equal(perms[0]?.IpRanges?.length ?? 0, 0, `${name} names no CIDR`);
    }
    const tg = (await new ElasticLoadBalancingV2Client(cfg).send(new DescribeTargetGroupsCommand({ Names: ['shop-tg'] }))).TargetGroups?.[0];
    assert.equal(tg?.TargetType, 'ip');
    assert.equal(tg?.HealthCheckPath, '/health');
    const ecsClient = new ECSClient(cfg);
    const service = (await ecsClient.send(new DescribeServicesCommand({ cluster: 'shop', services: ['shop-api'] }))).services?.[0];
    assert.deepEqual(service?.deploymentConfiguration?.deploymentCircuitBreaker, { enable: true, rollback: true });
    assert.equal(service?.networkConfiguration?.awsvpcConfiguration?.assignPublicIp, 'DISABLED');
    assert.equal(service?.deployments?.[0]?.rolloutState, 'COMPLETED');
    const td = (await ecsClient.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition ?? '' }))).taskDefinition;
    const secretRef = td?.containerDefinitions?.[0]?.secrets?.find((s) => s.name === 'DB_PASSWORD')?.valueFrom ?? '';
    assert.match(secretRef, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-.+:password::$/);

    // The password RDS manages is readable through Secrets Manager, and appears nowhere in the manifest or the output.
    const secret = await new SecretsManagerClient(cfg).send(new GetSecretValueCommand({ SecretId: secretRef.replace(/:password::$/, '') }));
    const password = (JSON.parse(secret.SecretString ?? '{}') as { password?: string }).password ?? '';
    assert.ok(password.length >= 8);
    assert.equal(readFileSync(manifest, 'utf8').includes(password), false);
    assert.equal(r.stderr.includes(password) || r.stdout.includes(password), false);
  });

  it('up again on the complete stack changes nothing and says so', async () => {
    const before = await calls(sb);
    const r = await runCli(['up', ...stackArgs(sb, 'shop', manifest), '--image', IMAGE], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, /Stack "shop" is complete; nothing changed\./);
    assert.deepEqual(mutatingCalls(before, await calls(sb)), {}, 'only reads on a no-op up');
    assertCompleteStack(await taggedWith(sb, 'shop'));
  });

  it('destroy deletes everything tagged with the stack and removes the manifest', async () => {
    const r = await runCli(['destroy', ...stackArgs(sb, 'shop', manifest), '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const result = JSON.parse(r.stdout) as { deleted: string[]; leftovers: string[] };
    assert.deepEqual(result.leftovers, []);
    assert.deepEqual((await stackResources(sb, 'shop')).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest), false);
  });

  it('up and destroy still succeed with throttling, 5xx errors, eventual consistency and lingering interfaces', async () => {
    const faults = await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 0.08, errorRate: 0.04, consistencyWindowMs: 150, eniLingerMs: 600, seed: 42 });
    assert.equal(faults.status, 200);
    try {
      const m = join(dir, 'faulty.json');
      const before = await calls(sb);
      const up = await runCli(['up', ...stackArgs(sb, 'faulty', m), '--image', IMAGE], { cwd: dir });
      assert.equal(up.code, 0, up.stderr.slice(-3000));
      assertCompleteStack(await taggedWith(sb, 'faulty'));
      // Throttled and failed calls are counted and retried: the same changes as without faults, some more than once.
      const changes = mutatingCalls(before, await calls(sb));
      assert.deepEqual(Object.keys(changes).sort(), Object.keys(UP_CHANGES).sort());
      for (const [op, n] of Object.entries(UP_CHANGES)) assert.ok((changes[op] ?? 0) >= n, `${op}: ${changes[op]} call(s), at least ${n}`);
      const down = await runCli(['destroy', ...stackArgs(sb, 'faulty', m)], { cwd: dir });
      assert.equal(down.code, 0, down.stderr.slice(-3000));
      // The kept snapshot's delete command goes to the same endpoint, never to the account the AWS CLI defaults to.
      assert.match(down.stderr, new RegExp(`Delete it: +aws --endpoint-url ${sb.endpoint.replace(/[.]/g, '\\.')} rds delete-db-snapshot `));
      assert.deepEqual((await stackResources(sb, 'faulty')).map((x) => `${x.type} ${x.id}`), []);
      assert.equal(existsSync(m), false);
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 0, errorRate: 0, consistencyWindowMs: 0, eniLingerMs: null });
    }
  });
});

describe('three-tier up --sandbox on a fresh directory', () => {
  const dir = scratchDir('rehearsal');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rehearses up and destroy with the built-in simulator, keeps the database as a snapshot, and restores from it', async () => {
    const args = ['--stack', 'demo', '--sandbox', '--time-scale', String(TIME_SCALE), '--yes'];
    const up = await runCli(['up', ...args], { cwd: dir, env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_REGION: '' } });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    assert.match(up.stdout.trim(), /^http:\/\/demo-alb-.*\.elb\.amazonaws\.com$/);
    assert.ok(existsSync(join(dir, '.three-tier', 'demo.json')));
    assert.ok(existsSync(join(dir, '.three-tier', 'demo.sandbox.json')), 'the simulated cloud persists beside the manifest');

    const down = await runCli(['destroy', ...args, '--json'], { cwd: dir });
    assert.equal(down.code, 0, down.stderr.slice(-2000));
    const kept = (JSON.parse(down.stdout) as { snapshots: { id: string; status: string; allocatedGb: number; monthlyCost: number }[] }).snapshots;
    assert.equal(kept.length, 1, 'the database is kept as a final snapshot by default');
    assert.match(kept[0]?.id ?? '', /^demo-db-final-\d{8}-\d{6}$/);
    assert.deepEqual([kept[0]?.status, kept[0]?.allocatedGb], ['available', 20]);
    assert.ok((kept[0]?.monthlyCost ?? 0) > 0);
    assert.equal(existsSync(join(dir, '.three-tier', 'demo.json')), false);
    assert.ok(existsSync(join(dir, '.three-tier', 'demo.sandbox.json')), 'the simulated cloud keeps the snapshot');

    const restore = await runCli(['up', ...args, '--from-snapshot', kept[0]?.id ?? '', '--json'], { cwd: dir });
    assert.equal(restore.code, 0, restore.stderr.slice(-2000));
    assert.ok((JSON.parse(restore.stdout) as { created: string[] }).created.includes('database'));
    assert.match(restore.stderr, new RegExp(`restored from the snapshot ${kept[0]?.id ?? ''}`));

    // As a person reads it: the snapshot still kept, how to restore it, and how to delete it where it is (the
    // rehearsal's file, never an AWS command: there is no such snapshot on AWS).
    const last = await runCli(['destroy', ...args, '--skip-final-snapshot'], { cwd: dir });
    assert.equal(last.code, 0, last.stderr.slice(-2000));
    const keptLines = last.stderr.split('\n').filter((l) => l.startsWith('Kept DB snapshot'));
    assert.deepEqual(keptLines.map((l) => l.split(' ')[3]), [kept[0]?.id], 'no new snapshot; the first is still kept');
    assert.match(last.stderr, new RegExp(`Restore it: +npx three-tier up --stack demo --sandbox .*--from-snapshot ${kept[0]?.id ?? ''}`));
    assert.match(last.stderr, /Delete it: +rm \.three-tier\/demo\.sandbox\.json /);
    assert.doesNotMatch(last.stderr, /aws rds delete-db-snapshot/);
    assert.equal(existsSync(join(dir, '.three-tier', 'demo.json')), false);
  });
});
