import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ThreeTierError } from './errors.js';
import { interrupted } from './aws/wait.js';
import { digestOf, parseEcrUri, platformOf } from './image.js';
import type { AwsClients } from './aws/clients.js';
import type { StackConfig } from './config.js';

/**
 * Building the API image with the docker CLI and pushing it to the stack's ECR repository.
 * - The context is the repository root and the recipe api/Dockerfile, so the image installs exactly what
 *   package-lock.json pins (`npm ci`); the root .dockerignore admits only what the build reads.
 * - `docker buildx build --platform P`: the Dockerfile's stages follow $TARGETPLATFORM, so the platform asked for
 *   is the platform of every binary in the image (test/provisioner/image-build.test.ts holds the two together).
 *   BuildKit is required: there is no fallback to the legacy builder, which cannot build this Dockerfile.
 * - The ECR password goes to `docker login` on stdin, into a private docker config directory (0700) made for this
 *   build and removed after the push whatever happens: the user's ~/.docker/config.json is never touched.
 */

/** The recipe, relative to the build context (the repository root). */
export const DOCKERFILE = 'api/Dockerfile';
/** What the build reads from the context: without the lockfile there is no reproducible install. */
const CONTEXT_FILES = ['package.json', 'package-lock.json', 'api/package.json', DOCKERFILE];

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const PUSHED_IMAGE_HINT = 'or deploy an image you already pushed: --image ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG';

function noDocker(detail: string): ThreeTierError {
  return new ThreeTierError('IMAGE_NO_DOCKER', `building the API image needs Docker, and ${detail}`, {
    kind: 'failure',
    hints: ['install Docker (or start Docker Desktop / the docker daemon) and run up again', PUSHED_IMAGE_HINT],
  });
}

/** Run a command; `input` goes to its stdin (the registry password). ENOENT is "docker is not installed". */
function run(cmd: string, args: string[], options: { input?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout = (stdout + d.toString()).slice(-20_000);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(noDocker(`"${cmd}" was not found on the PATH`));
      else if (err.name === 'AbortError') reject(interrupted());
      else reject(new ThreeTierError('IMAGE_BUILD_FAILED', `${cmd} ${args[0] ?? ''} could not run: ${err.message}`));
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** The build context must hold what the Dockerfile installs from; an installed npm package has no lockfile. */
export function checkBuildContext(contextDir: string): void {
  const missing = CONTEXT_FILES.filter((f) => !existsSync(join(contextDir, f)));
  if (missing.length === 0) return;
  throw new ThreeTierError('IMAGE_BUILD_CONTEXT', `building the API image needs ${missing.join(', ')} in ${contextDir}, and ${missing.length === 1 ? 'it is' : 'they are'} not there`, {
    kind: 'failure',
    hints: [
      'run up from a clone of the three-tier repository (git clone, then npm ci): the image installs exactly what its package-lock.json pins, and an installed npm package carries no lockfile',
      PUSHED_IMAGE_HINT,
    ],
  });
}

/** Docker must be installed and its daemon reachable. */
export async function ensureDocker(docker = 'docker', signal?: AbortSignal): Promise<void> {
  const r = await run(docker, ['version', '--format', '{{.Server.Version}}'], signal ? { signal } : {});
  if (r.code !== 0) throw noDocker(`the Docker daemon does not answer (${lastLines(r.stderr, 2) || `exit ${r.code}`})`);
}

/** The Dockerfile needs BuildKit (FROM --platform=$TARGETPLATFORM, ADD --chmod): the buildx plugin must be there. */
async function ensureBuildx(docker: string, signal?: AbortSignal): Promise<void> {
  const r = await run(docker, ['buildx', 'version'], signal ? { signal } : {});
  if (r.code === 0) return;
  throw new ThreeTierError('IMAGE_NO_BUILDX', `building the API image needs Docker's buildx plugin (BuildKit), and "${docker} buildx" is not available (${lastLines(r.stderr, 1) || `exit ${r.code}`})`, {
    kind: 'failure',
    hints: [
      "Docker Desktop includes it; on Linux install the docker-buildx-plugin package from Docker's apt or dnf repository (https://docs.docker.com/engine/install/), then check with: docker buildx version",
      PUSHED_IMAGE_HINT,
    ],
  });
}

/** Everything a build needs, checked before anything is created: the context, the daemon, buildx. */
export async function ensureCanBuild(contextDir: string, docker = 'docker', signal?: AbortSignal): Promise<void> {
  checkBuildContext(contextDir);
  await ensureDocker(docker, signal);
  await ensureBuildx(docker, signal);
}

/** State of the user's docker directory the build needs (plugins such as buildx, contexts, builders), shared by link. */
const SHARED_DOCKER_STATE = ['cli-plugins', 'contexts', 'buildx'];
/** Where credentials live in config.json: left out, so a login writes only to the private directory. */
const CREDENTIAL_KEYS = ['auths', 'credsStore', 'credHelpers'];

/**
 * Run `fn` with DOCKER_CONFIG set to a fresh directory (0700) that carries the user's docker settings (the current
 * context, proxies, plugin directories) without their credentials, and remove it afterwards whatever happens.
 */
export async function withPrivateDockerConfig<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const userDir = process.env['DOCKER_CONFIG'] || join(homedir(), '.docker');
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-docker-'));
  try {
    chmodSync(dir, 0o700);
    let settings: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(readFileSync(join(userDir, 'config.json'), 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) settings = parsed as Record<string, unknown>;
    } catch {
      // No config.json (or not JSON): docker's defaults.
    }
    for (const key of CREDENTIAL_KEYS) delete settings[key];
    writeFileSync(join(dir, 'config.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    for (const name of SHARED_DOCKER_STATE) {
      if (existsSync(join(userDir, name))) symlinkSync(join(userDir, name), join(dir, name));
    }
    return await fn({ ...process.env, DOCKER_CONFIG: dir });
  } finally {
    // Removes the links, never what they point to.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The build command: context = the repository root, recipe = api/Dockerfile, one platform, pushed by BuildKit. */
export function buildArgs(contextDir: string, platform: string, target: string): string[] {
  return ['buildx', 'build', '--platform', platform, '--file', join(contextDir, DOCKERFILE), '--tag', target, '--push', contextDir];
}

function buildFailed(stderr: string, args: string[], docker: string): ThreeTierError {
  const hints = [`build it yourself to see the whole output: ${docker} ${args.join(' ')}`];
  // RUN steps of the target platform's stages run under emulation when the Docker host has another CPU.
  if (/exec format error/i.test(stderr)) hints.push('building for another CPU architecture than the Docker host needs emulation: docker run --privileged --rm tonistiigi/binfmt --install all (Docker Desktop has it built in)');
  return new ThreeTierError('IMAGE_BUILD_FAILED', `docker buildx build failed:\n${lastLines(stderr)}`, { hints });
}

/** Build the API for the stack's platform and push it to the repository; returns the image URI by digest. */
export async function buildAndPush(
  clients: AwsClients,
  options: { contextDir: string; repositoryUri: string; architecture: StackConfig['cpuArchitecture']; docker?: string; signal?: AbortSignal; onStep?: (step: string) => void },
): Promise<string> {
  const docker = options.docker ?? 'docker';
  const sig = options.signal ? { signal: options.signal } : {};
  await ensureCanBuild(options.contextDir, docker, options.signal);
  const auth = (await clients.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  if (!auth?.authorizationToken || !auth.proxyEndpoint) throw new ThreeTierError('IMAGE_PUSH_FAILED', 'ECR gave no authorization token');
  const [user, password] = Buffer.from(auth.authorizationToken, 'base64').toString('utf8').split(':');
  const proxyEndpoint = auth.proxyEndpoint;

  const tag = `build-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  const target = `${options.repositoryUri}:${tag}`;
  const platform = platformOf(options.architecture).docker;
  const args = buildArgs(options.contextDir, platform, target);
  await withPrivateDockerConfig(async (env) => {
    options.onStep?.('docker login to ECR (in a private docker config, removed after the push)');
    const login = await run(docker, ['login', '--username', user ?? 'AWS', '--password-stdin', proxyEndpoint], { input: password ?? '', env, ...sig });
    if (login.code !== 0) throw new ThreeTierError('IMAGE_PUSH_FAILED', `docker login to ${proxyEndpoint} failed: ${lastLines(login.stderr, 3)}`);
    options.onStep?.(`docker buildx build --platform ${platform} --push`);
    const b = await run(docker, args, { env, ...sig });
    if (b.code !== 0) throw buildFailed(b.stderr, args, docker);
  });
  const ref = parseEcrUri(target);
  const digest = ref ? await digestOf(clients, ref) : undefined;
  return digest ? `${options.repositoryUri}@${digest}` : target;
}
