import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  GetTaskProtectionCommand,
  ListAttributesCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ContainerInstanceStatus,
  type TaskDefinitionFamilyStatus,
} from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, eventually, rejectsWith, sandbox } from './helpers.js';
import { apiService, apiTaskDefinition, ecsFixture, stageImage, type EcsFixture } from './fixtures-ecs.js';

/**
 * The ECS reads an inventory tool or the AWS CLI makes beyond three-tier's own: the cluster list, task definition
 * families, container instances (none: Fargate only) and their attributes, and task scale-in protection.
 */
describe('sandbox ECS: cluster list, families, container instances, task protection', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let fx: EcsFixture;

  before(async () => {
    sb = await sandbox();
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    fx = await ecsFixture(sb);
  });
  after(async () => {
    await sb.close();
  });

  it('lists clusters with maxResults and nextToken, deleted (INACTIVE) ones while they are still discoverable', async () => {
    for (const name of ['c1', 'c2', 'c3']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
    await ecs.send(new DeleteClusterCommand({ cluster: 'c3' }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ecs.send(new ListClustersCommand({ maxResults: 2, ...(token ? { nextToken: token } : {}) }));
      assert.ok((out.clusterArns?.length ?? 0) <= 2);
      seen.push(...(out.clusterArns ?? []));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['c1', 'c2', 'c3'].map((c) => `arn:aws:ecs:us-east-1:123456789012:cluster/${c}`));
    await rejectsWith(ecs.send(new ListClustersCommand({ maxResults: 101 })), 'InvalidParameterException');
    await rejectsWith(ecs.send(new ListClustersCommand({ nextToken: 'bogus' })), 'InvalidParameterException');
  });

  it('lists no container instances in a Fargate-only cluster, and describes any asked for as MISSING', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'fargate' }));
    assert.deepEqual((await ecs.send(new ListContainerInstancesCommand({ cluster: 'fargate', status: 'ACTIVE' }))).containerInstanceArns, []);
    await rejectsWith(ecs.send(new ListContainerInstancesCommand({ cluster: 'nope' })), 'ClusterNotFoundException');
    await rejectsWith(ecs.send(new ListContainerInstancesCommand({ cluster: 'fargate', status: 'BOGUS' as ContainerInstanceStatus })), 'InvalidParameterException');
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'fargate', containerInstances: ['abc'] }));
    assert.deepEqual(described.containerInstances, []);
    assert.deepEqual(described.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/fargate/abc', reason: 'MISSING' }]);
    await rejectsWith(ecs.send(new DescribeContainerInstancesCommand({ cluster: 'fargate', containerInstances: [] })), 'InvalidParameterException');
    assert.deepEqual((await ecs.send(new ListAttributesCommand({ cluster: 'fargate', targetType: 'container-instance' }))).attributes, []);
    await rejectsWith(ecs.send(new ListAttributesCommand({ cluster: 'fargate', targetType: 'container-instance', attributeValue: 'x' })), 'InvalidParameterException');
  });

  it('lists task definition families by status: ACTIVE while a revision is, INACTIVE once none is, ALL by default', async () => {
    const register = (family: string) =>
      ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'c', image: 'public.ecr.aws/nginx/nginx:latest', memory: 128 }] }));
    await register('fam-a');
    await register('fam-a');
    const gone = (await register('fam-b')).taskDefinition?.taskDefinitionArn ?? '';
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: gone }));
    const families = async (status?: TaskDefinitionFamilyStatus) =>
      (await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'fam-', ...(status ? { status } : {}) }))).families;
    assert.deepEqual(await families(), ['fam-a', 'fam-b']);
    assert.deepEqual(await families('ACTIVE'), ['fam-a']);
    assert.deepEqual(await families('INACTIVE'), ['fam-b']);
    const paged = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'fam-', maxResults: 1 }));
    assert.deepEqual(paged.families, ['fam-a']);
    const last = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'fam-', maxResults: 1, nextToken: paged.nextToken }));
    assert.deepEqual(last.families, ['fam-b']);
    // The page that ends the list exactly carries no token (SDK paginators stop on its absence).
    assert.equal(last.nextToken, undefined);
  });

  it("reports a service's tasks as unprotected from scale-in, and a task it does not know as MISSING", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'svc' }));
    const image = await stageImage(sb, 'v1', 'amd64');
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image)))).taskDefinition?.taskDefinitionArn ?? '';
    await ecs.send(new CreateServiceCommand(apiService(fx, 'svc', 'api', td)));
    const task = await eventually(async () => (await ecs.send(new ListTasksCommand({ cluster: 'svc' }))).taskArns?.[0], 5_000, 'a task');
    const out = await ecs.send(new GetTaskProtectionCommand({ cluster: 'svc', tasks: [task, 'ffffffffffffffffffffffffffffffff'] }));
    assert.deepEqual(out.protectedTasks, [{ taskArn: task, protectionEnabled: false }]);
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:task/svc/ffffffffffffffffffffffffffffffff', reason: 'MISSING' }]);
    const all = await ecs.send(new GetTaskProtectionCommand({ cluster: 'svc' }));
    assert.deepEqual(all.protectedTasks?.map((t) => t.taskArn), [task]);
    await rejectsWith(ecs.send(new GetTaskProtectionCommand({ cluster: 'nope', tasks: [task] })), 'ClusterNotFoundException');
    // No task runs on a container instance.
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'svc', containerInstance: 'abc' }))).taskArns, []);
  });
});
