import { createHash } from 'node:crypto';
import { ResourceType, type ImageData } from './model.js';
import type { Resource, World } from './world.js';
import { AwsError } from './errors.js';

/**
 * The simulated ECR's images, shared by ECR (DescribeImages, BatchGetImage), ECS (can a task pull its image, and
 * for which architecture was it built) and the control route POST /_sandbox/images.
 */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export function registryHost(world: World): string {
  return `${world.config.accountId}.dkr.ecr.${world.config.region}.amazonaws.com`;
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export interface StageImageRequest {
  repository: string;
  tag: string;
  /** amd64 or arm64. */
  architecture: string;
  /** `index` (an OCI image index listing one platform, what buildx pushes) or `manifest` (a single Docker manifest). */
  format?: 'index' | 'manifest';
}

/** Put an image in a repository of the simulated ECR, as `docker push` would; moves the tag if it was used. */
export function stageImage(world: World, req: StageImageRequest): Resource<ImageData> {
  const repo = world.get(ResourceType.ecrRepository, req.repository);
  if (!repo || repo.state !== 'active') {
    throw new AwsError('RepositoryNotFoundException', `The repository with name '${req.repository}' does not exist in the registry with id '${world.config.accountId}'`);
  }
  const config = JSON.stringify({ architecture: req.architecture, os: 'linux', created: new Date(world.now()).toISOString() });
  const configDigest = sha256(config);
  const single = JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1024, digest: sha256(`${configDigest}:layer`) }],
  });
  const format = req.format ?? 'index';
  const manifest =
    format === 'index'
      ? JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [
            { mediaType: DOCKER_MANIFEST, digest: sha256(single), size: single.length, platform: { architecture: req.architecture, os: 'linux' } },
            { mediaType: DOCKER_MANIFEST, digest: sha256(`${single}:attestation`), size: 100, platform: { architecture: 'unknown', os: 'unknown' } },
          ],
        })
      : single;
  const digest = sha256(manifest);
  for (const other of world.list<ImageData>(ResourceType.ecrImage)) {
    if (other.data.repositoryName === req.repository) other.data.tags = other.data.tags.filter((t) => t !== req.tag);
  }
  const id = `${req.repository}@${digest}`;
  const existing = world.get<ImageData>(ResourceType.ecrImage, id);
  if (existing) {
    if (!existing.data.tags.includes(req.tag)) existing.data.tags.push(req.tag);
    return existing;
  }
  return world.create<ImageData>('ecr', ResourceType.ecrImage, id, {
    state: 'available',
    data: {
      repositoryName: req.repository,
      digest,
      tags: [req.tag],
      architecture: req.architecture,
      os: 'linux',
      manifest,
      mediaType: format === 'index' ? OCI_INDEX : DOCKER_MANIFEST,
      configDigest,
      pushedAt: world.now(),
    },
  });
}

/** The config blob of a staged single-manifest image, by its digest (GetDownloadUrlForLayer serves it). */
export function configBlob(image: ImageData): string {
  return JSON.stringify({ architecture: image.architecture, os: image.os });
}

export type ImageResolution =
  | { pullable: true; architecture: string; digest?: string }
  | { pullable: false; reason: string };

/**
 * What a Fargate task gets when it pulls `uri`. Images in the simulated registry must exist (by tag or digest);
 * any other registry is treated as a pullable linux/amd64 image.
 */
export function resolveImage(world: World, uri: string): ImageResolution {
  const host = registryHost(world);
  if (!uri.startsWith(`${host}/`)) return { pullable: true, architecture: 'amd64' };
  const rest = uri.slice(host.length + 1);
  const at = rest.indexOf('@');
  const colon = rest.lastIndexOf(':');
  const repository = at >= 0 ? rest.slice(0, at) : colon >= 0 ? rest.slice(0, colon) : rest;
  const reference = at >= 0 ? rest.slice(at + 1) : colon >= 0 ? rest.slice(colon + 1) : 'latest';
  const images = world.list<ImageData>(ResourceType.ecrImage).filter((i) => i.data.repositoryName === repository);
  const image = images.find((i) => (at >= 0 ? i.data.digest === reference : i.data.tags.includes(reference)));
  if (!image) {
    return {
      pullable: false,
      reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${uri}: ${uri}: not found`,
    };
  }
  return { pullable: true, architecture: image.data.architecture, digest: image.data.digest };
}
