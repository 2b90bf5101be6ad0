import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NormalizedSchema } from '@smithy/core/schema';
import type { Schema } from '@smithy/types';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { SecretsManagerClient, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { MAX_BODY_BYTES, type Sandbox } from '../../src/sandbox/server.js';
import { queryLimits } from '../../src/sandbox/protocol/query.js';
import { services } from '../../src/sandbox/services/index.js';
import { clientConfig, control, resources, sandbox } from './helpers.js';
import { errorCode, jsonRequest, queryRequest } from './raw-http.js';

/**
 * What the sandbox reads of a request, and how it refuses the rest (docs/sandbox.md, "Requests"): the query parser's
 * caps on parameters and depth, and the body size limit, each answered in the protocol's error format, after which
 * the sandbox goes on serving.
 */
const EC2_FORM = 'Action=DescribeVpcs&Version=2016-11-15';

/** The number of dot-separated parts of the deepest query key an operation's input can produce. */
function deepestKey(ns: NormalizedSchema, ec2: boolean, seen: string[] = []): number {
  if (ns.isStructSchema()) {
    const name = ns.getName(true) ?? '';
    if (seen.includes(name)) return Number.POSITIVE_INFINITY;
    let max = 0;
    for (const [, member] of ns.structIterator()) max = Math.max(max, 1 + deepestKey(member, ec2, [...seen, name]));
    return max;
  }
  // EC2 flattens lists (Key.N); awsQuery writes Key.member.N unless flattened; maps Key.entry.N.value.
  if (ns.isListSchema()) return (ec2 || ns.getMergedTraits().xmlFlattened ? 1 : 2) + deepestKey(ns.getValueSchema(), ec2, seen);
  if (ns.isMapSchema()) return 3 + deepestKey(ns.getValueSchema(), ec2, seen);
  return 0;
}

describe('sandbox request limits', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('caps query depth well above the deepest key of every operation of every modelled query service', async () => {
    let deepest = 0;
    for (const service of services.filter((s) => s.protocol !== 'json')) {
      const client = await service.loadClient();
      for (const [name, value] of Object.entries(client)) {
        if (!name.endsWith('$') || !Array.isArray(value) || value[0] !== 9) continue;
        const input = NormalizedSchema.of(value[4] as Schema);
        deepest = Math.max(deepest, deepestKey(input, service.protocol === 'ec2'));
      }
    }
    assert.ok(Number.isFinite(deepest), 'no recursive input shape');
    assert.ok(deepest >= 10, `the walk found real nesting (${deepest})`);
    assert.ok(deepest * 2 <= queryLimits.maxDepth, `deepest SDK key has ${deepest} parts; the cap is ${queryLimits.maxDepth}`);
  });

  it('answers a 140 KB a.a.a... form with InvalidQueryParameter, then serves the next call', async () => {
    const res = await queryRequest(sb, 'ec2', `${EC2_FORM}&${'a.'.repeat(70_000)}a=1`);
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'InvalidQueryParameter');
    assert.match(res.body, /nested more than 32 levels/);
    const vpcs = await new EC2Client(clientConfig(sb)).send(new DescribeVpcsCommand({}));
    assert.deepEqual(vpcs.Vpcs, []);
  });

  it('reads a key exactly as deep as the cap and refuses one level deeper', async () => {
    const key = (parts: number): string => Array.from({ length: parts }, () => 'k').join('.');
    assert.equal((await queryRequest(sb, 'ec2', `${EC2_FORM}&${key(queryLimits.maxDepth)}=1`)).status, 200);
    const deeper = await queryRequest(sb, 'ec2', `${EC2_FORM}&${key(queryLimits.maxDepth + 1)}=1`);
    assert.equal(deeper.status, 400);
    assert.equal(errorCode(deeper), 'InvalidQueryParameter');
  });

  it('reads up to the parameter cap and refuses one parameter more, in the awsQuery format too', async () => {
    const form = (total: number): string => [EC2_FORM, ...Array.from({ length: total - 2 }, (_, i) => `p${i}=1`)].join('&');
    assert.equal((await queryRequest(sb, 'ec2', form(queryLimits.maxParameters))).status, 200);
    const over = await queryRequest(sb, 'ec2', form(queryLimits.maxParameters + 1));
    assert.equal(over.status, 400);
    assert.equal(errorCode(over), 'InvalidQueryParameter');
    assert.match(over.body, /^<\?xml[\s\S]*<Response><Errors>/, 'EC2 error format');
    const sts = ['Action=GetCallerIdentity&Version=2011-06-15', ...Array.from({ length: queryLimits.maxParameters }, (_, i) => `p${i}=1`)].join('&');
    const stsOver = await queryRequest(sb, 'sts', sts);
    assert.equal(stsOver.status, 400);
    assert.match(stsOver.body, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidQueryParameter<\/Code>/, 'awsQuery error format');
  });

  it('answers 413 in each protocol for a body over the limit, read to its end, and keeps serving', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const query = await queryRequest(sb, 'ec2', `${EC2_FORM}&VpcId.1=${big}`);
    assert.equal(query.status, 413);
    assert.equal(errorCode(query), 'RequestEntityTooLarge');
    const json = await jsonRequest(sb, 'secretsmanager', 'secretsmanager.CreateSecret', JSON.stringify({ Name: 'big', SecretString: big }));
    assert.equal(json.status, 413);
    assert.equal(json.headers['x-amzn-errortype'], 'RequestEntityTooLarge');
    const ctl = await fetch(`${sb.endpoint}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, pad: big }) });
    assert.equal(ctl.status, 413);
    assert.equal((await control(sb, 'GET', '/_sandbox/faults')).status, 200);
  });

  it('gives the SDK a 413 it reports, not a reset connection, and stores nothing', async () => {
    const sm = new SecretsManagerClient(clientConfig(sb, { maxAttempts: 1 }));
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: 'too-big', SecretString: 's'.repeat(MAX_BODY_BYTES) })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'RequestEntityTooLarge');
      assert.equal(e.$metadata?.httpStatusCode, 413);
      return true;
    });
    assert.deepEqual((await resources(sb)).filter((r) => r.type.includes('secret')), []);
  });
});
