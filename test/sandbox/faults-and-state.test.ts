import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SecretsManagerClient, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, rejectsWith, resources, sandbox } from './helpers.js';

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
