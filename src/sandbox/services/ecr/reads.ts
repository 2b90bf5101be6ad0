/**
 * ECR reads beyond the ones three-tier uses: ListImages, the registry's description and scanning configuration,
 * and the repository and registry policies, which never exist (SetRepositoryPolicy, PutLifecyclePolicy and
 * PutRegistryPolicy are not modelled), so their Get* answer AWS's not-found errors. See docs/sandbox/ecr.md.
 */
import type {
  DescribeRegistryRequest,
  DescribeRegistryResponse,
  GetLifecyclePolicyRequest,
  GetRegistryPolicyRequest,
  GetRegistryPolicyResponse,
  GetRegistryScanningConfigurationRequest,
  GetRegistryScanningConfigurationResponse,
  GetRepositoryPolicyRequest,
  ImageIdentifier,
  ListImagesRequest,
  ListImagesResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../errors.js';
import { op, type Handler } from '../../service.js';
import { checkRegistry, imagesOf, invalid, pageOf, repoOf } from './common.js';

const TAG_STATUSES = ['TAGGED', 'UNTAGGED', 'ANY'];
const IMAGE_STATUSES = ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'];

const listImages = op<ListImagesRequest, ListImagesResponse>((input, { world }) => {
  checkRegistry(world, input.registryId);
  const repo = repoOf(world, input.repositoryName);
  const tagStatus = input.filter?.tagStatus ?? 'ANY';
  if (!TAG_STATUSES.includes(tagStatus)) throw invalid(`Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [${TAG_STATUSES.join(', ')}]'`);
  const imageStatus = input.filter?.imageStatus ?? 'ACTIVE';
  if (!IMAGE_STATUSES.includes(imageStatus)) throw invalid(`Invalid parameter at 'imageStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [${IMAGE_STATUSES.join(', ')}]'`);
  // One identifier per tag (an untagged image: its digest alone); every image of the sandbox is ACTIVE.
  const ids: ImageIdentifier[] = (imageStatus === 'ACTIVE' || imageStatus === 'ANY' ? imagesOf(world, repo.id) : [])
    .filter((i) => tagStatus === 'ANY' || (tagStatus === 'TAGGED') === i.data.tags.length > 0)
    .flatMap((i) => (i.data.tags.length > 0 ? i.data.tags.map((imageTag) => ({ imageDigest: i.data.digest, imageTag })) : [{ imageDigest: i.data.digest }]));
  const p = pageOf(ids, input.nextToken, input.maxResults, 1000, 100);
  const out: ListImagesResponse = { imageIds: p.items };
  if (p.nextToken !== undefined) out.nextToken = p.nextToken;
  return out;
});

const describeRegistry = op<DescribeRegistryRequest, DescribeRegistryResponse>((_input, { world }) => ({
  registryId: world.config.accountId,
  replicationConfiguration: { rules: [] },
}));

const getRegistryScanningConfiguration = op<GetRegistryScanningConfigurationRequest, GetRegistryScanningConfigurationResponse>((_input, { world }) => ({
  registryId: world.config.accountId,
  scanningConfiguration: { scanType: 'BASIC', rules: [] },
}));

/** A repository's policy of some kind, which never exists: AWS's not-found error, once the repository is found. */
function noRepositoryPolicy<I extends { registryId?: string | undefined; repositoryName?: string | undefined }>(code: string, what: string): Handler {
  return op<I, never>((input, { world }) => {
    checkRegistry(world, input.registryId);
    const repo = repoOf(world, input.repositoryName);
    throw new AwsError(code, `${what} does not exist for the repository with name '${repo.id}' in the registry with id '${world.config.accountId}'`, 400);
  });
}

const getRepositoryPolicy = noRepositoryPolicy<GetRepositoryPolicyRequest>('RepositoryPolicyNotFoundException', 'Repository policy');
const getLifecyclePolicy = noRepositoryPolicy<GetLifecyclePolicyRequest>('LifecyclePolicyNotFoundException', 'Lifecycle policy');

const getRegistryPolicy = op<GetRegistryPolicyRequest, GetRegistryPolicyResponse>((_input, { world }) => {
  throw new AwsError('RegistryPolicyNotFoundException', `Registry policy does not exist in the registry with id '${world.config.accountId}'`, 400);
});

export const ecrReadHandlers: Record<string, Handler> = {
  ListImages: listImages,
  DescribeRegistry: describeRegistry,
  GetRegistryScanningConfiguration: getRegistryScanningConfiguration,
  GetRepositoryPolicy: getRepositoryPolicy,
  GetLifecyclePolicy: getLifecyclePolicy,
  GetRegistryPolicy: getRegistryPolicy,
};
