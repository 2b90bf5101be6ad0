import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, resources, sandbox } from './helpers.js';

const HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ALL_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

function rejectsWith(name: string, message?: RegExp) {
  return (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  };
}

describe('sandbox ECR', () => {
  let sb: Sandbox;
  let ecr: ECRClient;
  before(async () => {
    sb = await sandbox();
    ecr = new ECRClient(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });

  it('creates a repository with its URI, settings and tags; a duplicate is RepositoryAlreadyExistsException', async () => {
    const out = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'three-tier/api',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'AES256' },
        tags: [{ Key: 'three-tier:stack', Value: 'demo' }],
      }),
    );
    assert.equal(out.repository?.repositoryUri, `${HOST}/three-tier/api`);
    assert.equal(out.repository?.repositoryArn, 'arn:aws:ecr:us-east-1:123456789012:repository/three-tier/api');
    assert.deepEqual(out.repository?.imageScanningConfiguration, { scanOnPush: true });
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'three-tier/api' })), rejectsWith('RepositoryAlreadyExistsException', /already exists/));
    const listed = (await resources(sb)).find((r) => r.type === 'ecr-repository' && r.id === 'three-tier/api');
    assert.equal(listed?.state, 'active');
    assert.equal(listed?.tags['three-tier:stack'], 'demo');
  });

  it('validates repository names', async () => {
    for (const bad of ['Upper', 'a', 'x'.repeat(257), 'trailing-', 'double//slash']) {
      await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: bad })), rejectsWith('InvalidParameterException'), bad);
    }
  });

  it('describes repositories by name and answers RepositoryNotFoundException for a missing one', async () => {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['three-tier/api'] }));
    assert.equal(out.repositories?.[0]?.repositoryName, 'three-tier/api');
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })), rejectsWith('RepositoryNotFoundException', /does not exist/));
  });

  it('pages DescribeRepositories', async () => {
    for (let i = 0; i < 4; i++) await ecr.send(new CreateRepositoryCommand({ repositoryName: `paged-${i}` }));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, ...(token ? { nextToken: token } : {}) }));
      names.push(...(out.repositories ?? []).map((r) => r.repositoryName ?? ''));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['three-tier/api', 'paged-0', 'paged-1', 'paged-2', 'paged-3']);
  });

  it('describes staged images by tag and digest, without an architecture, as AWS does', async () => {
    const staged = await control<{ digest: string }>(sb, 'POST', '/_sandbox/images', { repository: 'three-tier/api', tag: 'v1', architecture: 'arm64' });
    assert.equal(staged.status, 201);
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageTag: 'v1' }] }));
    const d = out.imageDetails?.[0];
    assert.equal(d?.imageDigest, staged.body.digest);
    assert.deepEqual(d?.imageTags, ['v1']);
    assert.equal(d?.imageManifestMediaType, 'application/vnd.oci.image.index.v1+json');
    assert.ok(d?.imagePushedAt instanceof Date);
    assert.equal(JSON.stringify(d).includes('arm64'), false, 'DescribeImages does not tell the architecture');
    const byDigest = await ecr.send(new DescribeImagesCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageDigest: staged.body.digest }] }));
    assert.deepEqual(byDigest.imageDetails?.[0]?.imageTags, ['v1']);
    await assert.rejects(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageTag: 'v9' }] })),
      rejectsWith('ImageNotFoundException', /imageTag:'v9'/),
    );
  });

  it('BatchGetImage returns an OCI index listing the platform and the attestation entry; missing ids are failures', async () => {
    const out = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }], acceptedMediaTypes: ALL_TYPES }),
    );
    assert.equal(out.images?.length, 1);
    const image = out.images?.[0];
    assert.equal(image?.imageManifestMediaType, 'application/vnd.oci.image.index.v1+json');
    const index = JSON.parse(image?.imageManifest ?? '{}') as { manifests: { platform: { architecture: string; os: string } }[] };
    assert.deepEqual(
      index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`),
      ['linux/arm64', 'unknown/unknown'],
    );
    assert.deepEqual(out.failures, [{ imageId: { imageTag: 'missing' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  });

  it('BatchGetImage of a single manifest, then GetDownloadUrlForLayer for its config, whose blob tells the architecture', async () => {
    await control(sb, 'POST', '/_sandbox/images', { repository: 'three-tier/api', tag: 'single', architecture: 'amd64', format: 'manifest' });
    const out = await ecr.send(new BatchGetImageCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageTag: 'single' }], acceptedMediaTypes: ALL_TYPES }));
    const image = out.images?.[0];
    assert.equal(image?.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    const manifest = JSON.parse(image?.imageManifest ?? '{}') as { config: { digest: string } };
    const url = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'three-tier/api', layerDigest: manifest.config.digest }));
    assert.equal(url.downloadUrl, `${sb.endpoint}/_sandbox/blobs/three-tier/api/${manifest.config.digest}`);
    const blob = (await (await fetch(url.downloadUrl ?? '')).json()) as { architecture: string; os: string };
    assert.equal(blob.architecture, 'amd64');
    assert.equal(blob.os, 'linux');
    await assert.rejects(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'three-tier/api', layerDigest: `sha256:${'0'.repeat(64)}` })),
      rejectsWith('LayersNotFoundException'),
    );
  });

  it('filters by tag status and media type, reports bad ids as failures, and refuses names with paging', async () => {
    const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'three-tier/api', filter: { tagStatus: 'TAGGED' } }));
    assert.equal(tagged.imageDetails?.length, 2);
    const untagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'three-tier/api', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untagged.imageDetails, []);
    const dockerOnly = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'three-tier/api', imageIds: [{ imageTag: 'v1' }, {}], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'] }),
    );
    assert.deepEqual(dockerOnly.images, []);
    assert.deepEqual(dockerOnly.failures?.map((f) => f.failureCode), ['ImageNotFound', 'MissingDigestAndTag']);
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['three-tier/api'], maxResults: 5 })), rejectsWith('InvalidParameterException'));
    const kms = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'encrypted', encryptionConfiguration: { encryptionType: 'KMS' }, imageTagMutability: 'IMMUTABLE' }));
    assert.equal(kms.repository?.encryptionConfiguration?.encryptionType, 'KMS');
    assert.equal(kms.repository?.encryptionConfiguration?.kmsKey, 'arn:aws:kms:us-east-1:123456789012:alias/aws/ecr');
    assert.equal(kms.repository?.imageTagMutability, 'IMMUTABLE');
    await assert.rejects(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/nope' })),
      rejectsWith('RepositoryNotFoundException'),
    );
  });

  it('gives an authorization token for the registry', async () => {
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    assert.equal(data?.proxyEndpoint, `https://${HOST}`);
    assert.match(Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8'), /^AWS:.+/);
    assert.ok((data?.expiresAt?.getTime() ?? 0) > Date.now());
  });

  it('tags repositories by ARN', async () => {
    const arn = 'arn:aws:ecr:us-east-1:123456789012:repository/three-tier/api';
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'owner', Value: 'team' }] }));
    const out = await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(out.tags, [{ Key: 'three-tier:stack', Value: 'demo' }, { Key: 'owner', Value: 'team' }]);
  });

  it('refuses to delete a repository with images unless forced; force deletes its images', async () => {
    await assert.rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'three-tier/api' })), rejectsWith('RepositoryNotEmptyException', /still contains images/));
    const out = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'three-tier/api', force: true }));
    assert.equal(out.repository?.repositoryName, 'three-tier/api');
    const left = (await resources(sb)).filter((r) => r.type === 'ecr-image' || r.id === 'three-tier/api');
    assert.deepEqual(left, []);
    await assert.rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'three-tier/api' })), rejectsWith('RepositoryNotFoundException'));
  });
});
