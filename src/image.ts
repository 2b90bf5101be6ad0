import { BatchGetImageCommand, DescribeImagesCommand, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { ThreeTierError, type ErrorKind } from './errors.js';
import { errorMessage, isAwsError } from './aws/errors.js';
import { ACCEPTED_MEDIA_TYPES, configArchitecture, readManifestPlatforms } from './image-manifest.js';
import { PUBLIC_REGISTRIES, readRegistryImage, type RegistryAccess } from './image-registry.js';
import type { AwsClients } from './aws/clients.js';
import type { StackConfig } from './config.js';

/**
 * Where the API image comes from, and what the provisioner checks before deploying it.
 * - existing: an image reference the user gave (--image). `registry` points registries outside ECR elsewhere: only
 *   tests set it, to a fake registry on loopback.
 * - build: build api/ with the docker CLI for the stack's platform (src/image-build.ts), push it to the stack's ECR
 *   repository, deploy it by digest. `contextDir` is the repository root: the build installs from its lockfile.
 * - sandbox-push: a rehearsal without docker; the image is staged into the simulated ECR (POST /_sandbox/images)
 *   as a stand-in for the push.
 */
export type ImageSource =
  | { kind: 'existing'; uri: string; registry?: RegistryAccess }
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

export type ArchitectureCheck =
  | { checked: true; architectures: string[]; matches: boolean; digest?: string }
  /** `missing`: the registry says the image does not exist; otherwise there was no answer to go by. */
  | { checked: false; missing: boolean; reason: string };

export interface CheckOptions {
  signal?: AbortSignal;
  /** Registries outside ECR; the public ones unless a test points them at a fake. */
  registry?: RegistryAccess;
}

/** BatchGetImage failures that mean "no such image" (the others, e.g. KmsError, say nothing about existence). */
const MISSING_IMAGE_FAILURES = ['ImageNotFound', 'ImageTagDoesNotMatchDigest', 'InvalidImageDigest', 'InvalidImageTag'];

/**
 * Read an image's architecture(s) from ECR: BatchGetImage with acceptedMediaTypes; an index lists
 * manifests[].platform; a single manifest names its config blob, whose `architecture` GetDownloadUrlForLayer lets us
 * read. DescribeImages does not tell the architecture.
 */
async function checkEcrArchitecture(clients: AwsClients, uri: string, want: StackConfig['cpuArchitecture'], signal?: AbortSignal): Promise<ArchitectureCheck> {
  const ref = parseEcrUri(uri);
  if (!ref) return { checked: false, missing: false, reason: `${uri} is not an ECR image` };
  // The clients speak to the stack's region; ECS pulls across regions, the check does not.
  if (ref.region !== clients.region) return { checked: false, missing: false, reason: `the image is in ECR of another region (${ref.region})` };
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
    if (isAwsError(err, 'RepositoryNotFoundException')) return { checked: false, missing: true, reason: `ECR has no repository ${ref.repository} in registry ${ref.registryId}` };
    if (isAwsError(err, 'AccessDeniedException')) return { checked: false, missing: false, reason: `ECR refused to describe it (${errorMessage(err)})` };
    throw err;
  }
  const image = out.images?.[0];
  if (!image?.imageManifest) {
    const f = out.failures?.[0];
    const detail = f ? ` (${f.failureCode ?? ''}: ${f.failureReason ?? ''})` : '';
    const missing = f === undefined || MISSING_IMAGE_FAILURES.includes(f.failureCode ?? '');
    return { checked: false, missing, reason: `ECR ${missing ? 'has no such image' : 'did not return the image'} in ${ref.repository}${detail}` };
  }
  const digest = image.imageId?.imageDigest;
  const platforms = readManifestPlatforms(image.imageManifest);
  let architectures: string[];
  switch (platforms.kind) {
    case 'index':
    case 'inline':
      architectures = platforms.architectures;
      break;
    case 'unreadable':
      return { checked: false, missing: false, reason: platforms.reason };
    case 'single': {
      const layer = await clients.ecr.send(new GetDownloadUrlForLayerCommand({ registryId: ref.registryId, repositoryName: ref.repository, layerDigest: platforms.configDigest }));
      if (!layer.downloadUrl) return { checked: false, missing: false, reason: 'the registry gave no URL for the image config' };
      const res = await fetch(layer.downloadUrl, signal ? { signal } : {});
      if (!res.ok) return { checked: false, missing: false, reason: `the image config could not be read (HTTP ${res.status})` };
      const architecture = configArchitecture(await res.text());
      architectures = architecture ? [architecture] : [];
    }
  }
  const matches = architectures.some((a) => ecsArchitecture(a) === want);
  return digest ? { checked: true, architectures, matches, digest } : { checked: true, architectures, matches };
}

/**
 * Read the image's architecture(s) from its registry: ECR through the SDK, any other registry through its v2 API.
 * Against a simulator (the clients have a custom endpoint) an outside registry is not contacted unless a test
 * injects one: the rehearsal stays on this machine, and the simulated ECS does not pull from it either.
 */
export async function checkArchitecture(clients: AwsClients, uri: string, want: StackConfig['cpuArchitecture'], options: CheckOptions = {}): Promise<ArchitectureCheck> {
  if (parseEcrUri(uri)) return checkEcrArchitecture(clients, uri, want, options.signal);
  if (options.registry === undefined && clients.endpoint !== undefined) {
    return { checked: false, missing: false, reason: `the image is not in ECR, and AWS calls go to ${clients.endpoint}: its registry is not read during a rehearsal` };
  }
  const answer = await readRegistryImage(uri, options.registry ?? PUBLIC_REGISTRIES, options.signal);
  if (!answer.found) return { checked: false, missing: answer.missing, reason: answer.reason };
  return { checked: true, architectures: answer.architectures, matches: answer.architectures.some((a) => ecsArchitecture(a) === want) };
}

export function archMismatch(uri: string, found: string[], want: StackConfig['cpuArchitecture'], kind: ErrorKind = 'failure'): ThreeTierError {
  const platform = platformOf(want).docker;
  return new ThreeTierError('IMAGE_ARCH_MISMATCH', `the image ${uri} is built for ${found.join(', ') || 'an unknown architecture'}, but the stack's tasks run ${want} (${platform})`, {
    kind,
    hints: [
      `rebuild it for the tasks: docker buildx build --platform ${platform} --push ...`,
      want === 'X86_64' && found.includes('arm64') ? 'or run the tasks on ARM64 (Graviton): --arch ARM64' : `or set the stack architecture to match the image (--arch ${want === 'X86_64' ? 'ARM64' : 'X86_64'})`,
    ],
  });
}

/** The image does not exist: the tasks could never pull it (CannotPullContainerError minutes later). */
export function imageNotFound(uri: string, reason: string, kind: ErrorKind = 'failure'): ThreeTierError {
  const ecr = parseEcrUri(uri);
  const list = ecr
    ? `list the tags that exist: aws ecr describe-images --repository-name ${ecr.repository} --registry-id ${ecr.registryId} --region ${ecr.region} --query 'imageDetails[].[imageTags,imageDigest]'`
    : `check the reference and its tags on the registry (docker buildx imagetools inspect ${uri} shows what it has)`;
  return new ThreeTierError('IMAGE_NOT_FOUND', `the image ${uri} does not exist: ${reason}`, {
    kind,
    hints: [list, 'push the image first, or pass --image with a tag or digest that exists'],
  });
}

export type ImagePreflight = { checked: true; architectures: string[] } | { checked: false; note: string };

/** A check's outcome for the user: an error when the image cannot run, a note when it could not be checked. */
function judge(check: ArchitectureCheck, uri: string, want: StackConfig['cpuArchitecture'], kind: ErrorKind): ImagePreflight {
  if (check.checked) {
    if (!check.matches) throw archMismatch(uri, check.architectures, want, kind);
    return { checked: true, architectures: check.architectures };
  }
  if (check.missing) throw imageNotFound(uri, check.reason, kind);
  return { checked: false, note: `the image's architecture was not checked: ${check.reason} (${uri})` };
}

/**
 * Check an existing image (--image) before anything is created: a missing image or one built for another
 * architecture is a usage error (exit 2); an image whose registry gave no answer comes back with a note for the
 * plan. The graph's image node checks again (the image can change meanwhile) and fails the same way.
 */
export async function checkImageBeforeUp(clients: AwsClients, uri: string, want: StackConfig['cpuArchitecture'], options: CheckOptions = {}): Promise<ImagePreflight> {
  return judge(await checkArchitecture(clients, uri, want, options), uri, want, 'usage');
}

/** The same judgement inside the graph, where something was already created: the errors are failures (exit 1). */
export async function checkImageInGraph(clients: AwsClients, uri: string, want: StackConfig['cpuArchitecture'], options: CheckOptions = {}): Promise<ImagePreflight> {
  return judge(await checkArchitecture(clients, uri, want, options), uri, want, 'failure');
}

type EcrLookup = { found: true; digest: string | undefined } | { found: false } | undefined;

/** DescribeImages for one image; undefined when it cannot be told (ECR of another region). */
async function lookupEcrImage(clients: AwsClients, ref: EcrReference): Promise<EcrLookup> {
  if (ref.region !== clients.region) return undefined;
  try {
    const out = await clients.ecr.send(
      new DescribeImagesCommand({ registryId: ref.registryId, repositoryName: ref.repository, imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }] }),
    );
    const detail = out.imageDetails?.[0];
    return detail ? { found: true, digest: detail.imageDigest } : { found: false };
  } catch (err) {
    if (isAwsError(err, 'ImageNotFoundException', 'RepositoryNotFoundException')) return { found: false };
    throw err;
  }
}

/** The digest of a tag in ECR, to deploy by digest (a tag can move; a digest cannot). */
export async function digestOf(clients: AwsClients, ref: EcrReference): Promise<string | undefined> {
  if (ref.digest) return ref.digest;
  const found = await lookupEcrImage(clients, ref);
  return found?.found ? found.digest : undefined;
}

/** Whether the image (by digest or tag) is in its repository; undefined when it cannot be told (another region). */
export async function imageExists(clients: AwsClients, ref: EcrReference): Promise<boolean | undefined> {
  return (await lookupEcrImage(clients, ref))?.found;
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
