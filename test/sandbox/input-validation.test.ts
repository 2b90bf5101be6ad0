import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ECSClient, CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, resources, sandbox } from './helpers.js';
import { errorCode, jsonRequest, queryRequest } from './raw-http.js';

/**
 * Inputs are read against the SDK's own operation schemas, and what does not fit is answered as AWS answers it
 * (docs/sandbox.md, "Requests"): JSON 1.1 with 400 SerializationException, EC2 with InvalidParameterValue, the
 * awsQuery services with ValidationError. Never a 500 (which SDKs retry), never a wrongly typed field stored.
 */
const ECS = 'AmazonEC2ContainerServiceV20141113';

describe('sandbox input validation', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('answers malformed JSON with 400 SerializationException', async () => {
    const res = await jsonRequest(sb, 'ecs', `${ECS}.CreateCluster`, '{"clusterName": ');
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'SerializationException');
    assert.match(JSON.parse(res.body).message as string, /not valid JSON/);
  });

  for (const [body, what] of [
    ['[]', /Start of list/],
    ['"text"', /STRING_VALUE/],
    ['null', /VALUE_NULL/],
  ] as const) {
    it(`answers a JSON body that is not an object (${body}) with SerializationException`, async () => {
      const res = await jsonRequest(sb, 'ecs', `${ECS}.CreateCluster`, body);
      assert.equal(res.status, 400);
      assert.equal(errorCode(res), 'SerializationException');
      assert.match(res.body, what);
    });
  }

  it('refuses a JSON member of the wrong type, naming it, and stores nothing', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const res = await jsonRequest(sb, 'ecs', `${ECS}.CreateCluster`, JSON.stringify({ clusterName: 5 }));
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'SerializationException');
    assert.match(res.body, /NUMBER_VALUE can not be converted to a String \(at 'clusterName'\)/);
    const nested = await jsonRequest(
      sb,
      'ecs',
      `${ECS}.RegisterTaskDefinition`,
      JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: '512' }] }),
    );
    assert.equal(nested.status, 400);
    assert.match(nested.body, /STRING_VALUE can not be converted to a Number \(at 'containerDefinitions\[0\]\.memory'\)/);
    const tags = await jsonRequest(sb, 'ecs', `${ECS}.CreateCluster`, JSON.stringify({ clusterName: 'c', tags: { key: 'a', value: 'b' } }));
    assert.equal(tags.status, 400);
    assert.match(tags.body, /Start of structure or map found where not expected \(at 'tags'; expected a list\)/);
    assert.deepEqual(await resources(sb), []);
  });

  it('reads null as absent and ignores unknown members, as AWS does', async () => {
    const res = await jsonRequest(sb, 'ecs', `${ECS}.CreateCluster`, JSON.stringify({ clusterName: 'plain', tags: null, futureMember: { x: 1 } }));
    assert.equal(res.status, 200);
    const out = await new ECSClient(clientConfig(sb)).send(new DescribeClustersCommand({ clusters: ['plain'] }));
    assert.equal(out.clusters?.[0]?.clusterName, 'plain');
  });

  it('gives the SDK a SerializationException it does not retry', async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const ecs = new ECSClient(clientConfig(sb, { maxAttempts: 3 }));
    // The SDK cannot send malformed JSON by itself: cut its serialized body before it is signed and sent.
    ecs.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = '{"clusterName": "half';
        request.headers['content-length'] = String(Buffer.byteLength(request.body));
        return next(args);
      },
      { step: 'build' },
    );
    await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: 'never' })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'SerializationException');
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    });
    const calls = await control<{ total: number }>(sb, 'GET', '/_sandbox/calls');
    assert.equal(calls.body.total, 1, 'answered once, not retried as a 500 would be');
  });

  it('answers an EC2 value of the wrong type with InvalidParameterValue naming the parameter', async () => {
    const count = await queryRequest(sb, 'ec2', 'Action=DescribeVpcs&Version=2016-11-15&MaxResults=ten');
    assert.equal(count.status, 400);
    assert.equal(errorCode(count), 'InvalidParameterValue');
    assert.match(count.body, /Value \(ten\) for parameter MaxResults is invalid\. Expecting a number\./);
    const flag = await queryRequest(sb, 'ec2', 'Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0/16&AmazonProvidedIpv6CidrBlock=yes');
    assert.equal(flag.status, 400);
    assert.match(flag.body, /Value \(yes\) for parameter AmazonProvidedIpv6CidrBlock is invalid\. Expecting a boolean/);
    assert.deepEqual((await resources(sb)).filter((r) => r.type === 'vpc'), [], 'the refused create made nothing');
    const ok = await queryRequest(sb, 'ec2', 'Action=DescribeVpcs&Version=2016-11-15&MaxResults=5&DryRun=FALSE');
    assert.equal(ok.status, 200, ok.body);
  });

  it('answers an awsQuery value of the wrong type with ValidationError', async () => {
    const elb = await queryRequest(sb, 'elasticloadbalancing', 'Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=many');
    assert.equal(elb.status, 400);
    assert.equal(errorCode(elb), 'ValidationError');
    assert.match(elb.body, /Value &apos;many&apos; at &apos;PageSize&apos; failed to satisfy constraint: Member must be a number/);
    const iam = await queryRequest(sb, 'iam', 'Action=ListRoles&Version=2010-05-08&MaxItems=1.5.2');
    assert.equal(iam.status, 400);
    assert.equal(errorCode(iam), 'ValidationError');
  });
});
