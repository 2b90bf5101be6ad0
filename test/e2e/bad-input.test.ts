import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { fromProcess } from '@aws-sdk/credential-providers';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, resources, sandbox } from '../sandbox/helpers.js';
import { mutatingCalls, runCli, scratchDir, TIME_SCALE } from './cli.js';

type Calls = { total: number };

describe('bad input: a clear message, exit code 2, and nothing created', () => {
  let sb: Sandbox;
  const dir = scratchDir('bad-input');
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE } });
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = (sbx: Sandbox) => ['up', '--endpoint-url', sbx.endpoint, '--time-scale', String(TIME_SCALE), '--yes', '--image', 'public.ecr.aws/nginx/nginx:1.27'];
  const cases: { name: string; args: string[]; message: RegExp; env?: Record<string, string>; withoutYes?: boolean }[] = [
    { name: 'a stack name with uppercase letters', args: ['--stack', 'MyStack'], message: /stack name "MyStack" does not start with a lowercase letter; use lowercase letters, digits and hyphens/ },
    { name: 'a stack name too long for the derived names', args: ['--stack', 'a-very-long-stack-name-that-overflows'], message: /is 37 characters long; use .* at most 24 characters/ },
    { name: 'a stack name with "--"', args: ['--stack', 'my--stack'], message: /contains "--"/ },
    { name: 'a region that is not one', args: ['--stack', 'ok', '--region', 'moon-base-1x'], message: /region "moon-base-1x" is not an AWS region name/ },
    { name: 'an image reference with spaces', args: ['--stack', 'ok', '--image', 'my image:latest'], message: /image "my image:latest" is not an image reference/ },
    { name: 'a public VPC CIDR', args: ['--stack', 'ok', '--vpc-cidr', '54.0.0.0/16'], message: /--vpc-cidr "54\.0\.0\.0\/16" is not in a private range/ },
    { name: 'a VPC CIDR too small for four subnets', args: ['--stack', 'ok', '--vpc-cidr', '10.0.0.0/27'], message: /--vpc-cidr "10\.0\.0\.0\/27" has prefix \/27/ },
    { name: 'an unknown architecture', args: ['--stack', 'ok', '--arch', 'RISCV'], message: /argument 'RISCV' is invalid\. Allowed choices are X86_64, ARM64/ },
    { name: 'a task count out of range', args: ['--stack', 'ok', '--tasks', '0'], message: /"0" is not a whole number from 1 to 10/ },
    { name: 'a missing stack name without a terminal (and without --yes, which takes "demo")', args: [], message: /no stack name given: pass --stack NAME/, withoutYes: true },
    { name: 'an endpoint that is not a URL', args: ['--stack', 'ok', '--endpoint-url', 'not a url'], message: /--endpoint-url "not a url" is not a URL/ },
    { name: '--sandbox together with --endpoint-url', args: ['--stack', 'ok', '--sandbox'], message: /--sandbox and --endpoint-url cannot be used together/ },
  ];

  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const before = (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total;
      const args = [...base(sb), ...c.args].filter((a) => !(c.withoutYes && a === '--yes'));
      const r = await runCli(args, { cwd: dir, ...(c.env ? { env: c.env } : {}) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.message);
      assert.deepEqual(await resources(sb), [], 'the sandbox holds nothing');
      assert.equal((await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total, before, 'no AWS call was made');
      assert.equal(existsSync(join(dir, '.three-tier')), false, 'no manifest was written');
    });
  }

  it('refuses to change a stack without a terminal to confirm and without --yes', async () => {
    const r = await runCli(['up', '--stack', 'ok', '--endpoint-url', sb.endpoint, '--image', 'nginx:1.27'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /there is no terminal to confirm it: add --yes/);
    assert.deepEqual(await resources(sb), []);
  });

  it('says there is no such stack when destroy names one that does not exist, instead of claiming success', async () => {
    const d = await runCli(['destroy', '--stack', 'neverexisted', '--endpoint-url', sb.endpoint, '--yes'], { cwd: dir });
    assert.equal(d.code, 2, d.stderr);
    assert.match(d.stderr, /there is no stack named "neverexisted" in us-east-1/);
    assert.doesNotMatch(d.stderr, /is destroyed/);
    assert.deepEqual(await resources(sb), []);
  });
});

describe('credentials', () => {
  const dir = scratchDir('credentials');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops before any change when there are none, naming the profile and how to log in', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      // An empty HOME: no ~/.aws files; no keys in the environment; no instance role. Real AWS mode (no
      // --endpoint-url), with STS pointed at the sandbox should a call get through (none does).
      const env = { HOME: dir, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'work', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: sb.endpoint };
      const r = await runCli(['up', '--stack', 'ok', '--yes', '--image', 'nginx:1.27'], { cwd: dir, env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no valid AWS credentials from profile "work"/);
      assert.match(r.stderr, /aws sso login --profile work/);
      assert.deepEqual(await resources(sb), []);
      assert.equal((await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total, 0);
    } finally {
      await sb.close();
    }
  });

  it('stops before any change when they have expired, naming the profile and how to log in', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      // The sandbox accepts any signature, so the expiry is the SDK's own check: a profile whose credential_process
      // (as `aws configure export-credentials` or an SSO helper would) hands out a session that ended in 2020.
      const expired = { Version: 1, AccessKeyId: 'ASIAEXPIRED', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: '2020-01-01T00:00:00Z' };
      const helper = join(dir, 'expired-credentials.mjs');
      writeFileSync(helper, `console.log(${JSON.stringify(JSON.stringify(expired))});\n`);
      const config = join(dir, 'aws-config');
      writeFileSync(config, `[profile work]\ncredential_process = ${process.execPath} ${helper}\n`);
      // The SDK refuses this profile for its expiry (and the CLI sees the chain fail as a whole).
      await assert.rejects(fromProcess({ profile: 'work', configFilepath: config, filepath: join(dir, 'no-credentials') })(), /returned expired credentials/);
      // Real AWS mode (no --endpoint-url), with STS pointed at the sandbox should a call get through (none does).
      const env = { HOME: dir, AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'work', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: sb.endpoint };
      const before = (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total;
      const r = await runCli(['up', '--stack', 'ok', '--yes', '--image', 'nginx:1.27'], { cwd: dir, env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /CREDENTIALS/);
      assert.match(r.stderr, /no valid AWS credentials from profile "work"/);
      assert.match(r.stderr, /aws sso login --profile work/);
      assert.equal((await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total, before, 'no AWS call was made');
      assert.equal(existsSync(join(dir, '.three-tier')), false, 'no manifest was written');
    } finally {
      await sb.close();
    }
  });

  it('names the environment, not a profile, when the refused keys came from the environment', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      const env = { HOME: dir, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: sb.endpoint };
      const r = await runCli(['up', '--stack', 'ok', '--yes', '--image', 'nginx:1.27'], { cwd: dir, env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no valid AWS credentials from the environment \(AWS_ACCESS_KEY_ID\)/);
      assert.doesNotMatch(r.stderr, /profile "default"/);
    } finally {
      await sb.close();
    }
  });

  it('works against an endpoint on this machine without any AWS login (stand-in keys)', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      const env = { HOME: dir, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'work', AWS_EC2_METADATA_DISABLED: 'true' };
      const r = await runCli(['destroy', '--stack', 'nothing-here', '--endpoint-url', sb.endpoint, '--yes'], { cwd: dir, env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /there is no stack named "nothing-here"/, 'it got past the credentials and asked the sandbox');
    } finally {
      await sb.close();
    }
  });

  it('refuses a plain-http endpoint on another machine before sending anything', async () => {
    const r = await runCli(['destroy', '--stack', 'ok', '--endpoint-url', 'http://203.0.113.10:4566', '--yes'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /plain http on another machine/);
  });
});

describe("a name already taken by someone else's resource", () => {
  const dir = scratchDir('name-taken');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('up exits 2 with NAME_TAKEN before any change; destroy leaves their database', async () => {
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      // The README's example: someone's own RDS instance demo-db, without the stack's tag.
      const cfg = clientConfig(sb);
      const ec2 = new EC2Client(cfg);
      const rds = new RDSClient(cfg);
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
      const subnetIds: string[] = [];
      for (const [cidr, zone] of [['10.9.0.0/24', 'us-east-1a'], ['10.9.1.0/24', 'us-east-1b']] as const) {
        subnetIds.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet?.SubnetId ?? '');
      }
      await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'their-subnets', DBSubnetGroupDescription: 'theirs', SubnetIds: subnetIds }));
      await rds.send(
        new CreateDBInstanceCommand({ DBInstanceIdentifier: 'demo-db', Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', AllocatedStorage: 20, MasterUsername: 'owner', ManageMasterUserPassword: true, DBSubnetGroupName: 'their-subnets' }),
      );
      const before = (await control<{ operations: Record<string, number>; total: number }>(sb, 'GET', '/_sandbox/calls')).body;
      const manifest = join(dir, 'demo.json');
      const up = await runCli(['up', '--stack', 'demo', '--endpoint-url', sb.endpoint, '--time-scale', String(TIME_SCALE), '--manifest', manifest, '--yes', '--image', 'nginx:1.27'], { cwd: dir });
      assert.equal(up.code, 2, up.stderr);
      assert.match(up.stderr, /NAME_TAKEN/);
      assert.match(up.stderr, /db-instance demo-db/);
      const afterUp = (await control<{ operations: Record<string, number>; total: number }>(sb, 'GET', '/_sandbox/calls')).body;
      assert.deepEqual(mutatingCalls(before, afterUp), {}, 'no change was made');
      assert.equal(existsSync(manifest), false, 'no manifest was written');

      const down = await runCli(['destroy', '--stack', 'demo', '--endpoint-url', sb.endpoint, '--time-scale', String(TIME_SCALE), '--manifest', manifest, '--yes'], { cwd: dir });
      // Nothing of the stack is there: destroy says so, and touches nothing of theirs.
      assert.equal(down.code, 2, down.stderr);
      assert.match(down.stderr, /NO_SUCH_STACK/);
      const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'demo-db' }))).DBInstances?.[0];
      assert.ok(db && db.DBInstanceStatus !== 'deleting', `their database is left alone: ${db?.DBInstanceStatus}`);
    } finally {
      await sb.close();
    }
  });
});
