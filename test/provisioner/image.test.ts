import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ThreeTierError } from '../../src/errors.js';
import { checkArchitecture, parseEcrUri } from '../../src/image.js';
import { readManifest } from '../../src/engine/manifest.js';
import type { ResourceEvent } from '../../src/engine/events.js';
import { control } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';

/**
 * The image: its architecture is read from the registry and checked before the service exists; a missing image
 * fails the deployment fast with the stopped-task reason and what to do; a docker build pushes and deploys by
 * digest with the registry password on stdin; no Docker is a clear error with both ways out.
 */
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

async function failure(p: Promise<unknown>): Promise<ThreeTierError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ThreeTierError, `expected a ThreeTierError, got ${String(err)}`);
  return err;
}

describe('parseEcrUri', () => {
  it('reads registry, repository, tag and digest; other registries are not ECR', () => {
    assert.deepEqual(parseEcrUri(`${REGISTRY}/team/api:1.2`), { host: REGISTRY, registryId: '123456789012', region: 'us-east-1', repository: 'team/api', tag: '1.2' });
    const d = `sha256:${'a'.repeat(64)}`;
    assert.equal(parseEcrUri(`${REGISTRY}/api@${d}`)?.digest, d);
    assert.equal(parseEcrUri(`${REGISTRY}/api`)?.tag, 'latest');
    assert.equal(parseEcrUri('ghcr.io/acme/api:1'), undefined);
    assert.equal(parseEcrUri('public.ecr.aws/acme/api:1'), undefined);
    assert.equal(parseEcrUri('localhost:5000/api:1'), undefined);
  });
});

describe('image', () => {
  let h: Harness;
  let fakeDocker: string;
  let dockerLog: string;

  before(async () => {
    h = await harness({ stack: 'img' });
    await h.clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'prebuilt' }));
    for (const [tag, architecture, format] of [
      ['arm', 'arm64', 'index'],
      ['arm-single', 'arm64', 'manifest'],
      ['amd-single', 'amd64', 'manifest'],
    ] as const) {
      const r = await control(h.sb, 'POST', '/_sandbox/images', { repository: 'prebuilt', tag, architecture, format });
      assert.equal(r.status, 201);
    }
    // A stand-in for the docker CLI: logs its argv and stdin; `buildx build --push` stages the image in the sandbox.
    fakeDocker = join(h.dir, 'docker');
    dockerLog = join(h.dir, 'docker.log');
    writeFileSync(
      fakeDocker,
      `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const stdin = args.includes('--password-stdin') ? fs.readFileSync(0, 'utf8') : '';
fs.appendFileSync(${JSON.stringify(dockerLog)}, JSON.stringify({ args, stdin }) + '\\n');
if (args[0] === 'version' && process.env.FAKE_DOCKER_NO_DAEMON) { console.error('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'); process.exit(1); }
if (args[0] === 'buildx' && args[1] === 'build') {
  const target = args[args.indexOf('--tag') + 1];
  const platform = args[args.indexOf('--platform') + 1];
  const rest = target.slice(target.indexOf('/') + 1);
  const [repository, tag] = rest.split(':');
  fetch(process.env.FAKE_DOCKER_SANDBOX + '/_sandbox/images', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository, tag, architecture: platform.split('/')[1] }) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
} else { console.log('ok'); }
`,
    );
    chmodSync(fakeDocker, 0o755);
    process.env['FAKE_DOCKER_SANDBOX'] = h.sb.endpoint;
  });
  after(async () => {
    delete process.env['FAKE_DOCKER_SANDBOX'];
    await h.close();
  });

  it('reads architectures from an index and from a single manifest config', async () => {
    const arm = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:arm`, 'X86_64');
    assert.deepEqual(arm, { checked: true, architectures: ['arm64'], matches: false, digest: (arm as { digest: string }).digest });
    const armSingle = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:arm-single`, 'ARM64');
    assert.equal(armSingle.checked && armSingle.matches, true);
    const missing = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:nope`, 'X86_64');
    assert.equal(missing.checked, false);
  });

  it('an arm64 image for X86_64 tasks stops up with IMAGE_ARCH_MISMATCH before the service exists', async () => {
    for (const tag of ['arm', 'arm-single']) {
      const started = Date.now();
      const err = await failure(h.up({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:${tag}` } }));
      assert.equal(err.code, 'IMAGE_ARCH_MISMATCH');
      assert.match(err.message, /arm64/);
      assert.ok(err.hints.some((x) => x.includes('--platform linux/amd64')), err.hints.join('\n'));
      assert.ok(Date.now() - started < 5_000, 'stops without waiting for the database');
      const svc = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'img', services: ['img-api'] })).catch(() => undefined);
      assert.ok(!svc?.services?.some((s) => s.status === 'ACTIVE'), 'no service was created');
      const m = readManifest(h.manifestPath);
      assert.equal(m?.resources['image']?.status, 'failed');
      assert.equal(m?.resources['image']?.identity, undefined, 'a mismatching image is never recorded as done');
      assert.equal(existsSync(`${h.manifestPath}.lock`), false);
    }
    assert.ok(h.resourceEvents().some((e) => e.phase === 'skipped'), 'other resources stopped waiting');
  });

  it('a missing image fails the deployment fast with the CannotPullContainerError reason and the fix', async () => {
    h.sink.events.length = 0;
    const err = await failure(h.up({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:missing` } }));
    assert.equal(err.code, 'SERVICE_DEPLOYMENT_FAILED');
    assert.match(err.message, /CannotPullContainerError/);
    assert.ok(err.hints.some((x) => /does not exist in the registry/.test(x)), err.hints.join('\n'));
    const events = h.resourceEvents();
    const created = events.find((e) => e.id === 'ecs-service' && e.phase === 'creating');
    const failed = events.find((e): e is ResourceEvent => e.id === 'ecs-service' && e.phase === 'failed');
    assert.ok(created && failed);
    // The ready budget is 20 min of AWS time (4.8 s here); stopped tasks end the wait well before it.
    assert.ok(failed.at - created.at < 3_000, `failed after ${failed.at - created.at} ms`);
    assert.ok(h.sink.events.some((e) => e.type === 'message' && /architecture not checked/.test(e.text)));
  });

  it('a good image afterwards rolls the service to a new task definition', async () => {
    const result = await h.up({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:amd-single` } });
    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'img', services: ['img-api'] }))).services?.[0];
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(primary?.taskDefinition, result.outputs['task-definition']?.['arn']);
    assert.equal(primary?.rolloutState, 'COMPLETED');
    const td = await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: primary?.taskDefinition }));
    assert.match(td.taskDefinition?.containerDefinitions?.[0]?.image ?? '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/prebuilt@sha256:/);
  });

  it('a docker build pushes for linux/amd64, logs in with the password on stdin, and deploys by digest', async () => {
    const result = await h.up({ image: { kind: 'build', contextDir: h.dir, docker: fakeDocker } });
    const calls = readFileSync(dockerLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; stdin: string });
    const login = calls.find((c) => c.args[0] === 'login');
    assert.ok(login && login.stdin.length > 0, 'the password came on stdin');
    for (const c of calls) assert.ok(!c.args.includes(login.stdin), 'never on the command line');
    const build = calls.find((c) => c.args[0] === 'buildx' && c.args[1] === 'build');
    assert.ok(build?.args.includes('--push'));
    assert.equal(build?.args[build.args.indexOf('--platform') + 1], 'linux/amd64');
    const td = await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition']?.['arn'] }));
    assert.match(td.taskDefinition?.containerDefinitions?.[0]?.image ?? '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/img-api@sha256:[0-9a-f]{64}$/);
  });

  it('without Docker, up says so with both ways out', async () => {
    const missing = await failure(h.up({ image: { kind: 'build', contextDir: join(h.dir, 'other'), docker: join(h.dir, 'no-such-docker') } }));
    assert.equal(missing.code, 'IMAGE_NO_DOCKER');
    assert.ok(missing.hints.some((x) => /install Docker|start Docker/i.test(x)));
    assert.ok(missing.hints.some((x) => x.includes('--image')));
    process.env['FAKE_DOCKER_NO_DAEMON'] = '1';
    try {
      const noDaemon = await failure(h.up({ image: { kind: 'build', contextDir: join(h.dir, 'other'), docker: fakeDocker } }));
      assert.equal(noDaemon.code, 'IMAGE_NO_DOCKER');
      assert.match(noDaemon.message, /daemon/);
    } finally {
      delete process.env['FAKE_DOCKER_NO_DAEMON'];
    }
  });
});

describe('an image that could not be checked and does not run', () => {
  let h: Harness;
  before(async () => {
    // Outside ECR the check is skipped; the sandbox treats such images as linux/amd64, so ARM64 tasks cannot run it.
    h = await harness({ stack: 'armtask', input: { cpuArchitecture: 'ARM64' }, image: { kind: 'existing', uri: 'ghcr.io/example/api:amd64-only' } });
  });
  after(async () => h.close());

  it('fails the deployment with the stopped reason and the architecture fix', async () => {
    const err = await failure(h.up());
    assert.equal(err.code, 'SERVICE_DEPLOYMENT_FAILED');
    assert.match(err.message, /exec format error/);
    assert.ok(err.hints.some((x) => /another CPU architecture/.test(x) && /--platform linux\/amd64/.test(x)), err.hints.join('\n'));
    assert.equal(readManifest(h.manifestPath)?.resources['ecs-service']?.status, 'failed');
  });
});
