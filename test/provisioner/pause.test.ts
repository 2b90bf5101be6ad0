import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeSnapshotsCommand, DescribeReplicationGroupsCommand, type ReplicationGroup } from '@aws-sdk/client-elasticache';
import { DescribeLoadBalancersCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, StartDBInstanceCommand, type DBInstance } from '@aws-sdk/client-rds';
import { readManifest } from '../../src/engine/manifest.js';
import { openStack, pause, planPause, resume, type UpResult } from '../../src/provisioner.js';
import { ResourceType } from '../../src/sandbox/model.js';
import type { ReplicationGroupData } from '../../src/sandbox/services/elasticache/replication-groups.js';
import { AUTOMATIC_RESTART_MS } from '../../src/sandbox/services/rds/instances.js';
import { eventually } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';
import { assertCompleteStack, mutatingCalls, threeTierFailure } from './expect.js';
import { statusWhen } from '../status/support.js';

async function database(h: Harness, id: string): Promise<DBInstance | undefined> {
  return (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
}

async function cache(h: Harness, id: string): Promise<ReplicationGroup | undefined> {
  return (await h.clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0];
}

/** What must survive a pause and a resume untouched: the database's and the cache's identity and endpoints. */
async function dataTier(h: Harness, stack: string): Promise<Record<string, string | undefined>> {
  const db = await database(h, `${stack}-db`);
  const rg = await cache(h, `${stack}-redis`);
  return {
    db: db?.DBInstanceIdentifier,
    dbArn: db?.DBInstanceArn,
    dbResource: db?.DbiResourceId,
    dbAddress: db?.Endpoint?.Address,
    dbSecret: db?.MasterUserSecret?.SecretArn,
    cache: rg?.ReplicationGroupId,
    cacheArn: rg?.ARN,
    cacheHost: rg?.NodeGroups?.[0]?.PrimaryEndpoint?.Address,
  };
}

async function healthyTargets(h: Harness, up: UpResult): Promise<number> {
  const out = await h.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: up.outputs['target-group']?.['arn'] ?? '' }));
  return (out.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
}

/**
 * What the default stack in us-east-1 costs while paused, by hand: the ALB $0.0225/h and its two public IPv4 addresses
 * 2 x $0.005/h, cache.t4g.micro $0.016/h, 20 GB of gp3 at $0.115/GB-month, the DB secret $0.40/month.
 */
// The three secrets (the DB password, the API key, the cache's AUTH token) stay billed while paused.
const plannedPaused = (0.0225 + 2 * 0.005 + 0.016) * 730 + 20 * 0.115 + 3 * 0.4;

describe('pause and resume', () => {
  let h: Harness;
  let up: UpResult;
  let original: Record<string, string | undefined>;
  const out = (id: string, key: string): string => up.outputs[id]?.[key] ?? '';

  before(async () => {
    h = await harness({ stack: 'nap' });
    up = await h.up();
    original = await dataTier(h, 'nap');
  });
  after(async () => h.close());

  it('refuses a stack that has no manifest, changing nothing', async () => {
    const session = openStack(`${h.dir}/nobody.json`, 'pause');
    try {
      const err = await threeTierFailure(planPause(session, h.options({ config: { ...h.config, stack: 'nobody' } })));
      assert.deepEqual([err.code, err.kind], ['NO_SUCH_STACK', 'usage']);
    } finally {
      session.close();
    }
  });

  it('pauses: service at 0, private route removed, NAT gateway and address gone, database stopped; the record says when it restarts', async () => {
    const t0 = Date.now();
    const result = await pause(h.options());
    assert.deepEqual(result.stopped.sort(), ['database', 'ecs-service', 'route-table-private']);
    assert.deepEqual(result.deleted.sort(), ['nat-eip', 'nat-gateway']);

    const manifest = readManifest(h.manifestPath);
    const paused = manifest?.paused;
    assert.ok(paused);
    assert.deepEqual([paused.deep, paused.desiredCount, paused.cacheSnapshot, paused.url], [false, 1, undefined, undefined]);
    assert.ok(Date.parse(paused.since) >= t0 - 1000);
    // AWS restarts the database seven days after the stop (the sandbox runs that week at its time scale).
    const week = AUTOMATIC_RESTART_MS * h.timing.scale;
    const restarts = Date.parse(paused.dbRestartsAt ?? '');
    assert.ok(restarts >= t0 + week - 2000 && restarts <= Date.now() + week + 2000, `restart ${paused.dbRestartsAt}`);
    assert.equal(manifest?.resources['nat-gateway'], undefined, 'the deleted NAT gateway is forgotten');
    assert.equal(manifest?.resources['nat-eip'], undefined, 'the released address is forgotten');

    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'nap', services: ['nap-api'] }))).services?.[0];
    assert.deepEqual([svc?.desiredCount, svc?.runningCount], [0, 0]);
    assert.equal((await database(h, 'nap-db'))?.DBInstanceStatus, 'stopped');
    const nat = (await h.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [out('nat-gateway', 'natGatewayId')] }))).NatGateways?.[0];
    assert.equal(nat?.State, 'deleted');
    await assert.rejects(h.clients.ec2.send(new DescribeAddressesCommand({ AllocationIds: [out('nat-eip', 'allocationId')] })));
    const rt = (await h.clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [out('route-table-private', 'routeTableId')] }))).RouteTables?.[0];
    assert.equal(rt?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0'), undefined);
    // A pause that is not deep keeps the load balancer and the cache.
    assert.equal((await cache(h, 'nap-redis'))?.Status, 'available');
    assert.equal((await h.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['nap-alb'] }))).LoadBalancers?.length, 1);

    // What status reads of the record: paused (not drifted), since when, and when the database restarts.
    const s = await statusWhen(h, (x) => x.verdict === 'paused', 'the paused verdict');
    assert.deepEqual([s.drift, s.leaks], [[], []]);
    assert.ok(s.reasons.includes(`paused since ${paused.since}; AWS starts the stopped database again on its own on ${paused.dbRestartsAt ?? ''}`), s.reasons.join(' | '));
    // status sums each line's rounded hourly figure: within two cents.
    assert.ok(Math.abs(s.cost.monthly - plannedPaused) < 0.02, `${s.cost.monthly}`);
  });

  it('plans a second pause as nothing to change, with the cost of the paused stack, and makes no call that changes anything', async () => {
    const session = openStack(h.manifestPath, 'pause');
    try {
      const plan = await planPause(session, h.options());
      assert.deepEqual(plan.steps.map((s) => s.action), plan.steps.map(() => 'none'));
      assert.ok(plan.already);
      assert.ok(Math.abs(plan.cost.after.monthly - plannedPaused) < 0.011, `${plan.cost.after.monthly}`);
      assert.equal(plan.cost.after.monthly, plan.cost.before.monthly);
      const billed = plan.cost.after.lines.filter((l) => l.billed).map((l) => l.id).sort();
      assert.deepEqual(billed, ['api-key-secret', 'cache', 'database-storage', 'db-secret', 'load-balancer', 'load-balancer-addresses', 'redis-auth-secret']);
    } finally {
      session.close();
    }
    const calls = await h.calls();
    const again = await pause(h.options());
    assert.deepEqual([again.stopped, again.deleted], [[], []]);
    assert.deepEqual(mutatingCalls(calls, await h.calls()), {});
  });

  it('stops the database again when AWS has started it after seven days', async () => {
    // What AWS does on its own a week after the stop.
    await h.clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'nap-db' }));
    await eventually(async () => ((await database(h, 'nap-db'))?.DBInstanceStatus === 'available' ? true : undefined), 10_000, 'the database started');
    const session = openStack(h.manifestPath, 'pause');
    try {
      const plan = await planPause(session, h.options());
      assert.deepEqual(plan.steps.filter((s) => s.action !== 'none').map((s) => `${s.id} ${s.action}`), ['database stop']);
      assert.match(plan.notes.join(' '), /started it again after seven days/);
    } finally {
      session.close();
    }
    const result = await pause(h.options());
    assert.deepEqual(result.stopped, ['database']);
    assert.equal((await database(h, 'nap-db'))?.DBInstanceStatus, 'stopped');
  });

  it('resumes to a healthy stack with the same database instance and replication group, never recreated', async () => {
    const calls = await h.calls();
    const result = await resume(h.options());
    assert.equal(result.resumed, true);
    assert.equal(result.url, up.url, 'a pause that is not deep keeps the URL');
    assert.deepEqual(await dataTier(h, 'nap'), original);
    const made = Object.keys(mutatingCalls(calls, await h.calls()));
    assert.ok(!made.some((c) => /CreateDBInstance|CreateReplicationGroup|RestoreDBInstance/.test(c)), made.join(', '));
    assert.ok(made.some((c) => /StartDBInstance/.test(c)) && made.some((c) => /CreateNatGateway/.test(c)), made.join(', '));
    assertCompleteStack(await h.tagged());
    assert.equal(await healthyTargets(h, up), 1);
    const manifest = readManifest(h.manifestPath);
    assert.equal(manifest?.paused, undefined);
    const rt = (await h.clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [out('route-table-private', 'routeTableId')] }))).RouteTables?.[0];
    assert.equal(rt?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId, manifest?.resources['nat-gateway']?.identity?.['natGatewayId']);
  });

  it('resumes a second time as a no-op, with no call that changes anything', async () => {
    const calls = await h.calls();
    const again = await resume(h.options());
    assert.equal(again.resumed, false);
    assert.equal(again.url, up.url);
    assert.deepEqual(mutatingCalls(calls, await h.calls()), {});
  });

  it('pauses deep: load balancer and cache deleted after a snapshot; resume restores the cache from it, at the same address, and a new URL', async () => {
    const result = await pause({ ...h.options(), deep: true });
    assert.deepEqual(result.deleted.sort(), ['cache', 'listener', 'load-balancer', 'nat-eip', 'nat-gateway']);
    const paused = readManifest(h.manifestPath)?.paused;
    assert.equal(paused?.deep, true);
    assert.equal(paused?.url, up.url);
    const snapshot = paused?.cacheSnapshot ?? '';
    assert.match(snapshot, /^nap-redis-paused-\d{14}$/);
    const snap = (await h.clients.elasticache.send(new DescribeSnapshotsCommand({ SnapshotName: snapshot }))).Snapshots?.[0];
    assert.deepEqual([snap?.SnapshotStatus, snap?.ReplicationGroupId], ['available', 'nap-redis']);
    await assert.rejects(cache(h, 'nap-redis'));
    assert.deepEqual((await h.clients.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);

    const calls = await h.calls();
    assert.deepEqual((await pause({ ...h.options(), deep: true })).deleted, []);
    assert.deepEqual((await pause(h.options())).deleted, [], 'a pause that is not deep leaves a deep pause as it is');
    assert.deepEqual(mutatingCalls(calls, await h.calls()), {});

    const back = await resume(h.options());
    assert.equal(back.resumed, true);
    assert.notEqual(back.url, up.url, 'a new load balancer, a new URL');
    const now = await dataTier(h, 'nap');
    assert.deepEqual({ ...now, cacheArn: undefined }, { ...original, cacheArn: undefined }, 'the same database, and a cache under the same id and address');
    assert.equal(h.sb.world.get<ReplicationGroupData>(ResourceType.replicationGroup, 'nap-redis')?.data.restoredFrom, snapshot, 'the cache was restored from the snapshot');
    await eventually(
      () => h.clients.elasticache.send(new DescribeSnapshotsCommand({ SnapshotName: snapshot })).then(() => undefined, () => true),
      10_000,
      'the snapshot deleted once the cache is back',
    );
    assertCompleteStack(await h.tagged());
    assert.equal(readManifest(h.manifestPath)?.paused, undefined);
  });
});

describe('destroy of a paused stack', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'gone' });
  });
  after(async () => h.close());

  it('deletes a paused stack, its stopped database kept as a final snapshot', async () => {
    await h.up();
    await pause(h.options());
    const result = await h.destroy();
    assert.deepEqual(result.leftovers, []);
    assert.equal(result.snapshots.length, 1, 'the final snapshot of the stopped database');
    assert.equal(existsSync(h.manifestPath), false);
  });

  it('deletes a deep-paused stack and the snapshot its pause took of the cache', async () => {
    await h.up();
    await pause({ ...h.options(), deep: true });
    const snapshot = readManifest(h.manifestPath)?.paused?.cacheSnapshot ?? '';
    const result = await h.destroy();
    assert.ok(result.deleted.includes(`cache-snapshot:${snapshot}`), result.deleted.join(', '));
    await eventually(
      () => h.clients.elasticache.send(new DescribeSnapshotsCommand({ SnapshotName: snapshot })).then(() => undefined, () => true),
      10_000,
      'the cache snapshot gone',
    );
    assert.deepEqual((await h.tagged()).filter((r) => !['deleted', 'INACTIVE', 'STOPPED', 'scheduled-deletion'].includes(r.state)).map((r) => `${r.type} ${r.id}`), []);
  });
});
