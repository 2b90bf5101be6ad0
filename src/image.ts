import { spawn } from 'node:child_process';
import { BatchGetImageCommand, DescribeImagesCommand, GetAuthorizationTokenCommand, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { ThreeTierError } from './errors.js';
import { errorMessage, isAwsError } from './aws/errors.js';
import { interrupted } from './aws/wait.js';
import type { AwsClients } from './aws/clients.js';
import type { StackConfig } from './config.js';

/**
 * Where the API image comes from, and what the provisioner checks before deploying it.
 * - existing: an image reference the user gave (--image).
 * - build: build api/ with the docker CLI for the stack's platform, push it to the stack's ECR repository, deploy
 *   it by digest. `docker login` gets the ECR password on stdin, never on the command line.
 * - sandbox-push: a rehearsal without docker; the image is staged into the simulated ECR (POST /_sandbox/images)
 *   as a stand-in for the push.
 */
export type ImageSource =
  | { kind: 'existing'; uri: string }
  | { kind: 'build'; contextDir: string; /** The docker executable (tests point it elsewhere). */ docker?: string }
  | { kind: 'sandbox-push'; endpoint: string };

/** What the manifest remembers of the source, to notice a change on the next `up`. */
export function describeSource(source: ImageSource): string {
  switch (source.kind) {
    case 'existing':
      return `existing:${source.uri}`;
    case 'build':
      return `build:${source.contextDir}`;
    case 'sandbox-push':
      return 'sandbox-push';
  }
}

/** docker's platform names and ECS's. */
export function platformOf(arch: StackConfig['cpuArchitecture']): { docker: string; oci: 'amd64' | 'arm64' } {
  return arch === 'ARM64' ? { docker: 'linux/arm64', oci: 'arm64' } : { docker: 'linux/amd64', oci: 'amd64' };
}

export function ecsArchitecture(oci: string): StackConfig['cpuArchitecture'] | undefined {
  if (oci === 'amd64' || oci === 'x86_64') return 'X86_64';
  if (oci === 'arm64' || oci === 'aarch64') return 'ARM64';
  return undefined;
}

export interface EcrReference {
  registryId: string;
  region: string;
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parse an ECR image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@sha256:...]); other registries: undefined. */
export function parseEcrUri(uri: string): EcrReference | undefined {
  const m = /^((\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\/(.+)$/.exec(uri);
  if (!m) return undefined;
  const [, host = '', registryId = '', region = '', rest = ''] = m;
  const at = rest.indexOf('@');
  const name = at >= 0 ? rest.slice(0, at) : rest;
  const digest = at >= 0 ? rest.slice(at + 1) : undefined;
  // A tag follows the last ':' after the last '/'.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const ref: EcrReference = { host, registryId, region, repository: hasTag ? name.slice(0, colon) : name };
  if (hasTag) ref.tag = name.slice(colon + 1);
  if (digest) ref.digest = digest;
  if (!ref.tag && !ref.digest) ref.tag = 'latest';
  return ref;
}

export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export type ArchitectureCheck =
  | { checked: true; architectures: string[]; matches: boolean; digest?: string }
  | { checked: false; reason: string };

/**
 * Read the image's architecture(s) from the registry: BatchGetImage with acceptedMediaTypes; an index lists
 * manifests[].platform (attestation entries are unknown/unknown: skipped); a single manifest names its config
 * blob, whose `architecture` GetDownloadUrlForLayer lets us read. DescribeImages does not tell the architecture.
 */
export async function checkArchitecture(clients: AwsClients, uri: string, want: StackConfig['cpuArchitecture'], signal?: AbortSignal): Promise<ArchitectureCheck> {
  const ref = parseEcrUri(uri);
  if (!ref) return { checked: false, reason: 'the image is not in ECR, so its architecture cannot be read before deploying' };
  // The clients speak to the stack's region; ECS pulls across regions, the check does not.
  if (ref.region !== clients.region) return { checked: false, reason: `the image is in ECR of another region (${ref.region})` };
  let out;
  try {
    out = await clients.ecr.send(
      new BatchGetImageCommand({
        registryId: ref.registryId,
        repositoryName: ref.repository,
        imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }],
        acceptedMediaTypes: ACCEPTED_MEDIA_TYPES,
      }),
    );
  } catch (err) {
    if (isAwsError(err, 'RepositoryNotFoundException', 'AccessDeniedException')) return { checked: false, reason: `the registry refused to describe it (${errorMessage(err)})` };
    throw err;
  }
  const image = out.images?.[0];
  if (!image?.imageManifest) {
    const f = out.failures?.[0];
    return { checked: false, reason: `the registry has no such image${f ? ` (${f.failureCode ?? ''}: ${f.failureReason ?? ''})` : ''}` };
  }
  const digest = image.imageId?.imageDigest;
  let manifest: { mediaType?: string; manifests?: { platform?: { architecture?: string; os?: string } }[]; config?: { digest?: string } };
  try {
    manifest = JSON.parse(image.imageManifest) as typeof manifest;
  } catch {
    return { checked: false, reason: 'the image manifest is not JSON' };
  }
  let architectures: string[];
  if (Array.isArray(manifest.manifests)) {
    architectures = manifest.manifests
      .map((m) => m.platform)
      .filter((p) => p && p.architecture && p.architecture !== 'unknown' && p.os !== 'unknown')
      .map((p) => p?.architecture ?? '');
  } else if (manifest.config?.digest) {
    const layer = await clients.ecr.send(new GetDownloadUrlForLayerCommand({ registryId: ref.registryId, repositoryName: ref.repository, layerDigest: manifest.config.digest }));
    if (!layer.downloadUrl) return { checked: false, reason: 'the registry gave no URL for the image config' };
    const res = await fetch(layer.downloadUrl, signal ? { signal } : {});
    if (!res.ok) return { checked: false, reason: `the image config could not be read (HTTP ${res.status})` };
    const config = (await res.json()) as { architecture?: string };
    architectures = config.architecture ? [config.architecture] : [];
  } else {
    return { checked: false, reason: 'the image manifest names neither platforms nor a config' };
  }
  const matches = architectures.some((a) => ecsArchitecture(a) === want);
  return digest ? { checked: true, architectures, matches, digest } : { checked: true, architectures, matches };
}

export function archMismatch(uri: string, found: string[], want: StackConfig['cpuArchitecture']): ThreeTierError {
  const platform = platformOf(want).docker;
  return new ThreeTierError('IMAGE_ARCH_MISMATCH', `the image ${uri} is built for ${found.join(', ') || 'an unknown architecture'}, but the stack's tasks run ${want} (${platform})`, {
    hints: [
      `rebuild it for the tasks: docker buildx build --platform ${platform} --push ...`,
      want === 'X86_64' && found.includes('arm64') ? 'or run the tasks on ARM64 (Graviton): --arch ARM64' : `or set the stack architecture to match the image (--arch ${want === 'X86_64' ? 'ARM64' : 'X86_64'})`,
    ],
  });
}

/** The digest of a tag in ECR, to deploy by digest (a tag can move; a digest cannot). */
export async function digestOf(clients: AwsClients, ref: EcrReference): Promise<string | undefined> {
  if (ref.digest) return ref.digest;
  if (ref.region !== clients.region) return undefined;
  try {
    const out = await clients.ecr.send(
      new DescribeImagesCommand({ registryId: ref.registryId, repositoryName: ref.repository, imageIds: [{ imageTag: ref.tag ?? 'latest' }] }),
    );
    return out.imageDetails?.[0]?.imageDigest;
  } catch (err) {
    if (isAwsError(err, 'ImageNotFoundException', 'RepositoryNotFoundException')) return undefined;
    throw err;
  }
}

/** Whether the image (by digest or tag) is in its repository; undefined when it cannot be told (another region). */
export async function imageExists(clients: AwsClients, ref: EcrReference): Promise<boolean | undefined> {
  if (ref.region !== clients.region) return undefined;
  try {
    const out = await clients.ecr.send(
      new DescribeImagesCommand({ registryId: ref.registryId, repositoryName: ref.repository, imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }] }),
    );
    return (out.imageDetails ?? []).length > 0;
  } catch (err) {
    if (isAwsError(err, 'ImageNotFoundException', 'RepositoryNotFoundException')) return false;
    throw err;
  }
}

/** Stage an image in the simulated ECR: the sandbox's stand-in for `docker push`. */
export async function stageSandboxImage(endpoint: string, repository: string, tag: string, architecture: 'amd64' | 'arm64', signal?: AbortSignal): Promise<void> {
  const res = await fetch(`${endpoint.replace(/\/$/, '')}/_sandbox/images`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ repository, tag, architecture }),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) {
    const text = await res.text();
    throw new ThreeTierError('IMAGE_STAGE_FAILED', `the sandbox refused to stage ${repository}:${tag} (HTTP ${res.status}): ${text.slice(0, 300)}`, {
      hints: ['is --endpoint-url a three-tier sandbox? Otherwise pass --image URI'],
    });
  }
}

// ---- docker ----

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function noDocker(detail: string): ThreeTierError {
  return new ThreeTierError('IMAGE_NO_DOCKER', `building the API image needs Docker, and ${detail}`, {
    kind: 'failure',
    hints: ['install Docker (or start Docker Desktop / the docker daemon) and run up again', 'or deploy an image you already pushed: --image ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG'],
  });
}

/** Run a command; `input` goes to its stdin (the registry password). ENOENT is "docker is not installed". */
function run(cmd: string, args: string[], options: { input?: string; signal?: AbortSignal; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
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

/** Docker must be installed and its daemon reachable. */
export async function ensureDocker(docker = 'docker', signal?: AbortSignal): Promise<void> {
  const r = await run(docker, ['version', '--format', '{{.Server.Version}}'], signal ? { signal } : {});
  if (r.code !== 0) throw noDocker(`the Docker daemon does not answer (${lastLines(r.stderr, 2) || `exit ${r.code}`})`);
}

/**
 * Build the API for the stack's platform and push it to the repository; returns the image URI by digest.
 * `docker buildx build --push` when buildx is there, else build + push.
 */
export async function buildAndPush(
  clients: AwsClients,
  options: { contextDir: string; repositoryUri: string; architecture: StackConfig['cpuArchitecture']; docker?: string; signal?: AbortSignal; onStep?: (step: string) => void },
): Promise<string> {
  const docker = options.docker ?? 'docker';
  const sig = options.signal ? { signal: options.signal } : {};
  await ensureDocker(docker, options.signal);
  const auth = (await clients.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  if (!auth?.authorizationToken || !auth.proxyEndpoint) throw new ThreeTierError('IMAGE_PUSH_FAILED', 'ECR gave no authorization token');
  const [user, password] = Buffer.from(auth.authorizationToken, 'base64').toString('utf8').split(':');
  options.onStep?.('docker login to ECR');
  const login = await run(docker, ['login', '--username', user ?? 'AWS', '--password-stdin', auth.proxyEndpoint], { input: password ?? '', ...sig });
  if (login.code !== 0) throw new ThreeTierError('IMAGE_PUSH_FAILED', `docker login to ${auth.proxyEndpoint} failed: ${lastLines(login.stderr, 3)}`);

  const tag = `build-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  const target = `${options.repositoryUri}:${tag}`;
  const platform = platformOf(options.architecture).docker;
  const buildx = await run(docker, ['buildx', 'version'], sig);
  options.onStep?.(`docker build --platform ${platform}`);
  if (buildx.code === 0) {
    const b = await run(docker, ['buildx', 'build', '--platform', platform, '--tag', target, '--push', options.contextDir], sig);
    if (b.code !== 0) throw new ThreeTierError('IMAGE_BUILD_FAILED', `docker buildx build failed:\n${lastLines(b.stderr)}`, { hints: [`build it yourself: docker buildx build --platform ${platform} ${options.contextDir}`] });
  } else {
    const b = await run(docker, ['build', '--platform', platform, '--tag', target, options.contextDir], sig);
    if (b.code !== 0) throw new ThreeTierError('IMAGE_BUILD_FAILED', `docker build failed:\n${lastLines(b.stderr)}`, { hints: [`build it yourself: docker build --platform ${platform} ${options.contextDir}`] });
    options.onStep?.('docker push');
    const p = await run(docker, ['push', target], sig);
    if (p.code !== 0) throw new ThreeTierError('IMAGE_PUSH_FAILED', `docker push failed:\n${lastLines(p.stderr)}`);
  }
  const ref = parseEcrUri(target);
  const digest = ref ? await digestOf(clients, ref) : undefined;
  return digest ? `${options.repositoryUri}@${digest}` : target;
}
