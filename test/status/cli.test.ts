import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { resolveConfig } from '../../src/config.js';
import { estimateMonthlyCost } from '../../src/cost.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { StackStatus } from '../../src/status/model.js';
import { clientConfig, control, sandbox } from '../sandbox/helpers.js';
import { bin, cliEnv, runCli, scratchDir, TIME_SCALE } from '../e2e/cli.js';

/**
 * `three-tier status` and `three-tier list` as a user runs them: the real CLI as a subprocess against a sandbox,
 * with its exit codes (0 healthy, 3 drifted, 2 bad input or no such stack, 1 AWS unreadable), its JSON document,
 * the stack picked from `.three-tier/`, the stack found by its tags, `--watch`, and `list` without AWS calls.
 */
type Calls = { total: number };
/** What the whole stack costs, as `up` quoted it: the cost table's figures, not numbers copied here. */
const full = estimateMonthlyCost(resolveConfig({ stack: 'shop', region: 'us-east-1' }));
const perHour = `\\$${full.hourly.toFixed(4).replace('.', '\\.')}`;
const perMonth = `\\$${full.monthly.toFixed(2).replace('.', '\\.')}`;

/** The CLI in a real pseudo-terminal (util-linux `script`), as a person runs it; `keys` are typed when `when` shows. */
async function inTerminal(args: string[], cwd: string, steps: { when: RegExp; keys: string }[]): Promise<{ code: number | null; screen: string }> {
  const command = `stty cols 200 rows 60; exec ${[process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: cliEnv({ CI: '', TERM: 'xterm', NO_COLOR: '' }) });
  let screen = '';
  const pending = [...steps];
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    const next = pending[0];
    if (next && next.when.test(screen)) {
      pending.shift();
      child.stdin.write(next.keys);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, screen };
}

describe('three-tier status and list, as a subprocess', () => {
  let sb: Sandbox;
  const dir = scratchDir('status');
  const manifest = join(dir, '.three-tier', 'shop.json');
  const calls = async (): Promise<number> => (await control<Calls>(sb, 'GET', '/_sandbox/calls')).body.total;
  /** What up printed, JSON lines of progress included: checked for the API key below. */
  let upOutput = '';
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    const r = await runCli(['up', '--stack', 'shop', '--endpoint-url', sb.endpoint, '--time-scale', String(TIME_SCALE), '--yes', '--json', '--image', 'public.ecr.aws/nginx/nginx:1.27'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    upOutput = r.stdout + r.stderr;
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the only stack in .three-tier/, prints the report, and exits 0 when healthy', async () => {
    const r = await runCli(['status'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Stack shop: healthy {2}\(region us-east-1, account 123456789012, endpoint http:\/\/127\.0\.0\.1:\d+\)/);
    assert.match(r.stdout, /Internet --> \[ ALB ok \] --> \[ ECS 1\/1 ok \] --\+--> \[ RDS ok \]/);
    assert.match(r.stdout, /Service shop-api \(ACTIVE\): 1 running \/ 1 desired \/ 0 pending/);
    assert.match(r.stdout, new RegExp(`Cost now: ${perHour}/hour, about ${perMonth}/month`));
    assert.equal(/\x1b\[/.test(r.stdout), false, 'no colour codes without a terminal');
  });

  it('--json prints one document with all of it', async () => {
    const r = await runCli(['status', '--stack', 'shop', '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as StackStatus;
    assert.equal(s.verdict, 'healthy');
    assert.equal(s.resources.length, 31);
    assert.equal(s.service?.running, 1);
    assert.match(s.url ?? '', /^http:\/\/shop-alb-/);
    assert.deepEqual(Object.keys(s.cost).sort(), ['excludes', 'fullHourly', 'fullMonthly', 'hourly', 'leaksHourly', 'leaksMonthly', 'lines', 'monthly', 'notes', 'partial', 'pricesAsOf', 'pricesRegion']);
    assert.equal(s.cost.hourly, full.hourly);
  });

  it('api-key prints the key alone on stdout (advice on stderr), the secret\'s value, and it appears nowhere else', async () => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const secrets = new SecretsManagerClient(clientConfig(sb));
    const stored = (await secrets.send(new GetSecretValueCommand({ SecretId: 'shop/api-key' }))).SecretString ?? '';
    secrets.destroy();
    assert.match(stored, /^\S{16,512}$/, 'a key the API accepts');
    const r = await runCli(['api-key'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${stored}\n`);
    assert.match(r.stderr, /Authorization: Bearer <key>.*x-api-key: <key>/);
    assert.match(r.stderr, /Keep it safe/);
    assert.match(r.stderr, /plain HTTP/);
    const j = JSON.parse((await runCli(['api-key', '--stack', 'shop', '--json'], { cwd: dir })).stdout) as { apiKey: string; secretName: string; secretArn: string };
    assert.equal(j.apiKey, stored);
    assert.equal(j.secretName, 'shop/api-key');
    assert.match(j.secretArn, /:secret:shop\/api-key-/);
    // Never in the manifest, up's output (its JSON result and progress lines) or status.
    assert.ok(!readFileSync(manifest, 'utf8').includes(stored), 'manifest');
    assert.ok(upOutput.length > 0 && !upOutput.includes(stored), 'up --json output');
    const st = await runCli(['status', '--stack', 'shop', '--json'], { cwd: dir });
    assert.ok(!(st.stdout + st.stderr).includes(stored), 'status --json');
  });

  it('api-key exits 2 for a stack without a key, saying how to get one', async () => {
    const r = await runCli(['api-key', '--stack', 'nokey', '--endpoint-url', sb.endpoint, '--region', 'us-east-1'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /stack "nokey" in us-east-1 has no API key: there is no secret nokey\/api-key/);
    assert.match(r.stderr, /three-tier up --stack nokey/);
  });

  it('exits 3 when the stack drifted, with the drift in the document', async () => {
    const ec2 = new EC2Client(clientConfig(sb));
    const recorded = JSON.parse(readFileSync(manifest, 'utf8')) as { resources: Record<string, { outputs?: Record<string, string> }> };
    const rds = recorded.resources['sg-rds']?.outputs?.['groupId'] ?? '';
    const perm = { GroupId: rds, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand(perm));
    try {
      const r = await runCli(['status', '--json'], { cwd: dir });
      assert.equal(r.code, 3, r.stderr);
      const s = JSON.parse(r.stdout) as StackStatus;
      assert.equal(s.verdict, 'drifted');
      assert.match(s.drift[0]?.what ?? '', /admits TCP 5432 from anywhere/);
      assert.equal(r.stdout.trim().split('\n').length, 1, 'one document: the exit code says the rest');
    } finally {
      await ec2.send(new RevokeSecurityGroupIngressCommand(perm));
    }
  });

  it('finds a stack whose manifest is gone by its tags, and says so', async () => {
    const away = join(dir, 'shop.json.away');
    renameSync(manifest, away);
    try {
      const r = await runCli(['status', '--stack', 'shop', '--endpoint-url', sb.endpoint], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /No manifest at .*shop\.json: found by its three-tier:stack tag in us-east-1\./);
    } finally {
      renameSync(away, manifest);
    }
  });

  it('exits 2 for a stack that does not exist, naming the region it looked in and the stacks that do', async () => {
    const r = await runCli(['status', '--stack', 'ghost', '--endpoint-url', sb.endpoint], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no stack "ghost": no manifest at .*ghost\.json, and nothing tagged three-tier:stack=ghost in region us-east-1/);
    assert.match(r.stderr, /stacks in \.three-tier\/: shop \(us-east-1\)/);
  });

  it('exits 2 on a bad stack name, before any AWS call', async () => {
    const before = await calls();
    const r = await runCli(['status', '--stack', 'Shop!', '--endpoint-url', sb.endpoint], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stack name "Shop!" does not start with a lowercase letter/);
    assert.equal(await calls(), before);
  });

  it('exits 2 listing the stacks when there are several and no terminal to ask', async () => {
    const other = join(dir, '.three-tier', 'other.json');
    const doc = JSON.parse(readFileSync(manifest, 'utf8')) as { stack: string; config: { stack: string } };
    writeFileSync(other, JSON.stringify({ ...doc, stack: 'other', config: { ...doc.config, stack: 'other' } }));
    try {
      const r = await runCli(['status'], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /there are 2 stacks in .*\.three-tier: other \(us-east-1\), shop \(us-east-1\); say which with --stack NAME/);
    } finally {
      rmSync(other);
    }
  });

  it('exits 1 when AWS cannot be read (the endpoint the stack lives behind does not answer)', async () => {
    // A copy of the stack's manifest whose endpoint is a loopback port nothing listens on.
    const dead = join(dir, 'dead.json');
    const doc = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    writeFileSync(dead, JSON.stringify({ ...doc, endpoint: 'http://127.0.0.1:9' }));
    try {
      const r = await runCli(['status', '--stack', 'shop', '--manifest', dead], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot reach|ECONNREFUSED|could not/i);
    } finally {
      rmSync(dead, { force: true });
    }
  });

  it('list: every stack from its manifest, with no AWS call; --live observes them', async () => {
    const before = await calls();
    const r = await runCli(['list'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await calls(), before, 'no AWS call');
    assert.match(r.stdout, /^STACK\s+REGION\s+WHERE\s+STATE\s+URL\s+PER HOUR\s+PER MONTH\n/);
    assert.match(r.stdout, new RegExp(`shop\\s+us-east-1\\s+http://127\\.0\\.0\\.1:\\d+\\s+up\\s+http://shop-alb-\\S+\\s+${perHour}\\s+${perMonth}`));
    const json = JSON.parse((await runCli(['list', '--json'], { cwd: dir })).stdout) as { stacks: { stack: string; state: string; source: string }[] };
    assert.deepEqual(json.stacks.map((s) => [s.stack, s.state, s.source]), [['shop', 'up', 'manifest']]);
    const live = await runCli(['list', '--live', '--json'], { cwd: dir });
    assert.equal(live.code, 0, live.stderr);
    assert.deepEqual((JSON.parse(live.stdout) as { stacks: { state: string; source: string }[] }).stacks.map((s) => [s.state, s.source]), [['healthy', 'live']]);
    assert.ok((await calls()) > before, '--live reads AWS');
  });

  it('at a terminal: asks which stack when there are several, and colours the diagram', async () => {
    const other = join(dir, '.three-tier', 'other.json');
    const doc = JSON.parse(readFileSync(manifest, 'utf8')) as { stack: string; config: { stack: string } };
    writeFileSync(other, JSON.stringify({ ...doc, stack: 'other', config: { ...doc.config, stack: 'other' } }));
    try {
      // The choices are sorted: other, then shop; arrow down picks shop.
      const r = await inTerminal(['status'], dir, [{ when: /Which stack\?/, keys: '\x1b[B\r' }]);
      assert.equal(r.code, 0, r.screen.slice(-1500));
      assert.match(r.screen, /Stack shop/);
      assert.ok(r.screen.includes('\x1b[32m[ ALB ok ]\x1b[0m'), 'the healthy box is green');
    } finally {
      rmSync(other);
    }
  });

  it('--watch at a terminal redraws in place until Ctrl-C, then leaves the last frame', async () => {
    const frames = /(\x1b\[H\x1b\[2J[^]*){2}/;
    const r = await inTerminal(['status', '--watch', '--interval', '1'], dir, [{ when: frames, keys: '\x03' }]);
    assert.equal(r.code, 0, r.screen.slice(-1500));
    assert.ok(r.screen.includes('\x1b[?1049h'), 'an alternate screen: nothing scrolls');
    const left = r.screen.lastIndexOf('\x1b[?1049l');
    assert.ok(left > 0, 'the screen is restored on Ctrl-C');
    assert.match(r.screen.slice(left).replace(/\x1b\[[0-9;]*m/g, ''), /Stack shop: healthy/, 'and the last frame stays printed');
  });

  it('--watch refreshes until Ctrl-C and exits with the last verdict', async () => {
    const run = runCli(['status', '--watch', '--interval', '1', '--json'], { cwd: dir });
    // Wait (bounded by runCli's own timeout) until two refreshes have been printed, then interrupt.
    await new Promise<void>((resolve) => {
      let text = '';
      run.child.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.split('\n').filter(Boolean).length >= 2) resolve();
      });
    });
    run.child.kill('SIGINT');
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const frames = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StackStatus);
    assert.ok(frames.length >= 2);
    assert.ok(frames.every((f) => f.verdict === 'healthy'));
    assert.notEqual(frames[0]?.observedAt, frames[1]?.observedAt, 'each frame is a new observation');
  });
});
