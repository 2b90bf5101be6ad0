import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { ECRClient, CreateRepositoryCommand, DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Sandbox } from '../../src/sandbox/server.js';
import { stageSandboxImage } from '../../src/image.js';
import { clientConfig, control, resources, sandbox } from './helpers.js';
import { errorCode, partialRequest, queryRequest, rawRequest, signedHeaders } from './raw-http.js';

/**
 * The sandbox as a local HTTP server (docs/sandbox.md, "Requests"): who it answers (its own loopback name, never a
 * web page), and that no client can stall it: bodies are read outside the one-at-a-time queue, a client that hangs
 * up is skipped, a slow body times out with 408.
 */
const CREATE_VPC = 'Action=CreateVpc&Version=2016-11-15&CidrBlock=10.7.0.0%2F16';

async function vpcCount(sb: Sandbox): Promise<number> {
  return (await resources(sb)).filter((r) => r.type === 'vpc').length;
}

describe('sandbox HTTP front: who it answers', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox();
  });
  after(async () => {
    await sb.close();
  });

  it('answers its own loopback names, 127.0.0.1:PORT and localhost:PORT', async () => {
    const byIp = await rawRequest(sb, { method: 'GET', path: '/_sandbox/calls' });
    assert.equal(byIp.status, 200);
    const byName = await rawRequest(sb, { method: 'GET', path: '/_sandbox/calls', headers: { host: `LocalHost:${sb.port}` } });
    assert.equal(byName.status, 200);
  });

  it('refuses another Host (DNS rebinding) on control and AWS routes, in the format each client reads', async () => {
    const ctl = await rawRequest(sb, { method: 'GET', path: '/_sandbox/resources', headers: { host: `rebind.example:${sb.port}` } });
    assert.equal(ctl.status, 403);
    assert.match((JSON.parse(ctl.body) as { error: string }).error, /addressed to 127\.0\.0\.1:\d+ or localhost:\d+; this one was addressed to rebind\.example/);
    const otherPort = await rawRequest(sb, { method: 'GET', path: '/_sandbox/resources', headers: { host: `127.0.0.1:${sb.port + 1}` } });
    assert.equal(otherPort.status, 403);
    const ec2 = await queryRequest(sb, 'ec2', CREATE_VPC, { host: `rebind.example:${sb.port}` });
    assert.equal(ec2.status, 403);
    assert.equal(errorCode(ec2), 'UnauthorizedOperation');
    assert.equal(await vpcCount(sb), 0);
  });

  it('refuses what a web page sends: a text/plain POST with an Origin changes nothing', async () => {
    await new EC2Client(clientConfig(sb)).send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    const reset = await rawRequest(sb, {
      path: '/_sandbox/reset',
      headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' },
      body: '{}',
    });
    assert.equal(reset.status, 403);
    assert.match(reset.body, /web pages \(Origin: https:\/\/attacker\.example\)/);
    const create = await queryRequest(sb, 'ec2', CREATE_VPC, { origin: 'null', 'content-type': 'text/plain' });
    assert.equal(create.status, 403);
    const sts = await queryRequest(sb, 'sts', 'Action=GetCallerIdentity&Version=2011-06-15', { origin: 'http://localhost:3000' });
    assert.equal(sts.status, 403);
    assert.equal(errorCode(sts), 'AccessDenied');
    assert.equal(await vpcCount(sb), 1, 'neither the reset nor the create happened');
  });

  it('refuses cross-site reads (Sec-Fetch-Site) but answers the user typing the URL (none)', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await rawRequest(sb, { method: 'GET', path: '/_sandbox/resources', headers: { 'sec-fetch-site': site } });
      assert.equal(res.status, 403, site);
    }
    const typed = await rawRequest(sb, { method: 'GET', path: '/_sandbox/resources', headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' } });
    assert.equal(typed.status, 200);
  });

  it('takes control POSTs only as JSON (415 otherwise), charset allowed', async () => {
    const before = await vpcCount(sb);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const res = await rawRequest(sb, { path: '/_sandbox/reset', headers: type ? { 'content-type': type } : {}, body: '{}' });
      assert.equal(res.status, 415, String(type));
      assert.match(res.body, /content-type: application\/json/);
    }
    assert.equal(await vpcCount(sb), before, 'no reset happened');
    const ok = await rawRequest(sb, { path: '/_sandbox/reset', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' });
    assert.equal(ok.status, 200);
    assert.equal(await vpcCount(sb), 0);
  });

  it('still answers the AWS CLI style of request and three-tier’s own image staging', async () => {
    // botocore's headers for a query call: form content type with charset, identity encoding, its user agent.
    const cli = await queryRequest(sb, 'sts', 'Action=GetCallerIdentity&Version=2011-06-15', {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'user-agent': 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9',
      'accept-encoding': 'identity',
    });
    assert.equal(cli.status, 200, cli.body);
    assert.match(cli.body, /<Account>123456789012<\/Account>/);
    const ecr = new ECRClient(clientConfig(sb));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    await stageSandboxImage(sb.endpoint, 'web', 'v1', 'arm64');
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }));
    assert.deepEqual(images.imageDetails?.[0]?.imageTags, ['v1']);
  });
});

describe('sandbox HTTP front: no client stalls it', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox({ requestTimeoutMs: 1_000 });
  });
  after(async () => {
    await sb.close();
  });

  const head = (sbx: Sandbox, length: number): string =>
    [
      'POST / HTTP/1.1',
      `Host: 127.0.0.1:${sbx.port}`,
      'Content-Type: application/x-www-form-urlencoded',
      ...Object.entries(signedHeaders('ec2')).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${length}`,
      'Connection: close',
    ].join('\r\n');

  it('serves other clients while one sends its body slowly, and answers the slow one when it finishes', { timeout: 30_000 }, async () => {
    const slow = partialRequest(sb, head(sb, CREATE_VPC.length), CREATE_VPC.slice(0, 12));
    await slow.sent;
    const sts = await new STSClient(clientConfig(sb, { maxAttempts: 1 })).send(new GetCallerIdentityCommand({}));
    assert.equal(sts.Account, '123456789012', 'answered while the slow body is pending');
    slow.send(CREATE_VPC.slice(12));
    const answer = await slow.answered;
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /<cidrBlock>10\.7\.0\.0\/16<\/cidrBlock>/);
  });

  it('goes on serving after clients hang up mid-body or right after sending, and applies no half-sent change', { timeout: 30_000 }, async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    const slow = partialRequest(sb, head(sb, CREATE_VPC.length), CREATE_VPC.slice(0, 20));
    await slow.sent;
    const halfSent = partialRequest(sb, head(sb, CREATE_VPC.length), CREATE_VPC.slice(0, 30));
    await halfSent.sent;
    halfSent.destroy();
    await halfSent.answered;
    const describe = partialRequest(sb, head(sb, 'Action=DescribeVpcs&Version=2016-11-15'.length), 'Action=DescribeVpcs&Version=2016-11-15');
    await describe.sent;
    describe.destroy();
    await describe.answered;
    const ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({}))).Vpcs, [], 'answered; the half-sent create made nothing');
    assert.equal((await ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc?.CidrBlock, '10.3.0.0/16');
    slow.destroy();
    await slow.answered;
  });

  it('skips the turn of a client that hung up while queued', { timeout: 30_000 }, async () => {
    await control(sb, 'POST', '/_sandbox/reset');
    // The first RDS call of this process holds the queue while the sandbox imports the RDS client (this test file
    // never imports it). A complete CreateVpc sent meanwhile waits in the queue; its client hangs up before its turn.
    const rds = queryRequest(sb, 'rds', 'Action=DescribeDBInstances&Version=2014-10-31');
    const queued = partialRequest(sb, head(sb, CREATE_VPC.length), CREATE_VPC);
    await queued.sent;
    queued.destroy();
    await queued.answered;
    assert.equal((await rds).status, 200);
    assert.equal(await vpcCount(sb), 0, 'the hung-up create was skipped');
  });

  it('answers 408 and closes the connection of a body that never completes', { timeout: 30_000 }, async () => {
    const stalled = partialRequest(sb, head(sb, CREATE_VPC.length), CREATE_VPC.slice(0, 5));
    const answer = await stalled.answered;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.equal((await rawRequest(sb, { method: 'GET', path: '/_sandbox/calls' })).status, 200);
  });
});
