import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { ThreeTierError } from '../../src/errors.js';
import type { EngineEvent, EventSink, ResourceEvent } from '../../src/engine/events.js';
import { readManifest } from '../../src/engine/manifest.js';
import { RESOURCE_TAG, STACK_TAG, type NodeContext } from '../../src/engine/kind.js';
import { natGatewayKind } from '../../src/resources/nat-gateway.js';
import { harness, type Harness } from './harness.js';
import { assertCompleteStack, live } from './expect.js';

/**
 * Interrupted at any point, `up` and `destroy` leave the manifest true and the lock released, and the next run
 * ends in the same stack without duplicates. A lost manifest is recovered by tags and names.
 */
type Point = (e: ResourceEvent) => boolean;

async function interruptedAt(h: Harness, run: 'up' | 'destroy', point: Point): Promise<ResourceEvent> {
  const abort = new AbortController();
  let hit: ResourceEvent | undefined;
  const events: EventSink = (e: EngineEvent) => {
    h.sink(e);
    if (e.type === 'resource' && !abort.signal.aborted && point(e)) {
      hit = e;
      abort.abort();
    }
  };
  const error = await (run === 'up' ? h.up({ events, signal: abort.signal }) : h.destroy({ events, signal: abort.signal })).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(hit, 'the interruption point was reached');
  assert.ok(error instanceof ThreeTierError, `interrupted run throws a ThreeTierError (got ${String(error)})`);
  assert.equal(error.code, 'INTERRUPTED');
  assert.equal(error.kind, 'interrupted');
  assert.equal(existsSync(`${h.manifestPath}.lock`), false, 'the lock is released');
  return hit;
}

const at = (id: string, phase: ResourceEvent['phase'], detail?: RegExp): Point => (e) => e.id === id && e.phase === phase && (detail === undefined || detail.test(e.detail ?? ''));

describe('resume after interruption', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'resume' });
  });
  after(async () => h.close());

  it('up interrupted while the NAT gateway is being created records its token and identity', async () => {
    await interruptedAt(h, 'up', at('nat-gateway', 'creating'));
    const nat = readManifest(h.manifestPath)?.resources['nat-gateway'];
    assert.ok(nat?.token, 'the ClientToken was recorded before the call');
    assert.match(nat?.identity?.['natGatewayId'] ?? '', /^nat-/);
  });

  it('up interrupted while waiting for the database, then while the service is created', async () => {
    await interruptedAt(h, 'up', at('database', 'waiting', /creating/));
    assert.equal(readManifest(h.manifestPath)?.resources['database']?.identity?.['identifier'], 'resume-db');
    await interruptedAt(h, 'up', at('ecs-service', 'creating'));
    const svc = readManifest(h.manifestPath)?.resources['ecs-service'];
    assert.ok(svc?.token && svc.token.length <= 36, 'the service clientToken was recorded first');
  });

  it('the next up finishes the same stack, with no duplicates', async () => {
    const result = await h.up();
    assert.ok(result.url);
    assert.ok(result.unchanged.includes('vpc'));
    assert.ok(result.adopted.includes('ecs-service') || result.unchanged.includes('ecs-service'));
    assertCompleteStack(await h.tagged());
  });

  it('drift is repaired: a revoked ingress rule and a deleted inline policy come back, nothing is duplicated', async () => {
    const m = readManifest(h.manifestPath);
    const ecsGroup = m?.resources['sg-ecs']?.outputs?.['groupId'] ?? '';
    const albGroup = m?.resources['sg-alb']?.outputs?.['groupId'] ?? '';
    await h.clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: ecsGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: albGroup }] }] }),
    );
    await h.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: 'resume-us-east-1-task-execution', PolicyName: 'resume-task-execution' }));
    const result = await h.up();
    assert.ok(result.adopted.includes('sg-ecs') && result.adopted.includes('execution-role'), result.adopted.join(', '));
    assert.deepEqual(result.created, []);
    const group = (await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [ecsGroup] }))).SecurityGroups?.[0];
    assert.deepEqual(group?.IpPermissions?.[0]?.UserIdGroupPairs?.map((p) => p.GroupId), [albGroup]);
    const policy = await h.clients.iam.send(new GetRolePolicyCommand({ RoleName: 'resume-us-east-1-task-execution', PolicyName: 'resume-task-execution' }));
    assert.match(decodeURIComponent(policy.PolicyDocument ?? ''), /secretsmanager:GetSecretValue/);
    assertCompleteStack(await h.tagged());
  });

  it('the NAT gateway ClientToken returns the same gateway when the call is repeated', async () => {
    const m = readManifest(h.manifestPath);
    const rec = m?.resources['nat-gateway'];
    assert.ok(rec?.token);
    const ctx: NodeContext = {
      id: 'nat-gateway',
      config: h.config,
      clients: h.clients,
      timing: h.timing,
      signal: new AbortController().signal,
      outputsOf: (id) => m?.resources[id]?.outputs ?? {},
      recorded: () => rec,
      record: () => undefined,
      tags: () => [
        { Key: STACK_TAG, Value: h.config.stack },
        { Key: RESOURCE_TAG, Value: 'nat-gateway' },
      ],
      progress: () => undefined,
      events: () => undefined,
      finalSnapshot: false,
    };
    const again = await natGatewayKind.create(ctx);
    assert.equal(again['natGatewayId'], rec.identity?.['natGatewayId']);
    assertCompleteStack(await h.tagged());
  });

  it('a lost manifest: up adopts everything by tags and names, creating nothing', async () => {
    renameSync(h.manifestPath, `${h.manifestPath}.lost`);
    const before = await h.calls();
    const result = await h.up();
    const afterCalls = await h.calls();
    assert.deepEqual(result.created, []);
    assert.equal(result.adopted.length, 31);
    const creates = Object.keys(afterCalls.operations).filter((k) => /:(Create|Allocate|Register|Put|Authorize|Associate|Attach|Modify|Update)/.test(k) && (afterCalls.operations[k] ?? 0) > (before.operations[k] ?? 0));
    assert.deepEqual(creates, []);
    assertCompleteStack(await h.tagged());
    assert.deepEqual(readManifest(h.manifestPath)?.config.availabilityZones, readManifest(`${h.manifestPath}.lost`)?.config.availabilityZones);
    rmSync(`${h.manifestPath}.lost`);
  });

  it('destroy interrupted while the NAT gateway is deleted, while the database is, then while interfaces block a subnet', async () => {
    await interruptedAt(h, 'destroy', at('nat-gateway', 'deleting'));
    let m = readManifest(h.manifestPath);
    assert.equal(m?.resources['ecs-service'], undefined, 'the deleted service is forgotten');
    assert.equal(m?.resources['nat-gateway']?.status, 'deleting', 'a NAT gateway still deleting stays in the manifest');
    await interruptedAt(h, 'destroy', at('database', 'deleting'));
    m = readManifest(h.manifestPath);
    assert.ok(m?.resources['database'], 'the database is still known');
    await interruptedAt(h, 'destroy', (e) => e.kind === 'subnet' && e.phase === 'retrying');
    assert.ok(readManifest(h.manifestPath)?.resources['vpc']);
  });

  it('the next destroy finishes: nothing left, manifest removed', async () => {
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    assert.deepEqual(live(await h.tagged()), []);
    assert.equal(existsSync(h.manifestPath), false);
  });

  it('destroy without a manifest finds the stack by tags and names', async () => {
    await h.up();
    assertCompleteStack(await h.tagged());
    rmSync(h.manifestPath);
    const summary = await h.destroy();
    assert.equal(summary.deleted.length, 30, 'every resource but the image (deleted with its repository)');
    assert.deepEqual(live(await h.tagged()), []);
    assert.equal(existsSync(h.manifestPath), false);
  });
});
