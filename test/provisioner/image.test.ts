import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { checkArchitecture, checkImageBeforeUp, parseEcrUri } from '../../src/image.js';
import { readManifest } from '../../src/engine/manifest.js';
import { control } from '../sandbox/helpers.js';
import { threeTierFailure } from './expect.js';
import { harness, type Harness } from './harness.js';
import { fakeDocker, type FakeDocker } from './fake-docker.js';

/**
 * The image: its architecture is read from ECR and checked before the service exists; an image that does not exist
 * is an error before anything is created (checkImageBeforeUp) and again in the graph, never a deployment that
 * fails minutes later; a docker build pushes and deploys by digest; no Docker is a clear error with both ways out.
 * There is no Docker daemon here: the docker executable is a stand-in (fake-docker.ts). Registries outside ECR are
 * tested in image-registry.test.ts.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

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
  let docker: FakeDocker;
  const savedDockerConfig = process.env['DOCKER_CONFIG'];

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
    docker = fakeDocker(h.dir, h.sb.endpoint);
    // The "user's" docker directory: the build never reads or writes the real ~/.docker.
    process.env['DOCKER_CONFIG'] = join(h.dir, 'user-docker');
  });
  after(async () => {
    if (savedDockerConfig === undefined) delete process.env['DOCKER_CONFIG'];
    else process.env['DOCKER_CONFIG'] = savedDockerConfig;
    await h.close();
  });

  it('reads architectures from an index and from a single manifest config', async () => {
    const arm = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:arm`, 'X86_64');
    assert.deepEqual(arm, { checked: true, architectures: ['arm64'], matches: false, digest: (arm as { digest: string }).digest });
    const armSingle = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:arm-single`, 'ARM64');
    assert.equal(armSingle.checked && armSingle.matches, true);
    const missing = await checkArchitecture(h.clients, `${REGISTRY}/prebuilt:nope`, 'X86_64');
    assert.equal(missing.checked === false && missing.missing, true, 'ECR said there is no such image');
  });

  it('an arm64 image for X86_64 tasks stops up with IMAGE_ARCH_MISMATCH before anything is created', async () => {
    for (const tag of ['arm', 'arm-single']) {
      const before = (await h.calls()).operations;
      const err = await threeTierFailure(h.up({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:${tag}` } }));
      assert.equal(err.code, 'IMAGE_ARCH_MISMATCH');
      assert.equal(err.kind, 'usage', 'exit 2: the plan refuses it');
      assert.match(err.message, /arm64/);
      assert.ok(err.hints.some((x) => x.includes('--platform linux/amd64')), err.hints.join('\n'));
      const after = (await h.calls()).operations;
      const changed = Object.keys(after).filter((op) => !/:(Describe|List|Get|BatchGet)/.test(op) && after[op] !== before[op]);
      assert.deepEqual(changed, [], 'not one call that changes anything');
      assert.equal(readManifest(h.manifestPath), undefined, 'no manifest: nothing was made');
      assert.equal(existsSync(`${h.manifestPath}.lock`), false);
    }
  });

  it('an image that does not exist is a usage error before up, naming it and how to list the tags', async () => {
    for (const [uri, what] of [
      [`${REGISTRY}/prebuilt:missing`, /has no such image/],
      [`${REGISTRY}/prebuilt@sha256:${'0'.repeat(64)}`, /has no such image/],
      [`${REGISTRY}/no-such-repo:1`, /no repository no-such-repo/],
    ] as const) {
      const err = await threeTierFailure(checkImageBeforeUp(h.clients, uri, 'X86_64'));
      assert.equal(err.code, 'IMAGE_NOT_FOUND');
      assert.equal(err.kind, 'usage', 'exit 2');
      assert.ok(err.message.includes(uri), err.message);
      assert.match(err.message, what);
      assert.ok(err.hints.some((x) => x.includes(`aws ecr describe-images --repository-name ${parseEcrUri(uri)?.repository}`)), err.hints.join('\n'));
    }
    // An image of another repository that exists and fits passes, and one built for another architecture does not.
    assert.deepEqual(await checkImageBeforeUp(h.clients, `${REGISTRY}/prebuilt:amd-single`, 'X86_64'), { checked: true, architectures: ['amd64'] });
    const arm = await threeTierFailure(checkImageBeforeUp(h.clients, `${REGISTRY}/prebuilt:arm`, 'X86_64'));
    assert.equal(arm.code, 'IMAGE_ARCH_MISMATCH');
    assert.equal(arm.kind, 'usage');
    // ECR of another region cannot be read with the stack's clients: a note, not a guess.
    const other = await checkImageBeforeUp(h.clients, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/prebuilt:1', 'X86_64');
    assert.equal(other.checked, false);
    assert.match(other.checked ? '' : other.note, /not checked: the image is in ECR of another region \(eu-west-1\)/);
  });

  it('in the graph, an image that does not exist fails before the service exists, never as stopped tasks', async () => {
    // The plan saw a good image; the run is handed one that is gone (as when a tag is deleted in between).
    const { openStack, planUp, applyUp } = await import('../../src/provisioner.js');
    const session = openStack(h.manifestPath, 'up');
    h.sink.events.length = 0;
    try {
      const plan = await planUp(session, h.options({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:amd-single` } }));
      const err = await threeTierFailure(applyUp(session, plan, h.options({ image: { kind: 'existing', uri: `${REGISTRY}/prebuilt:missing` } })));
      assert.equal(err.code, 'IMAGE_NOT_FOUND');
      assert.match(err.message, /prebuilt:missing/);
      assert.ok(err.hints.some((x) => x.includes('aws ecr describe-images')));
    } finally {
      session.close();
    }
    assert.ok(!h.resourceEvents().some((e) => e.id === 'ecs-service' && e.phase === 'creating'), 'the service was not touched');
    const m = readManifest(h.manifestPath);
    assert.equal(m?.resources['image']?.status, 'failed');
    assert.equal(m?.resources['image']?.identity, undefined);
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

  it('a docker build pushes for linux/amd64 from the repository root and deploys by digest', async () => {
    const result = await h.up({ image: { kind: 'build', contextDir: ROOT, docker: docker.path } });
    const calls = docker.calls();
    const login = calls.find((c) => c.args[0] === 'login');
    assert.ok(login && login.stdin.length > 0, 'the password came on stdin');
    const build = calls.find((c) => c.args[0] === 'buildx' && c.args[1] === 'build');
    assert.ok(build?.args.includes('--push'));
    assert.equal(build?.args[build.args.indexOf('--platform') + 1], 'linux/amd64');
    assert.equal(build?.args.at(-1), ROOT);
    const td = await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition']?.['arn'] }));
    assert.match(td.taskDefinition?.containerDefinitions?.[0]?.image ?? '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/img-api@sha256:[0-9a-f]{64}$/);
  });

  it('without Docker, up says so with both ways out', async () => {
    // Another build context than the one already deployed, so that the image is built again.
    const other = join(h.dir, 'other');
    for (const f of ['package.json', 'package-lock.json', 'api/package.json', 'api/Dockerfile']) cpSync(join(ROOT, f), join(other, f));
    const missing = await threeTierFailure(h.up({ image: { kind: 'build', contextDir: other, docker: join(h.dir, 'no-such-docker') } }));
    assert.equal(missing.code, 'IMAGE_NO_DOCKER');
    assert.ok(missing.hints.some((x) => /install Docker|start Docker/i.test(x)));
    assert.ok(missing.hints.some((x) => x.includes('--image')));
    process.env['FAKE_DOCKER_NO_DAEMON'] = '1';
    try {
      const noDaemon = await threeTierFailure(h.up({ image: { kind: 'build', contextDir: other, docker: docker.path } }));
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
    const err = await threeTierFailure(h.up());
    assert.equal(err.code, 'SERVICE_DEPLOYMENT_FAILED');
    assert.match(err.message, /exec format error/);
    assert.ok(err.hints.some((x) => /another CPU architecture/.test(x) && /--platform linux\/amd64/.test(x)), err.hints.join('\n'));
    assert.equal(readManifest(h.manifestPath)?.resources['ecs-service']?.status, 'failed');
  });
});
