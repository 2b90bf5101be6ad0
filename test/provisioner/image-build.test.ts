import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { createClients, destroyClients, type AwsClients } from '../../src/aws/clients.js';
import { checkArchitecture, platformOf } from '../../src/image.js';
import { buildAndPush, ensureCanBuild } from '../../src/image-build.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { eventually, sandbox } from '../sandbox/helpers.js';
import { buildArgsOf, flagValue, parseDockerfile, stages } from './dockerfile.js';
import { threeTierFailure } from './expect.js';
import { fakeDocker, type DockerCall, type FakeDocker } from './fake-docker.js';

/**
 * Building the API image. There is no Docker daemon here, so the docker executable is a stand-in (fake-docker.ts)
 * that records what three-tier runs and plays the push into the sandbox's ECR; the Dockerfile is the real
 * api/Dockerfile, read by test/provisioner/dockerfile.ts. What is held together: the platform three-tier asks for is
 * the platform of every binary the Dockerfile puts in the image (issue 11.1); the build installs from the lockfile;
 * no buildx means a clear error before anything happens; the ECR password never reaches the user's docker config.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = join(ROOT, 'api', 'Dockerfile');

const isBuild = (c: DockerCall) => c.args[0] === 'buildx' && c.args[1] === 'build';

describe('the image build', () => {
  let sb: Sandbox;
  let clients: AwsClients;
  let dir: string;
  let userDockerDir: string;
  let docker: FakeDocker;
  let repositoryUri: string;
  const savedDockerConfig = process.env['DOCKER_CONFIG'];

  before(async () => {
    sb = await sandbox();
    clients = createClients({ region: 'us-east-1', endpoint: sb.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, retryMode: 'standard' });
    dir = mkdtempSync(join(tmpdir(), 'three-tier-build-'));
    docker = fakeDocker(dir, sb.endpoint);
    // The user's docker directory, as found on a Docker Desktop machine: credentials, a current context, plugins.
    userDockerDir = join(dir, 'user-docker');
    mkdirSync(join(userDockerDir, 'cli-plugins'), { recursive: true });
    writeFileSync(join(userDockerDir, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n');
    writeFileSync(
      join(userDockerDir, 'config.json'),
      JSON.stringify({ auths: { 'registry.example.com': { auth: 'dXNlcjpwYXNz' } }, credsStore: 'desktop', credHelpers: { 'x.example.com': 'x' }, currentContext: 'colima' }),
    );
    process.env['DOCKER_CONFIG'] = userDockerDir;
    const repo = await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'build-api' }));
    repositoryUri = repo.repository?.repositoryUri ?? '';
  });
  after(async () => {
    if (savedDockerConfig === undefined) delete process.env['DOCKER_CONFIG'];
    else process.env['DOCKER_CONFIG'] = savedDockerConfig;
    destroyClients(clients);
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const architecture of ['X86_64', 'ARM64'] as const) {
    it(`${architecture}: the build command and api/Dockerfile agree, and the registry reports the platform asked for`, async () => {
      const before = docker.calls().length;
      const uri = await buildAndPush(clients, { contextDir: ROOT, repositoryUri, architecture, docker: docker.path });
      const build = docker.calls().slice(before).find(isBuild);
      assert.ok(build, 'docker buildx build ran');
      const platform = flagValue(build.args, '--platform');
      assert.equal(platform, platformOf(architecture).docker);
      assert.equal(flagValue(build.args, '--file'), DOCKERFILE);
      assert.equal(build.args.at(-1), ROOT, 'the context is the repository root, where package-lock.json is');
      assert.ok(build.args.includes('--push'));

      const dockerfile = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
      // Whatever machine builds it: an Intel or an Apple silicon / Graviton builder.
      for (const builder of ['linux/amd64', 'linux/arm64']) {
        const all = stages(dockerfile, { TARGETPLATFORM: platform ?? '', BUILDPLATFORM: builder }, buildArgsOf(build.args));
        const final = all.at(-1);
        assert.ok(final, 'the Dockerfile has stages');
        assert.equal(final.platform, platform, `the final stage is built for ${platform} on a ${builder} builder`);
        for (const copy of final.copiesFrom) {
          const from = all.find((s) => s.name === copy.from);
          assert.ok(from, `COPY --from=${copy.from} names a stage`);
          if (from.platform === platform) continue;
          // Only compiled JavaScript and the CA bundle's PEM text may come from a stage of another platform: they
          // are the same on every platform (no binary, no native module).
          assert.ok(
            copy.sources.every((s) => /\/dist\/?$/.test(s) || /\.pem$/.test(s)),
            `${copy.sources.join(', ')} comes from stage ${copy.from}, built for ${from.platform}, into a ${platform} image`,
          );
        }
      }
      // What the registry then says is what the tasks need.
      const check = await checkArchitecture(clients, uri, architecture);
      assert.ok(check.checked && check.matches, JSON.stringify(check));
      assert.match(uri, /@sha256:[0-9a-f]{64}$/, 'deployed by digest');
    });
  }

  it('api/Dockerfile installs from the lockfile, on a supported Node pinned by digest, and runs as node', () => {
    const dockerfile = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
    const runs = dockerfile.filter((i) => i.keyword === 'RUN').map((i) => i.rest);
    assert.ok(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'production dependencies come from npm ci');
    assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'never npm install: it ignores the lockfile');
    const all = stages(dockerfile, { TARGETPLATFORM: 'linux/amd64', BUILDPLATFORM: 'linux/amd64' });
    for (const stage of all.filter((s) => !all.some((o) => o.name === s.image))) {
      // Node 20 reached its end of life on 2026-04-30.
      assert.match(stage.image, /^node:(22|24)\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/, `stage ${stage.name ?? ''} starts from ${stage.image}`);
    }
    const final = all.at(-1);
    assert.equal(final?.instructions.filter((i) => i.keyword === 'USER').at(-1)?.rest, 'node', 'the container is not root');
    assert.ok(final?.instructions.some((i) => i.keyword === 'HEALTHCHECK'));
    assert.equal(final?.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.rest, '["node", "dist/main.js"]');
  });

  it('the lockfile holds no production dependency of the API that needs an install script (the image runs none)', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages).filter(([name, p]) => name !== '' && !p.dev && p.hasInstallScript);
    assert.deepEqual(scripted.map(([name]) => name), [], 'npm ci --ignore-scripts would leave these broken in the image: build them in the deps stage');
  });

  it('.dockerignore admits what the Dockerfile reads from the context, and nothing else', () => {
    const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(rules[0], '*', 'everything is left out unless admitted');
    const admitted = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1).replace(/\/$/, ''));
    const read = stages(parseDockerfile(readFileSync(DOCKERFILE, 'utf8')), { TARGETPLATFORM: 'linux/amd64', BUILDPLATFORM: 'linux/amd64' }).flatMap((s) => s.contextSources);
    assert.ok(read.length > 0);
    for (const source of read) {
      const path = source.replace(/^\.\//, '').replace(/\/$/, '');
      assert.ok(admitted.some((a) => path === a || path.startsWith(`${a}/`)), `${source} is read by the Dockerfile but left out by .dockerignore`);
      assert.ok(existsSync(join(ROOT, path)), `${source} exists`);
    }
    for (const a of admitted) assert.ok(!/node_modules|^dist|\.git|\.three-tier|^test|\.env/.test(a), `${a} is admitted`);
  });

  it('logs in and pushes with a private docker config: the user settings, not their credentials, removed afterwards', async () => {
    const userConfig = readFileSync(join(userDockerDir, 'config.json'), 'utf8');
    const before = docker.calls().length;
    await buildAndPush(clients, { contextDir: ROOT, repositoryUri, architecture: 'X86_64', docker: docker.path });
    const calls = docker.calls().slice(before);
    const login = calls.find((c) => c.args[0] === 'login');
    const build = calls.find(isBuild);
    assert.ok(login && build);
    assert.ok(login.stdin.length > 0, 'the password came on stdin');
    for (const c of calls) assert.ok(!c.args.includes(login.stdin), 'never on the command line');
    const privateDir = login.dockerConfig ?? '';
    assert.ok(privateDir !== '' && privateDir !== userDockerDir, `DOCKER_CONFIG was ${privateDir}`);
    assert.equal(build.dockerConfig, privateDir, 'the push uses the login of the same config');
    assert.equal(login.mode, 0o700);
    // What the private config started with: the user's settings without any credential.
    assert.deepEqual(login.config, { currentContext: 'colima' });
    assert.deepEqual(login.links, { 'cli-plugins': join(userDockerDir, 'cli-plugins') });
    assert.ok(Object.keys((build.config?.['auths'] ?? {}) as object).length === 1, 'the push saw the ECR login');
    // The checks before the build ran with the user's own config.
    assert.equal(calls.find((c) => c.args[0] === 'version')?.dockerConfig, userDockerDir);
    assert.equal(existsSync(privateDir), false, 'the private config is gone');
    assert.equal(readFileSync(join(userDockerDir, 'config.json'), 'utf8'), userConfig, "the user's config is untouched");
    assert.ok(existsSync(join(userDockerDir, 'cli-plugins', 'docker-buildx')), 'the linked plugins are still there');
  });

  it('removes the private config when the build fails, and when it is interrupted', async () => {
    process.env['FAKE_DOCKER_BUILD_FAIL'] = '1';
    let before = docker.calls().length;
    try {
      const err = await threeTierFailure(buildAndPush(clients, { contextDir: ROOT, repositoryUri, architecture: 'ARM64', docker: docker.path }));
      assert.equal(err.code, 'IMAGE_BUILD_FAILED');
      assert.match(err.message, /failed to solve/);
    } finally {
      delete process.env['FAKE_DOCKER_BUILD_FAIL'];
    }
    const failed = docker.calls().slice(before).find(isBuild);
    assert.ok(failed?.dockerConfig);
    assert.equal(existsSync(failed.dockerConfig), false);

    process.env['FAKE_DOCKER_BUILD_HANG'] = '1';
    before = docker.calls().length;
    const abort = new AbortController();
    try {
      const pending = threeTierFailure(buildAndPush(clients, { contextDir: ROOT, repositoryUri, architecture: 'ARM64', docker: docker.path, signal: abort.signal }));
      const hanging = await eventually(async () => docker.calls().slice(before).find(isBuild), 10_000, 'the build to start');
      assert.ok(hanging.dockerConfig && existsSync(hanging.dockerConfig), 'the private config exists while the build runs');
      abort.abort();
      const err = await pending;
      assert.equal(err.code, 'INTERRUPTED');
      assert.equal(existsSync(hanging.dockerConfig), false);
    } finally {
      delete process.env['FAKE_DOCKER_BUILD_HANG'];
    }
  });

  it('without buildx: a clear error before any login or build, with how to install it', async () => {
    process.env['FAKE_DOCKER_NO_BUILDX'] = '1';
    const before = docker.calls().length;
    try {
      for (const attempt of [
        () => ensureCanBuild(ROOT, docker.path),
        () => buildAndPush(clients, { contextDir: ROOT, repositoryUri, architecture: 'X86_64', docker: docker.path }),
      ]) {
        const err = await threeTierFailure(attempt());
        assert.equal(err.code, 'IMAGE_NO_BUILDX');
        assert.match(err.message, /buildx/);
        assert.match(err.message, /'buildx' is not a docker command/);
        assert.ok(err.hints.some((h) => /docker-buildx-plugin/.test(h)), err.hints.join('\n'));
        assert.ok(err.hints.some((h) => h.includes('--image')));
      }
    } finally {
      delete process.env['FAKE_DOCKER_NO_BUILDX'];
    }
    const calls = docker.calls().slice(before);
    assert.ok(!calls.some((c) => c.args[0] === 'login' || isBuild(c) || c.args[0] === 'build'), calls.map((c) => c.args.join(' ')).join('\n'));
  });

  it('without the lockfile (an installed package): a clear error naming it, before docker runs', async () => {
    const installed = join(dir, 'installed');
    mkdirSync(join(installed, 'api'), { recursive: true });
    for (const f of ['package.json', 'api/package.json', 'api/Dockerfile']) writeFileSync(join(installed, f), '{}');
    const before = docker.calls().length;
    const err = await threeTierFailure(ensureCanBuild(installed, docker.path));
    assert.equal(err.code, 'IMAGE_BUILD_CONTEXT');
    assert.match(err.message, /package-lock\.json/);
    assert.ok(err.hints.some((h) => /clone/.test(h)));
    assert.equal(docker.calls().length, before);
  });
});
