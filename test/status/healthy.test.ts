import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AllocateAddressCommand, ReleaseAddressCommand } from '@aws-sdk/client-ec2';
import { estimateMonthlyCost } from '../../src/cost.js';
import { STACK_TAG } from '../../src/engine/kind.js';
import type { UpResult } from '../../src/provisioner.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { resource, statusOf } from './support.js';

/**
 * A healthy stack, as `three-tier status` sees it against the sandbox: every resource there with its AWS id, the
 * service and its targets healthy, the data tier's endpoints, the full burn rate; at most 16 read-only calls,
 * batched per service, without the lock. Then a leaked tagged resource, and the stack found with no manifest.
 */
describe('status of a healthy stack', () => {
  let h: Harness;
  let up: UpResult;
  before(async () => {
    h = await harness({ stack: 'fine' });
    up = await h.up();
  });
  after(async () => h.close());

  it('says healthy, with every resource, the service, its targets, the data tier, region, account and URL', async () => {
    const s = await statusOf(h);
    assert.equal(s.verdict, 'healthy', s.reasons.join('; '));
    assert.deepEqual(s.reasons, []);
    assert.equal(s.foundBy, 'manifest');
    assert.equal(s.resources.length, 31);
    for (const r of s.resources) {
      assert.equal(r.health, 'ok', `${r.id}: ${r.state}`);
      assert.ok(r.awsId, `${r.id} has its AWS id`);
    }
    assert.equal(resource(s, 'vpc').awsId, up.outputs['vpc']?.['vpcId']);
    assert.equal(resource(s, 'nat-gateway').state, 'available');
    assert.equal(resource(s, 'database').state, 'available');
    assert.equal(s.url, up.url);
    assert.equal(s.region, 'us-east-1');
    assert.equal(s.account, '123456789012');
    assert.deepEqual(s.tiers, { alb: 'ok', ecs: 'ok', rds: 'ok', redis: 'ok' });
    assert.equal(s.service?.running, 1);
    assert.equal(s.service?.desired, 1);
    assert.equal(s.service?.deployments[0]?.rolloutState, 'COMPLETED');
    assert.equal(s.targets.length, 1);
    assert.equal(s.targets[0]?.state, 'healthy');
    assert.equal(s.database?.endpoint, `${up.outputs['database']?.['address']}:5432`);
    assert.equal(s.database?.encrypted, true);
    assert.equal(s.database?.publiclyAccessible, false);
    assert.equal(s.cache?.endpoint, `${up.outputs['cache']?.['host']}:6379`);
    assert.equal(s.cache?.transitEncryption, true);
    assert.deepEqual([s.drift, s.leaks, s.diagnoses, s.errors], [[], [], [], []]);
  });

  it('burns what the whole stack costs, as the cost table says', async () => {
    const s = await statusOf(h);
    const full = estimateMonthlyCost(h.config);
    assert.equal(s.cost.hourly, full.hourly);
    assert.equal(s.cost.monthly, full.monthly);
    assert.equal(s.cost.partial, false);
    assert.ok(s.cost.lines.every((l) => l.billed));
  });

  it('reads the whole stack in at most 16 calls, one per resource type (two IAM roles), only reads, and never takes the lock', async () => {
    const manifestBefore = readFileSync(h.manifestPath, 'utf8');
    const before = await h.calls();
    await statusOf(h);
    const afterCalls = await h.calls();
    const made = Object.entries(afterCalls.operations)
      .map(([op, n]) => [op, n - (before.operations[op] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const total = made.reduce((s, [, n]) => s + n, 0);
    assert.ok(total <= 16, `${total} calls: ${made.map(([op, n]) => `${op} x${n}`).join(', ')}`);
    for (const [op, n] of made) {
      assert.match(op.split(':')[1] ?? '', /^(Describe|Get|List)/, `${op} is read-only`);
      // IAM has no batched read of roles: one GetRole for each of the two (the execution role, the task role).
      assert.equal(n, op === 'iam:GetRole' ? 2 : 1, `${op} is made once: batched`);
    }
    assert.equal(made.filter(([op]) => op.startsWith('ec2:')).length, 4, 'four EC2 calls for all its resources');
    assert.equal(readFileSync(h.manifestPath, 'utf8'), manifestBefore, 'the manifest is untouched');
    assert.equal(existsSync(`${h.manifestPath}.lock`), false, 'no lock was taken');
  });

  it('says a change is in progress while a live process holds the lock, and ignores a stale one', async () => {
    const lock = `${h.manifestPath}.lock`;
    try {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'up', startedAt: '2026-01-01T00:00:00.000Z' }));
      const held = await statusOf(h);
      assert.deepEqual([held.lock?.pid, held.lock?.command, held.lock?.since], [process.pid, 'up', '2026-01-01T00:00:00.000Z']);
      assert.ok(held.reasons.some((r) => /a three-tier up is changing the stack \(pid \d+/.test(r)), held.reasons.join('; '));
      // A pid that no longer runs on this host: not held (the next command takes it over).
      writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'destroy', startedAt: '2026-01-01T00:00:00.000Z' }));
      const stale = await statusOf(h);
      assert.equal(stale.lock, undefined);
      assert.equal(stale.verdict, 'healthy');
      assert.ok(existsSync(lock), 'status read the lock and left it alone');
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it('reports a leaked resource tagged with the stack, with what it costs', async () => {
    const eip = await h.clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: STACK_TAG, Value: 'fine' }] }] }));
    try {
      const s = await statusOf(h);
      assert.equal(s.verdict, 'drifted');
      const leak = s.leaks.find((l) => l.awsId === eip.AllocationId);
      assert.ok(leak, JSON.stringify(s.leaks));
      const ipv4 = estimateMonthlyCost(h.config).lines.find((l) => /IPv4 address of the NAT/.test(l.item));
      assert.equal(leak.hourly, ipv4?.hourly, 'a public IPv4 address costs what the table says');
      assert.equal(leak.monthly, ipv4?.monthly);
      assert.equal(leak.adoptable, false);
      assert.match(leak.fix, new RegExp(`aws ec2 release-address --allocation-id ${eip.AllocationId}`));
      assert.equal(s.cost.leaksHourly, ipv4?.hourly);
    } finally {
      await h.clients.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    }
  });

  it('finds the stack by its tags when there is no manifest, the same resources with the same ids', async () => {
    const withManifest = await statusOf(h);
    const found = await statusOf(h, { withoutManifest: true });
    assert.equal(found.foundBy, 'tags');
    assert.equal(found.verdict, 'healthy', found.reasons.join('; '));
    assert.deepEqual(
      found.resources.filter((r) => r.id !== 'image' && r.id !== 'task-definition').map((r) => [r.id, r.awsId, r.health]),
      withManifest.resources.filter((r) => r.id !== 'image' && r.id !== 'task-definition').map((r) => [r.id, r.awsId, r.health]),
    );
    assert.equal(found.url, withManifest.url);
    assert.ok(statSync(h.manifestPath).isFile(), 'the manifest was not needed, and not touched');
  });
});
