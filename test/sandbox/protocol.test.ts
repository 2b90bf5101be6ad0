import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, sandbox } from './helpers.js';

describe('sandbox protocol layer', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('listens on loopback only', () => {
    assert.match(sb.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers an awsQuery call the SDK parses (STS GetCallerIdentity)', async () => {
    const out = await new STSClient(clientConfig(sb)).send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, '123456789012');
    assert.match(out.Arn ?? '', /^arn:aws:iam::123456789012:/);
  });

  it('answers an operation it does not implement with the protocol\'s unknown-operation error naming it, not a crash', async () => {
    const client = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    await assert.rejects(client.send(new RunTaskCommand({ taskDefinition: 'x' })), (e: Error) => {
      assert.equal(e.name, 'UnknownOperationException');
      assert.match(e.message, /^RunTask is not modelled by the three-tier sandbox \(ecs\); it serves only the operations listed in docs\/sandbox\.md$/);
      return true;
    });
  });

  it('counts calls per operation and resets', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    await new STSClient(clientConfig(sb)).send(new GetCallerIdentityCommand({}));
    const calls = await control<{ total: number; operations: Record<string, number> }>(sb, 'GET', '/_sandbox/calls');
    assert.equal(calls.body.total, 1);
    assert.equal(calls.body.operations['sts:GetCallerIdentity'], 1);
  });

  it('throttles with the service error the SDK retries, reproducibly from a seed', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const set = await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 1, seed: 7 });
    assert.equal(set.status, 200);
    const client = new EC2Client(clientConfig(sb, { maxAttempts: 2 }));
    await assert.rejects(client.send(new DescribeVpcsCommand({})), (e: Error) => e.name === 'RequestLimitExceeded');
    const calls = await control<{ total: number }>(sb, 'GET', '/_sandbox/calls');
    assert.equal(calls.body.total, 2, 'the SDK retried the throttled call once');
    await control(sb, 'POST', '/_sandbox/faults', { throttleRate: 0 });
  });

  it('rejects bad fault settings naming the field', async () => {
    const res = await control<{ error: string }>(sb, 'POST', '/_sandbox/faults', { throttleRate: 2 });
    assert.equal(res.status, 400);
    assert.match(res.body.error, /throttleRate/);
  });
});
