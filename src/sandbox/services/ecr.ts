import type {
  BatchGetImageRequest,
  BatchGetImageResponse,
  CreateRepositoryRequest,
  CreateRepositoryResponse,
  DeleteRepositoryRequest,
  DeleteRepositoryResponse,
  DescribeImagesRequest,
  DescribeImagesResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
  GetAuthorizationTokenRequest,
  GetAuthorizationTokenResponse,
  GetDownloadUrlForLayerRequest,
  GetDownloadUrlForLayerResponse,
  ImageDetail,
  ImageFailure,
  ImageIdentifier,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Repository,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-ecr';
import { randomBytes } from 'node:crypto';
import { op, type SandboxService } from '../service.js';
import { AwsError } from '../errors.js';
import { ResourceType, type ImageData } from '../model.js';
import { registryHost } from '../images.js';
import { tagList, tagMap } from '../tags.js';
import type { Resource, World } from '../world.js';
import { ecrReadHandlers } from './ecr/reads.js';
import { checkName, checkRegistry, imagesOf, invalid, pageOf, repoNotFound, repoOf, type RepositoryData } from './ecr/common.js';

/**
 * ECR (JSON 1.1): repositories (type `ecr-repository`, id = name, state `active`) and the images staged into them by
 * POST /_sandbox/images (type `ecr-image`, see images.ts). Pushing itself (layer uploads, PutImage) is not served:
 * images enter only through the control route.
 */
function repoByArn(world: World, arn: string | undefined): Resource<RepositoryData> {
  const m = /^arn:aws:ecr:([^:]+):(\d{12}):repository\/(.+)$/.exec(arn ?? '');
  if (!m?.[3]) throw invalid(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
  const repo = world.get<RepositoryData>(ResourceType.ecrRepository, m[3]);
  if (!repo || m[1] !== world.config.region || m[2] !== world.config.accountId) throw repoNotFound(world, m[3]);
  return repo;
}

function toRepository(world: World, r: Resource<RepositoryData>): Repository {
  return {
    repositoryArn: r.data.repositoryArn,
    registryId: world.config.accountId,
    repositoryName: r.data.repositoryName,
    repositoryUri: r.data.repositoryUri,
    createdAt: new Date(r.data.createdAt),
    imageTagMutability: r.data.imageTagMutability as Repository['imageTagMutability'],
    imageScanningConfiguration: { scanOnPush: r.data.scanOnPush },
    encryptionConfiguration: r.data.kmsKey === undefined ? { encryptionType: r.data.encryptionType as 'AES256' } : { encryptionType: r.data.encryptionType as 'KMS', kmsKey: r.data.kmsKey },
  };
}

function tagsOf(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  return tagMap(tags, {
    entry: (t) => {
      if (!t.Key || t.Key.length > 128) throw new AwsError('InvalidTagParameterException', 'The tag key is invalid: it must be 1 to 128 characters.', 400);
      if (t.Value === undefined || t.Value.length > 256) throw new AwsError('InvalidTagParameterException', `The tag value for key '${t.Key}' is invalid.`, 400);
      return [t.Key, t.Value];
    },
  });
}

function findImage(images: Resource<ImageData>[], id: ImageIdentifier): { image?: Resource<ImageData>; failure?: ImageFailure } {
  const { imageDigest, imageTag } = id;
  if (imageDigest === undefined && imageTag === undefined) {
    return { failure: { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request: no digest or tag specified' } };
  }
  if (imageDigest !== undefined && !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(imageDigest)) {
    return { failure: { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request: image digest should satisfy the regex' } };
  }
  const byDigest = imageDigest === undefined ? undefined : images.find((i) => i.data.digest === imageDigest);
  const byTag = imageTag === undefined ? undefined : images.find((i) => i.data.tags.includes(imageTag));
  if (imageDigest !== undefined && imageTag !== undefined && byDigest && byTag && byDigest !== byTag) {
    return { failure: { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid request: the tag and digest do not match' } };
  }
  const image = imageDigest !== undefined ? byDigest : byTag;
  if (!image || (imageTag !== undefined && !byTag)) return { failure: { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' } };
  return { image };
}

function imageNotFound(world: World, repo: string, id: ImageIdentifier): AwsError {
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo}' in the registry with id '${world.config.accountId}'`,
    400,
  );
}

/** A stable pretend size: ECR reports the compressed size of the layers. */
function sizeOf(image: ImageData): number {
  return 30_000_000 + (parseInt(image.digest.slice(7, 13), 16) % 40_000_000);
}

function toDetail(world: World, i: Resource<ImageData>): ImageDetail {
  const d: ImageDetail = {
    registryId: world.config.accountId,
    repositoryName: i.data.repositoryName,
    imageDigest: i.data.digest,
    imageSizeInBytes: sizeOf(i.data),
    imagePushedAt: new Date(i.data.pushedAt),
    imageManifestMediaType: i.data.mediaType,
    imageStatus: 'ACTIVE',
  };
  if (i.data.tags.length > 0) d.imageTags = [...i.data.tags];
  if (i.data.mediaType.includes('docker')) d.artifactMediaType = 'application/vnd.docker.container.image.v1+json';
  return d;
}

export const ecr: SandboxService = {
  name: 'ecr',
  protocol: 'json',
  targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
  loadClient: () => import('@aws-sdk/client-ecr') as Promise<Record<string, unknown>>,
  handlers: {
    ...ecrReadHandlers,
    CreateRepository: op<CreateRepositoryRequest, CreateRepositoryResponse>((input, { world }) => {
      checkRegistry(world, input.registryId);
      const name = checkName(input.repositoryName);
      const tags = tagsOf(input.tags);
      if (Object.keys(tags).length > 50) throw new AwsError('TooManyTagsException', 'A repository can have at most 50 tags.', 400);
      const mutability = input.imageTagMutability ?? 'MUTABLE';
      if (!['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'].includes(mutability)) {
        throw invalid(`Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`);
      }
      const enc = input.encryptionConfiguration;
      const encryptionType = enc?.encryptionType ?? 'AES256';
      if (!['AES256', 'KMS', 'KMS_DSSE'].includes(encryptionType)) throw invalid(`Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]'`);
      if (encryptionType === 'AES256' && enc?.kmsKey !== undefined) throw invalid('Invalid parameter: a KMS key can only be specified with the KMS encryption type');
      if (world.get(ResourceType.ecrRepository, name)) {
        throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${world.config.accountId}'`, 400);
      }
      const data: RepositoryData = {
        repositoryName: name,
        repositoryArn: world.arn('ecr', `repository/${name}`),
        repositoryUri: `${registryHost(world)}/${name}`,
        createdAt: world.now(),
        imageTagMutability: mutability,
        scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
        encryptionType,
      };
      if (encryptionType !== 'AES256') data.kmsKey = enc?.kmsKey ?? world.arn('kms', 'alias/aws/ecr');
      const repo = world.create<RepositoryData>('ecr', ResourceType.ecrRepository, name, { state: 'active', tags, data });
      return { repository: toRepository(world, repo) };
    }),

    DescribeRepositories: op<DescribeRepositoriesRequest, DescribeRepositoriesResponse>((input, { world }) => {
      checkRegistry(world, input.registryId);
      if (input.repositoryNames !== undefined) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw invalid('Invalid parameter: maxResults and nextToken cannot be specified with repositoryNames');
        }
        return { repositories: input.repositoryNames.map((n) => toRepository(world, repoOf(world, n))) };
      }
      const all = world
        .list<RepositoryData>(ResourceType.ecrRepository)
        .filter((r) => !world.hiddenByConsistency(r))
        .sort((a, b) => a.data.createdAt - b.data.createdAt || a.id.localeCompare(b.id));
      const p = pageOf(all, input.nextToken, input.maxResults, 1000, 100);
      const out: DescribeRepositoriesResponse = { repositories: p.items.map((r) => toRepository(world, r)) };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    DeleteRepository: op<DeleteRepositoryRequest, DeleteRepositoryResponse>((input, { world }) => {
      checkRegistry(world, input.registryId);
      const repo = repoOf(world, input.repositoryName);
      const images = imagesOf(world, repo.id);
      if (images.length > 0 && !input.force) {
        throw new AwsError(
          'RepositoryNotEmptyException',
          `The repository with name '${repo.id}' in registry with id '${world.config.accountId}' cannot be deleted because it still contains images`,
          400,
        );
      }
      for (const i of images) world.remove(ResourceType.ecrImage, i.id);
      const out = toRepository(world, repo);
      world.remove(ResourceType.ecrRepository, repo.id);
      return { repository: out };
    }),

    DescribeImages: op<DescribeImagesRequest, DescribeImagesResponse>((input, { world }) => {
      checkRegistry(world, input.registryId);
      const repo = repoOf(world, input.repositoryName);
      const images = imagesOf(world, repo.id);
      if (input.imageIds !== undefined) {
        if (input.maxResults !== undefined || input.nextToken !== undefined || input.filter !== undefined) {
          throw invalid('Invalid parameter: maxResults, nextToken and filter cannot be specified with imageIds');
        }
        const details: ImageDetail[] = [];
        for (const id of input.imageIds) {
          const found = findImage(images, id);
          if (!found.image) throw imageNotFound(world, repo.id, id);
          details.push(toDetail(world, found.image));
        }
        return { imageDetails: details };
      }
      const status = input.filter?.tagStatus ?? 'ANY';
      const filtered = images.filter((i) => status === 'ANY' || (status === 'TAGGED' ? i.data.tags.length > 0 : i.data.tags.length === 0));
      const p = pageOf(filtered, input.nextToken, input.maxResults, 1000, 100);
      const out: DescribeImagesResponse = { imageDetails: p.items.map((i) => toDetail(world, i)) };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    BatchGetImage: op<BatchGetImageRequest, BatchGetImageResponse>((input, { world }) => {
      checkRegistry(world, input.registryId);
      const repo = repoOf(world, input.repositoryName);
      const ids = input.imageIds ?? [];
      if (ids.length < 1 || ids.length > 100) throw invalid("Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and 100'");
      const accepted = input.acceptedMediaTypes;
      const images = imagesOf(world, repo.id);
      const out: Required<Pick<BatchGetImageResponse, 'images' | 'failures'>> = { images: [], failures: [] };
      for (const id of ids) {
        const found = findImage(images, id);
        // A registry answers 404 for a manifest it cannot serve in any accepted type.
        if (!found.image || (accepted !== undefined && !accepted.includes(found.image.data.mediaType))) {
          out.failures.push(found.failure ?? { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        const image = found.image.data;
        const imageId: ImageIdentifier = { imageDigest: image.digest };
        if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
        out.images.push({
          registryId: world.config.accountId,
          repositoryName: repo.id,
          imageId,
          imageManifest: image.manifest,
          imageManifestMediaType: image.mediaType,
        });
      }
      return out;
    }),

    GetDownloadUrlForLayer: op<GetDownloadUrlForLayerRequest, GetDownloadUrlForLayerResponse>((input, { world, endpoint }) => {
      checkRegistry(world, input.registryId);
      const repo = repoOf(world, input.repositoryName);
      const digest = input.layerDigest ?? '';
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid(`Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must be a sha256 digest'`);
      const image = imagesOf(world, repo.id).find((i) => i.data.configDigest === digest && i.data.mediaType !== 'application/vnd.oci.image.index.v1+json');
      if (!image) {
        throw new AwsError('LayersNotFoundException', `The layer with digest '${digest}' does not exist in the repository with name '${repo.id}' in the registry with id '${world.config.accountId}'`, 400);
      }
      return { downloadUrl: `${endpoint}/_sandbox/blobs/${repo.id}/${digest}`, layerDigest: digest };
    }),

    GetAuthorizationToken: op<GetAuthorizationTokenRequest, GetAuthorizationTokenResponse>((_input, { world }) => {
      const token = randomBytes(48).toString('base64');
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'),
            // Tokens are valid for 12 hours of real time; the time scale does not shorten credentials.
            expiresAt: new Date(Date.now() + 12 * 3_600_000),
            proxyEndpoint: `https://${registryHost(world)}`,
          },
        ],
      };
    }),

    ListTagsForResource: op<ListTagsForResourceRequest, ListTagsForResourceResponse>((input, { world }) => ({
      tags: tagList(repoByArn(world, input.resourceArn).tags),
    })),

    TagResource: op<TagResourceRequest, Record<string, never>>((input, { world }) => {
      const repo = repoByArn(world, input.resourceArn);
      const tags = { ...repo.tags, ...tagsOf(input.tags) };
      if (Object.keys(tags).length > 50) throw new AwsError('TooManyTagsException', 'A repository can have at most 50 tags.', 400);
      repo.tags = tags;
      return {};
    }),

    UntagResource: op<UntagResourceRequest, Record<string, never>>((input, { world }) => {
      const repo = repoByArn(world, input.resourceArn);
      for (const k of input.tagKeys ?? []) delete repo.tags[k];
      return {};
    }),
  },
};
