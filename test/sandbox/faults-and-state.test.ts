import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, CreateNatGatewayCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNatGatewaysCommand, DescribeVpcsCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SecretsManagerClient, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, rejectsWith, resources, sandbox } from './helpers.js';

/** The fault and persistence promises of docs/sandbox.md, held through the real SDK clients. */
describe('sandbox faults', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('throttles each protocol with its own error code', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 1 });
    const one = { maxAttempts: 1 };
    await rejectsWith(new EC2Client(clientConfig(sb, one)).send(new DescribeVpcsCommand({})), 'RequestLimitExceeded');
    await rejectsWith(new STSClient(clientConfig(sb, one)).send(new GetCallerIdentityCommand({})), 'Throttling');
    await rejectsWith(new SecretsManagerClient(clientConfig(sb, one)).send(new ListSecretsCommand({})), 'ThrottlingException');
  });

  it('a throttled or failed create changes nothing', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 1 });
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })), 'RequestLimitExceeded');
    await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 0, errorRate: 1 });
    await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })), 'InternalError');
    assert.deepEqual(await resources(sb), []);
  });

  it('replays the same faults from the same seed, and other faults from another', async () => {
    const ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    const pattern = async (seed: number): Promise<string> => {
      await control(sb, 'POST', '/_sandbox/reset');
      await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 0.5, seed });
      let out = '';
      for (let i = 0; i < 24; i++) {
        out += await ec2.send(new DescribeVpcsCommand({})).then(
          () => '.',
          () => 'x',
        );
      }
      return out;
    };
    const first = await pattern(42);
    assert.match(first, /x/);
    assert.match(first, /\./);
    assert.equal(await pattern(42), first);
    assert.notEqual(await pattern(43), first);
  });

  it('delays every AWS call by latencyMs, never a control route', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const bad = await control<{ error: string }>(sb, 'POST', '/_sandbox/faults', { latencyMs: -1 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /latencyMs/);
    const set = await control<{ faults: { latencyMs: number } }>(sb, 'POST', '/_sandbox/faults', { latencyMs: 300 });
    assert.equal(set.body.faults.latencyMs, 300);
    const ec2 = new EC2Client(clientConfig(sb));
    // A lower bound, not a timing race: the server holds the call at least that long before serving it.
    const t0 = performance.now();
    await ec2.send(new DescribeVpcsCommand({}));
    assert.ok(performance.now() - t0 >= 295, 'the call waited the latency');
    assert.equal((await control<{ total: number }>(sb, 'GET', '/_sandbox/calls')).body.total, 1, 'and was served once');
    await control(sb, 'POST', '/_sandbox/reset');
    assert.equal((await control<{ faults: { latencyMs: number } }>(sb, 'GET', '/_sandbox/faults')).body.faults.latencyMs, 0, 'reset clears it');
  });
});

describe('sandbox state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-state-'));
  const file = join(dir, 'cloud.json');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is shared by two sandboxes on one file, owner-only', async () => {
    const a = await sandbox({ stateFile: file });
    const b = await sandbox({ stateFile: file });
    try {
      const vpc = await new EC2Client(clientConfig(a)).send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const seen = await new EC2Client(clientConfig(b)).send(new DescribeVpcsCommand({ VpcIds: [vpc.Vpc?.VpcId ?? ''] }));
      assert.equal(seen.Vpcs?.[0]?.CidrBlock, '10.1.0.0/16', 'the second process sees what the first made');
    } finally {
      await a.close();
      await b.close();
    }
    const c = await sandbox({ stateFile: file });
    try {
      assert.equal((await resources(c)).filter((r) => r.type === 'vpc').length, 1, 'a new process loads it at start');
    } finally {
      await c.close();
    }
  });
});

describe('sandbox state file writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Each save renames a fresh temp file over the state file: its inode and change time (ns) tell whether a call wrote. */
  const inode = (file: string): string => {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.ctimeNs}`;
  };

  it('saves after a change only: reads leave the file alone, a transition a read applies is saved', async () => {
    const file = join(dir, 'reads.json');
    const sb = await sandbox({ stateFile: file });
    try {
      const ec2 = new EC2Client(clientConfig(sb));
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.4.0.0/16' }));
      const vpcId = vpc.Vpc?.VpcId ?? '';
      // The VPC turns available a moment later; the read that sees it applies (and saves) that transition.
      await eventually(async () => ((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0]?.State === 'available' ? true : undefined));
      const afterCreate = inode(file);
      await ec2.send(new DescribeVpcsCommand({}));
      await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      await resources(sb);
      await control(sb, 'GET', '/_sandbox/calls');
      assert.equal(inode(file), afterCreate, 'describes and control reads did not write');
      // A change made in place in a resource's data, with no new resource or state: saved all the same.
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
      const modified = JSON.parse(readFileSync(file, 'utf8')) as { resources: { id: string; data: { enableDnsHostnames?: boolean } }[] };
      assert.equal(modified.resources.find((r) => r.id === vpcId)?.data.enableDnsHostnames, true);
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.4.0.0/24' }));
      assert.notEqual(inode(file), afterCreate, 'a create wrote');
      const nat = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet.Subnet?.SubnetId ?? '', ConnectivityType: 'private' }));
      const natId = nat.NatGateway?.NatGatewayId ?? '';
      assert.equal(nat.NatGateway?.State, 'pending');
      await eventually(async () => {
        const seen = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
        return seen.NatGateways?.[0]?.State === 'available' ? true : undefined;
      }, 10_000, 'the NAT gateway to become available');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { resources: { id: string; state: string }[] };
      assert.equal(saved.resources.find((r) => r.id === natId)?.state, 'available', 'the read that applied the transition saved it');
      assert.deepEqual(sb.world.all().filter((r) => r.transitions.length > 0).map((r) => r.id), [], 'nothing more is due');
      const settled = inode(file);
      await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
      await ec2.send(new DescribeVpcsCommand({}));
      assert.equal(inode(file), settled, 'reads after the transition did not write');
    } finally {
      await sb.close();
    }
  });

  it('writes owner-only whatever the umask, creates its folder 0700, and never writes through a planted temp name', async () => {
    const folder = join(dir, 'fresh', '.three-tier');
    const file = join(folder, 'cloud.json');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched');
    const previous = process.umask(0);
    const sb = await sandbox({ stateFile: file });
    try {
      const ec2 = new EC2Client(clientConfig(sb));
      await ec2.send(new CreateVpcCommand({ CidrBlock: '10.5.0.0/16' }));
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      // The temp name used to be FILE.PID.tmp, opened without O_EXCL: a link planted there redirected the write.
      symlinkSync(victim, `${file}.${process.pid}.tmp`);
      await ec2.send(new CreateVpcCommand({ CidrBlock: '10.6.0.0/16' }));
      assert.equal(readFileSync(victim, 'utf8'), 'untouched');
      assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { resources: { type: string }[] }).resources.filter((r) => r.type === 'vpc').length, 2);
      assert.deepEqual(readdirSync(folder).sort(), ['cloud.json', `cloud.json.${process.pid}.tmp`], 'no temp file left behind');
    } finally {
      process.umask(previous);
      await sb.close();
    }
  });
});
