import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand,
  DescribeRegistryCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  type TagStatus,
} from '@aws-sdk/client-ecr';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, rejectsWith, sandbox } from './helpers.js';

/** ListImages, the registry's description and scanning settings, and the policies that never exist here. */
describe('sandbox ECR: ListImages, the registry, and policies', () => {
  let sb: Sandbox;
  let ecr: ECRClient;
  before(async () => {
    sb = await sandbox();
    ecr = new ECRClient(clientConfig(sb, { maxAttempts: 1 }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app/api' }));
  });
  after(async () => {
    await sb.close();
  });

  it('lists one image id per tag, by tag status, paged', async () => {
    const staged = async (tag: string) => (await control<{ digest: string }>(sb, 'POST', '/_sandbox/images', { repository: 'app/api', tag, architecture: 'amd64' })).body.digest;
    const v1 = await staged('v1');
    const v2 = await staged('v2');
    await control(sb, 'POST', '/_sandbox/images', { repository: 'app/api', tag: 'latest', architecture: 'amd64' });
    const list = async (tagStatus?: TagStatus) =>
      (await ecr.send(new ListImagesCommand({ repositoryName: 'app/api', ...(tagStatus ? { filter: { tagStatus } } : {}) }))).imageIds ?? [];
    const all = await list();
    assert.ok(all.some((i) => i.imageTag === 'v1' && i.imageDigest === v1));
    assert.ok(all.some((i) => i.imageTag === 'v2' && i.imageDigest === v2));
    assert.equal(all.filter((i) => i.imageTag === 'latest').length, 1);
    assert.deepEqual(await list('UNTAGGED'), all.filter((i) => i.imageTag === undefined));
    assert.ok((await list('TAGGED')).every((i) => i.imageTag !== undefined));
    const first = await ecr.send(new ListImagesCommand({ repositoryName: 'app/api', maxResults: 1 }));
    assert.equal(first.imageIds?.length, 1);
    assert.ok(first.nextToken);
    await rejectsWith(ecr.send(new ListImagesCommand({ repositoryName: 'nope' })), 'RepositoryNotFoundException');
    await rejectsWith(ecr.send(new ListImagesCommand({ repositoryName: 'app/api', maxResults: 1001 })), 'InvalidParameterException');
  });

  it('describes the registry without replication and with basic scanning', async () => {
    assert.deepEqual(await ecr.send(new DescribeRegistryCommand({})).then((o) => ({ id: o.registryId, rules: o.replicationConfiguration?.rules })), { id: '123456789012', rules: [] });
    const scanning = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
    assert.equal(scanning.scanningConfiguration?.scanType, 'BASIC');
  });

  it("answers AWS's not-found errors for the repository, lifecycle and registry policies it never has", async () => {
    await rejectsWith(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'app/api' })), 'RepositoryPolicyNotFoundException', /app\/api/);
    await rejectsWith(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'app/api' })), 'LifecyclePolicyNotFoundException', /app\/api/);
    await rejectsWith(ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    await rejectsWith(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'nope' })), 'RepositoryNotFoundException');
  });
});
