import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteNatGatewayCommand, DeleteRouteCommand, DescribeNatGatewaysCommand, ReleaseAddressCommand } from '@aws-sdk/client-ec2';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { StopDBInstanceCommand } from '@aws-sdk/client-rds';
import { ManifestStore } from '../../src/engine/manifest.js';
import { lockHolder } from '../../src/engine/manifest.js';
import type { UpResult } from '../../src/provisioner.js';
import { manifestSummary } from '../../src/status/summary.js';
import { eventually } from '../sandbox/helpers.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { resource, statusWhen } from './support.js';

/**
 * A paused stack is paused, not drifted: what `three-tier pause` takes down (issue 9; done here with the SDK as pause
 * will do it, and recorded in the manifest's `paused`) shows as paused, costs nothing, and raises no drift.
 */
describe('status of a paused stack', () => {
  let h: Harness;
  let up: UpResult;
  const out = (id: string, key: string): string => up.outputs[id]?.[key] ?? '';
  before(async () => {
    h = await harness({ stack: 'nap' });
    up = await h.up();
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'nap', service: 'nap-api', desiredCount: 0 }));
    await h.clients.ec2.send(new DeleteRouteCommand({ RouteTableId: out('route-table-private', 'routeTableId'), DestinationCidrBlock: '0.0.0.0/0' }));
    const nat = out('nat-gateway', 'natGatewayId');
    await h.clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
    await eventually(async () => ((await h.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways?.[0]?.State === 'deleted' ? true : undefined), 10_000, 'the NAT gateway deleted');
    // AWS refuses the release for a while after the NAT gateway is gone (aws-facts.md, Elastic IP).
    await eventually(() => h.clients.ec2.send(new ReleaseAddressCommand({ AllocationId: out('nat-eip', 'allocationId') })).then(() => true, () => undefined), 10_000, 'the address released');
    await h.clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'nap-db' }));
    ManifestStore.open(h.manifestPath, { config: h.config }).setPaused({ since: new Date().toISOString(), deep: false, desiredCount: 1 });
  });
  after(async () => h.close());

  it('shows what pause took down as paused, with no drift, and the lower burn rate', async () => {
    const s = await statusWhen(h, (x) => x.verdict === 'paused', 'the paused verdict');
    assert.deepEqual([s.drift, s.leaks, s.errors], [[], [], []]);
    for (const id of ['nat-gateway', 'nat-eip', 'database', 'ecs-service']) assert.equal(resource(s, id).health, 'paused', id);
    assert.equal(resource(s, 'route-table-private').state, 'paused (no default route)');
    assert.equal(resource(s, 'load-balancer').health, 'ok', 'a pause that is not deep keeps the load balancer');
    assert.equal(s.tiers.rds, 'paused');
    const line = (re: RegExp) => s.cost.lines.find((l) => re.test(l.item));
    // The reasons are the cost model's (src/cost.ts), the same words `cost` and `pause` use.
    for (const [re, why] of [[/^NAT gateway/, /deleted by pause/], [/IPv4 address of the NAT/, /released by pause/], [/Fargate/, /scaled to 0 tasks by pause/], [/^RDS PostgreSQL/, /stopped by pause/]] as const) {
      assert.equal(line(re)?.billed, false, String(re));
      assert.match(line(re)?.note ?? '', why);
    }
    assert.ok(s.cost.notes.some((n) => /7 days/.test(n)), 'the 7-day restart of a stopped instance is said');
    for (const re of [/Load Balancer/, /RDS gp3 storage/, /ElastiCache/, /Secrets Manager/]) assert.equal(line(re)?.billed, true, String(re));
    assert.equal(s.cost.partial, true);
    assert.ok(s.cost.hourly < s.cost.fullHourly);
  });

  it('lists it as paused, from the manifest alone', () => {
    const manifest = ManifestStore.open(h.manifestPath, { config: h.config }).manifest;
    const row = manifestSummary(manifest, h.manifestPath, undefined);
    assert.equal(row.state, 'paused');
    assert.ok(row.hourly < 0.1, `${row.hourly}`);
    assert.equal(lockHolder(h.manifestPath), undefined);
  });
});
