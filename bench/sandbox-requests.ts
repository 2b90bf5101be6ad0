/**
 * Benchmark (not a test): what hostile or heavy requests cost the sandbox's HTTP front, and what `--state` costs
 * a read. Prints figures; asserts nothing (test/sandbox/request-limits.test.ts and http-front.test.ts hold the
 * promises).
 *
 *   npm run bench:sandbox
 *
 * - pathological query forms (the `a.a.a...` key that used to take 21 s and 1.8 GB at 80 KB), and the most
 *   expensive form the caps still accept (10,000 keys of 31 levels in 8 MiB);
 * - how long a normal call takes while 50 clients hold half-sent bodies;
 * - DescribeVpcs per call without and with a state file, and how many reads wrote the file (0 since a read that
 *   changes nothing saves nothing).
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';

const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKIABENCH/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00';

function post(sb: Sandbox, body: string): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${sb.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: SIGNED }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'ok' }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function client(sb: Sandbox): EC2Client {
  return new EC2Client({ endpoint: sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function hostileForms(sb: Sandbox): Promise<void> {
  const head = 'Action=DescribeVpcs&Version=2016-11-15';
  const forms: [string, string][] = [
    ['80 KB a.a.a... key', `${head}&${'a.'.repeat(40_000)}a=1`],
    ['140 KB a.a.a... key', `${head}&${'a.'.repeat(70_000)}a=1`],
    ['7.8 MiB a.a.a... key', `${head}&${'a.'.repeat(4_090_000)}a=1`],
    ['10,001 parameters', [head, ...Array.from({ length: 9_999 }, (_, i) => `p${i}=1`)].join('&')],
    ['worst accepted: 9,998 keys x 31 levels, 8 MiB', [head, ...Array.from({ length: 9_998 }, (_, i) => `${`k${i}${'x'.repeat(20)}.`.repeat(31)}z=1`)].join('&')],
  ];
  await post(sb, head); // load the EC2 client first, so it does not count against the first form
  console.log('\nhostile query forms');
  for (const [name, body] of forms) {
    const rss0 = process.memoryUsage().rss;
    const t0 = process.hrtime.bigint();
    const answer = await post(sb, body);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`  ${name.padEnd(48)} ${mb(body.length).padStart(5)} MiB  -> ${answer.status} ${answer.code.padEnd(22)} ${ms.toFixed(0).padStart(5)} ms  rss +${mb(Math.max(0, process.memoryUsage().rss - rss0))} MiB`);
  }
}

async function slowBodies(sb: Sandbox): Promise<void> {
  const body = 'Action=DescribeVpcs&Version=2016-11-15';
  const sockets = Array.from({ length: 50 }, () => {
    const s = net.connect(sb.port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${sb.port}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    return s;
  });
  await new Promise((r) => setTimeout(r, 100));
  const ec2 = client(sb);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) await ec2.send(new DescribeVpcsCommand({}));
  console.log(`\nwith 50 half-sent bodies pending: DescribeVpcs ${(Number(process.hrtime.bigint() - t0) / 1e6 / 20).toFixed(1)} ms per call`);
  for (const s of sockets) s.destroy();
}

async function readsWithState(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-bench-state-'));
  const file = join(dir, 'cloud.json');
  try {
    console.log('\nDescribeVpcs over 5 VPCs, 300 calls each');
    for (const stateFile of [undefined, file]) {
      const sb = await startSandbox({ world: { timeScale: 0.0001 }, ...(stateFile ? { stateFile } : {}) });
      const ec2 = client(sb);
      for (let i = 0; i < 5; i++) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
      await new Promise((r) => setTimeout(r, 50));
      await ec2.send(new DescribeVpcsCommand({})); // applies the VPCs' pending -> available (a change, saved)
      const before = stateFile ? statSync(stateFile, { bigint: true }).ctimeNs : 0n;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 300; i++) await ec2.send(new DescribeVpcsCommand({}));
      const perCall = Number(process.hrtime.bigint() - t0) / 1e6 / 300;
      const wrote = stateFile ? statSync(stateFile, { bigint: true }).ctimeNs !== before : false;
      console.log(`  ${stateFile ? 'with --state' : 'in memory   '}  ${perCall.toFixed(2)} ms per call${stateFile ? `, file written by the reads: ${wrote ? 'yes' : 'no'}` : ''}`);
      await sb.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sb = await startSandbox({ world: { timeScale: 0.001 } });
  try {
    console.log('three-tier sandbox HTTP front benchmark');
    await hostileForms(sb);
    await slowBodies(sb);
  } finally {
    await sb.close();
  }
  await readsWithState();
}

await main();
