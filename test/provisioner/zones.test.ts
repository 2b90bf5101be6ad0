import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { createClients, destroyClients } from '../../src/aws/clients.js';
import { resolveConfig } from '../../src/config.js';
import { readManifest } from '../../src/engine/manifest.js';
import { ThreeTierError } from '../../src/errors.js';
import { openStack, planUp, type UpPlan } from '../../src/provisioner.js';
import { chooseAvailabilityZones } from '../../src/zones.js';
import { formatPlan } from '../../cli/render/plan.js';
import { control, sandbox } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';
import { mutatingCalls, mutatingOps, type Calls } from './expect.js';

/**
 * The stack's two zones offer what it needs: a zone whose RDS lacks the DB class is skipped (and the plan says so),
 * Fargate's documented zone ids are respected, and a region without two such zones is refused before anything is
 * made. Against the sandbox's per-zone offerings, through the real SDK.
 */
describe('availability zones that offer what the stack needs', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'zones' });
  });
  after(async () => h.close());

  async function plan(): Promise<UpPlan> {
    const session = openStack(h.manifestPath, 'up');
    try {
      return await planUp(session, h.options({ config: resolveConfig({ stack: 'zones', region: 'us-east-1' }, readManifest(h.manifestPath)?.config) }));
    } finally {
      session.close();
    }
  }

  it('a region without two zones offering the DB class is refused, naming each zone and why, and nothing is made', async () => {
    const lacking = Object.fromEntries(['use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'].map((id) => [id, ['db.t4g.micro']]));
    await control(h.sb, 'POST', '/_sandbox/offerings', lacking);
    await assert.rejects(plan(), (err: unknown) => {
      assert.ok(err instanceof ThreeTierError);
      assert.equal(err.code, 'REGION_CANNOT_HOST');
      assert.equal(err.kind, 'usage');
      assert.match(err.message, /region us-east-1 cannot host the stack: it needs two availability zones offering db\.t4g\.micro and Fargate, and has 1 \(us-east-1a\)/);
      assert.match(err.message, /us-east-1b \(use1-az2\): RDS offers no db\.t4g\.micro \(PostgreSQL 16\.\d+\) there/);
      assert.ok(err.hints.some((x) => /--region/.test(x)));
      return true;
    });
    assert.deepEqual(mutatingOps((await h.calls()) as Calls), []);
  });

  it('a zone without the DB class is skipped: the plan says which and why, and the subnets go to the two chosen', async () => {
    await control(h.sb, 'POST', '/_sandbox/offerings', { 'use1-az2': ['db.t4g.micro'] });
    const p = await plan();
    assert.deepEqual(p.zones.names, ['us-east-1a', 'us-east-1c']);
    assert.deepEqual(p.zones.ids, ['use1-az1', 'use1-az3']);
    assert.deepEqual(p.zones.skipped?.map((z) => z.name), ['us-east-1b']);
    const text = formatPlan(p);
    assert.match(text, /\(zones us-east-1a, us-east-1c\)/);
    assert.match(text, /Zones: the first two zones offering db\.t4g\.micro and Fargate \(us-east-1a is use1-az1, us-east-1c is use1-az3\)/);
    assert.match(text, /skipped us-east-1b \(use1-az2\): RDS offers no db\.t4g\.micro/);

    await h.up();
    assert.deepEqual(readManifest(h.manifestPath)?.config.availabilityZones, ['us-east-1a', 'us-east-1c']);
    const subnets = await h.clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['zones'] }] }));
    assert.deepEqual([...new Set(subnets.Subnets?.map((s) => s.AvailabilityZone))].sort(), ['us-east-1a', 'us-east-1c']);
    // Once recorded, the zones stay, whatever the offerings say later: a subnet never moves.
    await control(h.sb, 'POST', '/_sandbox/offerings', { 'use1-az3': ['db.t4g.micro'] });
    const again = await plan();
    assert.deepEqual(again.zones, { names: ['us-east-1a', 'us-east-1c'], chosenNow: false });
    await control(h.sb, 'POST', '/_sandbox/offerings', {});
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
  });

  it('ElastiCache lists no node types per zone: a node type neither zone offers stops up with what to change, and the hint works', async () => {
    await control(h.sb, 'POST', '/_sandbox/offerings', { 'use1-az1': ['cache.t4g.micro'], 'use1-az2': ['cache.t4g.micro'] });
    try {
      await assert.rejects(h.up(), (err: unknown) => {
        assert.ok(err instanceof ThreeTierError);
        assert.equal(err.code, 'CACHE_NODE_TYPE_NOT_OFFERED');
        assert.match(err.message, /ElastiCache offers no cache\.t4g\.micro in us-east-1a and us-east-1b, the stack's zones: cache\.t4g\.micro \(VPC\) is not currently supported in the availability zone us-east-1a/);
        assert.ok(err.hints.some((x) => x.includes('--cache-node-type cache.t3.micro')), err.hints.join(' | '));
        return true;
      });
      const config = resolveConfig({ stack: 'zones', region: 'us-east-1', cacheNodeType: 'cache.t3.micro' }, readManifest(h.manifestPath)?.config);
      const result = await h.up({ config });
      assert.ok(result.url);
    } finally {
      await control(h.sb, 'POST', '/_sandbox/offerings', {});
    }
    assert.deepEqual((await h.destroy()).leftovers, []);
  });

  it('a PostgreSQL major the region does not offer is refused (usage), naming the region, the version and how to list what it offers', async () => {
    const config = { ...resolveConfig({ stack: 'zones', region: 'us-east-1' }), dbEngineVersion: '10' };
    const before = (await h.calls()) as Calls;
    await assert.rejects(chooseAvailabilityZones(h.clients, config), (err: unknown) => {
      assert.ok(err instanceof ThreeTierError);
      assert.equal(err.code, 'DB_VERSION_NOT_OFFERED');
      assert.equal(err.kind, 'usage');
      assert.equal(err.message, 'RDS in us-east-1 offers no PostgreSQL 10');
      assert.ok(err.hints.some((x) => x.includes('aws rds describe-db-engine-versions --engine postgres --region us-east-1')), err.hints.join(' | '));
      return true;
    });
    assert.deepEqual(mutatingCalls(before, (await h.calls()) as Calls), {});
    // A major it offers resolves to that major's default minor, as DescribeDBEngineVersions names it.
    const offered = await chooseAvailabilityZones(h.clients, { ...config, dbEngineVersion: '15' });
    assert.equal(offered.names.length, 2);
  });

  it("in a region where Fargate runs only in some zone ids, the zones are chosen from those (ECS guide's table)", async () => {
    const sb = await sandbox({ world: { region: 'us-west-1' } });
    const clients = createClients({ region: 'us-west-1', endpoint: sb.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const chosen = await chooseAvailabilityZones(clients, resolveConfig({ stack: 'west', region: 'us-west-1' }));
      assert.deepEqual(chosen.ids, ['usw1-az1', 'usw1-az3']);
      assert.deepEqual(chosen.names, ['us-west-1a', 'us-west-1c']);
      assert.deepEqual(chosen.skipped, [{ name: 'us-west-1b', id: 'usw1-az2', why: 'Fargate does not run there' }]);
    } finally {
      destroyClients(clients);
      await sb.close();
    }
  });
});
