import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config.js';
import { ManifestStore } from '../../src/engine/manifest.js';
import { runCli, scratchDir } from './cli.js';

/**
 * `three-tier cost` as a user runs it: the real CLI as a subprocess. It calls no AWS API, so no sandbox is needed:
 * a planned stack comes from flags, a recorded one from a manifest written by the project's own ManifestStore.
 */
const H = 730;

interface CostJson {
  stack: string;
  region: string;
  recorded: boolean;
  manifest: string | null;
  simulated: boolean;
  running: { monthly: number; hourly: number; pricesRegion: string; fallback?: { from: string; to: string }; lines: { id: string; billed: boolean; estimated?: boolean }[] };
  now: { monthly: number; lines: { id: string; billed: boolean; reason?: string }[] };
  paused: { monthly: number };
  pausedDeep: { monthly: number };
  savings: { pause: { monthly: number }; deep: { monthly: number } };
  finalSnapshot: { monthly: number };
}

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 0.011, `${what}: ${a}, expected ${b}`);

describe('three-tier cost', () => {
  const dir = scratchDir('cost');
  // A half-built stack: the network and its NAT gateway and the database exist; the load balancer, the cache
  // and the service were never created.
  const manifest = join(dir, 'half.json');
  before(() => {
    const store = ManifestStore.open(manifest, { config: resolveConfig({ stack: 'half', region: 'eu-west-1' }), endpoint: 'sandbox' });
    store.update('vpc', 'vpc', { status: 'ready', identity: { vpcId: 'vpc-1' } });
    store.update('nat-eip', 'elastic-ip', { status: 'ready', identity: { allocationId: 'eipalloc-1' } });
    store.update('nat-gateway', 'nat-gateway', { status: 'ready', identity: { natGatewayId: 'nat-1' } });
    store.update('database', 'db-instance', { status: 'creating', identity: { dbInstanceIdentifier: 'half-db' } });
    store.update('cache', 'replication-group', { status: 'creating', token: 'half-redis' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prices a planned stack from the flags of up, with --json', async () => {
    const r = await runCli(['cost', '--region', 'us-east-1', '--arch', 'ARM64', '--tasks', '2', '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as CostJson;
    assert.equal(j.recorded, false);
    assert.equal(j.manifest, null);
    const arm2 = 2 * (0.25 * 0.03238 + 0.5 * 0.00356) * H;
    // The secrets: the DB password, the API key, the cache's AUTH token, $0.40 a month each.
    const secrets = 3 * 0.4;
    const rest = (0.045 + 0.005 + 0.0225 + 0.01 + 0.016 + 0.016) * H + 20 * 0.115 + secrets;
    near(j.running.monthly, arm2 + rest, 'running');
    assert.equal(j.now.monthly, 0, 'nothing is billed before up');
    near(j.paused.monthly, (0.0225 + 0.01 + 0.016) * H + 20 * 0.115 + secrets, 'paused');
    near(j.pausedDeep.monthly, 20 * 0.115 + secrets, 'deep');
    near(j.savings.pause.monthly, j.running.monthly - j.paused.monthly, 'pause saves');
    near(j.finalSnapshot.monthly, 20 * 0.095, 'snapshot');
    assert.equal(existsSync(join(dir, '.three-tier')), false, 'cost writes nothing');
  });

  it('says in words when a region has no figures and which region stands in', async () => {
    const r = await runCli(['cost', '--region', 'eu-north-1'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Stack "planned" in eu-north-1 \(planned, not created\): on-demand us-east-1 prices \(no figures for eu-north-1\)/);
    assert.match(r.stdout, /Note: The price table \(as of [\d-]+\) has no figures for eu-north-1; us-east-1 prices are shown instead, so every figure is a guess/);
    assert.match(r.stdout, /^ {2}NAT gateway \* +\$0\.0450 +\$32\.85$/m);
    assert.match(r.stdout, /Deep pause \(three-tier pause --deep\) would leave \$3\.50\/month billed/);
    const j = JSON.parse((await runCli(['cost', '--region', 'eu-north-1', '--json'], { cwd: dir })).stdout) as CostJson;
    assert.deepEqual(j.running.fallback && [j.running.fallback.from, j.running.fallback.to], ['eu-north-1', 'us-east-1']);
    assert.ok(j.running.lines.every((l) => l.estimated === true));
  });

  it('prices a recorded half-built stack: billed now is what exists', async () => {
    const r = await runCli(['cost', '--manifest', manifest, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as CostJson;
    assert.equal(j.recorded, true);
    assert.equal(j.stack, 'half');
    assert.equal(j.region, 'eu-west-1');
    assert.equal(j.simulated, true);
    assert.equal(j.running.pricesRegion, 'eu-west-1');
    const billed = j.now.lines.filter((l) => l.billed).map((l) => l.id).sort();
    assert.deepEqual(billed, ['database-instance', 'database-storage', 'db-secret', 'nat-address', 'nat-gateway']);
    // Ireland: NAT $0.048/h (estimate), address $0.005/h, db.t4g.micro $0.017/h, gp3 $0.127/GB-month, secret $0.40.
    near(j.now.monthly, (0.048 + 0.005 + 0.017) * H + 20 * 0.127 + 0.4, 'billed now');
    near(j.savings.pause.monthly, (0.048 + 0.005 + 0.017) * H, 'pause saves');
    assert.equal(j.now.lines.find((l) => l.id === 'cache')?.reason, 'not created', 'a cache without an AWS identity is not billed');

    const text = await runCli(['cost', '--manifest', manifest], { cwd: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Stack "half" in eu-west-1 \(recorded in .*half\.json\)/);
    assert.match(text.stdout, /It lives in the sandbox: nothing is billed there/);
    assert.match(text.stdout, /Application Load Balancer +\$0\.0252 +\$18\.40 +no \(not created\)/);
    assert.match(text.stdout, /RDS PostgreSQL db\.t4g\.micro \(instance hours\) +\$0\.0170 +\$12\.41 +yes/);
    assert.match(text.stdout, /Billed now: \$0\.0740\/hour, about \$54\.04\/month\./);
  });

  const bad: { name: string; args: string[]; message: RegExp; env?: Record<string, string> }[] = [
    { name: 'a region that is not one', args: ['--region', 'moon-base-1x'], message: /region "moon-base-1x" is not an AWS region name/ },
    { name: 'a task count out of range', args: ['--region', 'us-east-1', '--tasks', '11'], message: /"11" is not a whole number from 1 to 10/ },
    { name: 'an unknown architecture', args: ['--region', 'us-east-1', '--arch', 'RISCV'], message: /Allowed choices are X86_64, ARM64/ },
    { name: 'a bad stack name', args: ['--stack', 'My_Stack', '--region', 'us-east-1'], message: /stack name "My_Stack" does not start with a lowercase letter/ },
    { name: 'a manifest that does not exist', args: ['--manifest', 'nowhere.json'], message: /--manifest nowhere\.json: there is no manifest at .*nowhere\.json/ },
    { name: 'settings of a planned stack for a recorded one', args: ['--manifest', 'half.json', '--tasks', '3'], message: /--tasks price a planned stack, but stack "half" exists .* \(X86_64, 1 task\)/ },
    { name: 'another region than the recorded stack\'s', args: ['--manifest', 'half.json', '--region', 'us-east-1'], message: /--region us-east-1 does not match the region of stack "half", eu-west-1/ },
    { name: 'no region at all', args: [], message: /no AWS region given: pass --region/, env: { AWS_REGION: '', HOME: '/nonexistent-home' } },
  ];
  for (const c of bad) {
    it(`exits 2 on ${c.name}`, async () => {
      const before = readdirSync(dir).sort();
      const r = await runCli(['cost', ...c.args], { cwd: dir, ...(c.env ? { env: c.env } : {}) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.message);
      assert.equal(r.stdout, '', 'no estimate on bad input');
      assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written');
    });
  }
});
