import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { CreateListenerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig, eventually, eventuallyPast, resources, sandbox } from './helpers.js';
import { apiService, apiTaskDefinition, ecsFixture, fixtureClients, stageImage, type EcsFixture } from './fixtures-ecs.js';

function rejectsWith(name: string, message?: string | RegExp) {
  return (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  };
}

describe('sandbox ECS API', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let fx: EcsFixture;
  let image: string;
  let td: string;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.01 } });
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    fx = await ecsFixture(sb);
    image = await stageImage(sb, 'v1', 'amd64');
  });
  after(async () => {
    await sb.close();
  });

  describe('clusters', () => {
    it('creates a cluster with tags and settings, idempotently, and the ECS service-linked role with it', async () => {
      const out = await ecs.send(
        new CreateClusterCommand({ clusterName: 'main', tags: [{ key: 'three-tier:stack', value: 'demo' }], settings: [{ name: 'containerInsights', value: 'enabled' }] }),
      );
      assert.equal(out.cluster?.clusterArn, 'arn:aws:ecs:us-east-1:123456789012:cluster/main');
      assert.equal(out.cluster?.status, 'ACTIVE');
      assert.deepEqual(out.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
      const again = await ecs.send(new CreateClusterCommand({ clusterName: 'main' }));
      assert.equal(again.cluster?.clusterArn, out.cluster?.clusterArn);
      const listed = await resources(sb);
      assert.equal(listed.find((r) => r.type === 'ecs-cluster' && r.id === 'main')?.tags['three-tier:stack'], 'demo');
      assert.ok(listed.some((r) => r.type === 'iam-role' && r.id === 'AWSServiceRoleForECS'));
      await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: 'bad name' })), rejectsWith('InvalidParameterException'));
    });

    it('describes clusters, reporting missing ones in failures with reason MISSING', async () => {
      const out = await ecs.send(new DescribeClustersCommand({ clusters: ['main', 'nope'], include: ['TAGS', 'SETTINGS', 'STATISTICS'] }));
      assert.deepEqual(out.clusters?.[0]?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
      assert.ok(out.clusters?.[0]?.statistics?.some((s) => s.name === 'runningFargateTasksCount'));
      assert.equal(out.clusters?.[0]?.clusterName, 'main');
      assert.deepEqual(out.clusters?.[0]?.tags, [{ key: 'three-tier:stack', value: 'demo' }]);
      assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/nope', reason: 'MISSING' }]);
    });
  });

  describe('task definitions', () => {
    it('registers a new revision on each call and describes the latest ACTIVE one by family', async () => {
      const r1 = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { tags: [{ key: 'team', value: 'api' }] })));
      const r2 = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { cpu: '0.5 vCPU', memory: '1 GB' })));
      assert.equal(r1.taskDefinition?.revision, 1);
      assert.equal(r2.taskDefinition?.revision, 2);
      assert.equal(r2.taskDefinition?.taskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2');
      assert.equal(r2.taskDefinition?.cpu, '512');
      assert.equal(r2.taskDefinition?.memory, '1024');
      const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }));
      assert.equal(latest.taskDefinition?.revision, 2);
      const c = latest.taskDefinition?.containerDefinitions?.[0];
      assert.deepEqual(c?.portMappings, [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }]);
      assert.deepEqual(c?.secrets, [{ name: 'DB_PASSWORD', valueFrom: `${fx.secretArn}:password::` }]);
      assert.deepEqual(latest.taskDefinition?.runtimePlatform, { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' });
      const tagged = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:1', include: ['TAGS'] }));
      assert.deepEqual(tagged.tags, [{ key: 'team', value: 'api' }]);
      td = r2.taskDefinition?.taskDefinitionArn ?? '';
      await assert.rejects(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })), rejectsWith('ClientException', 'Unable to describe task definition.'));
    });

    it('enforces the Fargate rules with ClientException', async () => {
      const cases: [Parameters<typeof apiTaskDefinition>[2], string | RegExp][] = [
        [{ networkMode: 'bridge' }, 'Fargate only supports network mode ‘awsvpc’.'],
        [{ cpu: '256', memory: '4096' }, /^No Fargate configuration exists for given values: 256 CPU, 4096 memory\./],
        [{ cpu: '1024', memory: '1024' }, /^No Fargate configuration exists for given values/],
        [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
        [{ executionRoleArn: undefined }, 'Fargate requires task definition to have execution role ARN to support log driver awslogs.'],
        [{ family: 'bad family!' }, /family/],
      ];
      for (const [overrides, message] of cases) {
        await assert.rejects(ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, overrides))), rejectsWith('ClientException', message));
      }
      const noLogs = apiTaskDefinition(fx, image, { executionRoleArn: undefined });
      const c = noLogs.containerDefinitions?.[0];
      assert.ok(c);
      delete c.logConfiguration;
      await assert.rejects(ecs.send(new RegisterTaskDefinitionCommand(noLogs)), rejectsWith('ClientException', 'Fargate requires task definition to have execution role ARN to support ECR images.'));
      const ports = apiTaskDefinition(fx, image);
      const p = ports.containerDefinitions?.[0];
      assert.ok(p);
      p.portMappings = [{ containerPort: 3000, hostPort: 80 }];
      await assert.rejects(ecs.send(new RegisterTaskDefinitionCommand(ports)), rejectsWith('ClientException', 'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'));
    });

    it('pages ListTaskDefinitions and sorts DESC', async () => {
      for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { family: 'paged' })));
      const arns: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'paged', maxResults: 2, ...(token ? { nextToken: token } : {}) }));
        arns.push(...(out.taskDefinitionArns ?? []));
        token = out.nextToken;
        pages++;
      } while (token);
      assert.equal(pages, 2);
      assert.deepEqual(arns.map((a) => a.split('/').pop()), ['paged:1', 'paged:2', 'paged:3']);
      const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'paged', sort: 'DESC' }));
      assert.deepEqual(desc.taskDefinitionArns?.map((a) => a.split('/').pop()), ['paged:3', 'paged:2', 'paged:1']);
    });

    it('deregisters to INACTIVE; deletes only INACTIVE ones, DELETE_IN_PROGRESS then gone', async () => {
      const active = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['paged:1'] }));
      assert.equal(active.taskDefinitions?.length, 0);
      assert.equal(active.failures?.[0]?.reason, 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.');
      const dereg = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'paged:1' }));
      assert.equal(dereg.taskDefinition?.status, 'INACTIVE');
      assert.ok(dereg.taskDefinition?.deregisteredAt instanceof Date);
      const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'paged', status: 'INACTIVE' }));
      assert.deepEqual(inactive.taskDefinitionArns?.map((a) => a.split('/').pop()), ['paged:1']);
      const del = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['paged:1'] }));
      assert.equal(del.taskDefinitions?.[0]?.status, 'DELETE_IN_PROGRESS');
      await eventually(async () => {
        try {
          await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'paged:1' }));
          return undefined;
        } catch (e) {
          return (e as Error).name === 'ClientException' ? true : undefined;
        }
      }, 5_000, 'task definition gone');
      const next = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { family: 'paged' })));
      assert.equal(next.taskDefinition?.revision, 4, 'revisions are never reused');
    });
  });

  describe('services', () => {
    it('validates CreateService against the network, target group and task definition', async () => {
      // A target group no listener uses, and one of target type instance behind a listener of the same load balancer.
      const elbv2 = fixtureClients(sb).elbv2;
      const group = async (Name: string, TargetType: 'ip' | 'instance'): Promise<string> =>
        (await elbv2.send(new CreateTargetGroupCommand({ Name, Protocol: 'HTTP', Port: 3000, VpcId: fx.vpcId, TargetType }))).TargetGroups?.[0]?.TargetGroupArn ?? '';
      const lonely = await group('no-listener-tg', 'ip');
      await assert.rejects(
        ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', td, { loadBalancers: [{ targetGroupArn: lonely, containerName: 'api', containerPort: 3000 }] }))),
        rejectsWith('InvalidParameterException', `The target group with targetGroupArn ${lonely} does not have an associated load balancer.`),
      );
      const byInstance = await group('instance-tg', 'instance');
      await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: fx.lbArn, Port: 8080, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: byInstance }] }));
      await assert.rejects(
        ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', td, { loadBalancers: [{ targetGroupArn: byInstance, containerName: 'api', containerPort: 3000 }] }))),
        rejectsWith('InvalidParameterException', `The provided target group ${byInstance} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`),
      );
      const withoutNetwork = apiService(fx, 'main', 'x', td);
      delete withoutNetwork.networkConfiguration;
      await assert.rejects(
        ecs.send(new CreateServiceCommand(withoutNetwork)),
        rejectsWith('InvalidParameterException', "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
      );
      await assert.rejects(
        ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', td, { loadBalancers: [{ targetGroupArn: fx.tgArn, containerName: 'api', containerPort: 8080 }] }))),
        rejectsWith('InvalidParameterException', 'The container api did not have a container port 8080 defined.'),
      );
      await assert.rejects(
        ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', td, { loadBalancers: [], healthCheckGracePeriodSeconds: 60 }))),
        rejectsWith('InvalidParameterException', 'Health check grace period is only valid for services configured to use load balancers'),
      );
      await assert.rejects(
        ecs.send(
          new CreateServiceCommand(apiService(fx, 'main', 'x', td, { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0000000000000000a'], securityGroups: [fx.ecsSg] } } })),
        ),
        rejectsWith('InvalidParameterException', /subnet-0000000000000000a/),
      );
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'nope', 'x', td))), rejectsWith('ClusterNotFoundException', 'Cluster not found.'));
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', 'api:999'))), rejectsWith('InvalidParameterException', 'TaskDefinition not found.'));
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'x', td, { clientToken: 'x'.repeat(37) }))), rejectsWith('InvalidParameterException'));
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'bad name', td))), rejectsWith('InvalidParameterException', /service name/));
      const noCount = apiService(fx, 'main', 'x', td);
      delete noCount.desiredCount;
      await assert.rejects(ecs.send(new CreateServiceCommand(noCount)), rejectsWith('InvalidParameterException', /desired count/));
      await assert.rejects(
        ecs.send(new StopTaskCommand({ cluster: 'main', task: '0123456789abcdef0123456789abcdef' })),
        rejectsWith('InvalidParameterException', 'The referenced task was not found.'),
      );
    });

    it('reports a missing service in failures, not as an error; the stable waiter fails on it at once', async () => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: ['ghost'] }));
      assert.deepEqual(out.services, []);
      assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/main/ghost', reason: 'MISSING' }]);
      await assert.rejects(waitUntilServicesStable({ client: ecs, maxWaitTime: 5, minDelay: 1, maxDelay: 1 }, { cluster: 'main', services: ['ghost'] }), /FAILURE|MISSING/);
      await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'ghost', desiredCount: 1 })), rejectsWith('ServiceNotFoundException'));
      await assert.rejects(ecs.send(new DeleteServiceCommand({ cluster: 'main', service: 'ghost' })), rejectsWith('ServiceNotFoundException'));
      await assert.rejects(ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'ghost' })), rejectsWith('ServiceNotFoundException'));
    });

    it('pages ListServices', async () => {
      for (const name of ['s1', 's2', 's3']) await ecs.send(new CreateServiceCommand(apiService(fx, 'main', name, td, { desiredCount: 0 })));
      const first = await ecs.send(new ListServicesCommand({ cluster: 'main', maxResults: 2 }));
      assert.equal(first.serviceArns?.length, 2);
      assert.ok(first.nextToken);
      const second = await ecs.send(new ListServicesCommand({ cluster: 'main', maxResults: 2, nextToken: first.nextToken }));
      assert.deepEqual(second.serviceArns, ['arn:aws:ecs:us-east-1:123456789012:service/main/s3']);
      assert.equal(second.nextToken, undefined);
      const before = (await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: ['s1'] }))).services?.[0]?.deployments?.[0]?.id;
      const moved = await ecs.send(
        new UpdateServiceCommand({
          cluster: 'main',
          service: 's1',
          networkConfiguration: { awsvpcConfiguration: { subnets: [fx.privateSubnets[0] ?? ''], securityGroups: [fx.ecsSg] } },
        }),
      );
      assert.notEqual(moved.service?.deployments?.[0]?.id, before, 'a changed network is a new deployment');
      assert.deepEqual(moved.service?.networkConfiguration?.awsvpcConfiguration?.subnets, [fx.privateSubnets[0]]);
    });

    it('tags services, clusters and task definitions by ARN; propagates service tags to tasks', async () => {
      await ecs.send(
        new CreateServiceCommand(apiService(fx, 'main', 'tagged', td, { desiredCount: 1, tags: [{ key: 'three-tier:stack', value: 'demo' }], propagateTags: 'SERVICE', enableECSManagedTags: true })),
      );
      const arn = 'arn:aws:ecs:us-east-1:123456789012:service/main/tagged';
      await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'owner', value: 'team' }] }));
      const tags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      assert.deepEqual(tags.tags, [{ key: 'three-tier:stack', value: 'demo' }, { key: 'owner', value: 'team' }]);
      const clusterTags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/main' }));
      assert.deepEqual(clusterTags.tags, [{ key: 'three-tier:stack', value: 'demo' }]);
      await assert.rejects(ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:x', value: '1' }] })), rejectsWith('InvalidParameterException'));
      const taskArn = await eventually(async () => (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'tagged' }))).taskArns?.[0], 5_000, 'a task');
      assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'main', family: 'api' }))).taskArns, [taskArn]);
      assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'main', family: 'paged' }))).taskArns, []);
      const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: [taskArn], include: ['TAGS'] }))).tasks?.[0];
      const taskTags = Object.fromEntries((task?.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(taskTags['three-tier:stack'], 'demo');
      assert.equal(taskTags['aws:ecs:serviceName'], 'tagged');
      const missing = await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: ['0123456789abcdef0123456789abcdef'] }));
      assert.deepEqual(missing.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:task/main/0123456789abcdef0123456789abcdef', reason: 'MISSING' }]);
    });

    it('refuses a new service with an INACTIVE task definition', async () => {
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:1' }));
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'old', 'api:1'))), rejectsWith('InvalidParameterException', 'TaskDefinition is inactive'));
    });
  });

  describe('DeleteCluster', () => {
    it('answers ClusterContainsServicesException while services are ACTIVE or DRAINING, ClusterContainsTasksException while their tasks stop', async () => {
      await assert.rejects(
        ecs.send(new DeleteClusterCommand({ cluster: 'main' })),
        rejectsWith('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.'),
      );
      await eventually(async () => {
        const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: ['tagged'] }))).services?.[0];
        return s?.runningCount === 1 ? s : undefined;
      }, 5_000, 'tagged running');
      for (const name of ['s1', 's2', 's3']) await ecs.send(new DeleteServiceCommand({ cluster: 'main', service: name }));
      const draining = await ecs.send(new DeleteServiceCommand({ cluster: 'main', service: 'tagged', force: true }));
      assert.equal(draining.service?.status, 'DRAINING');
      await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'tagged', desiredCount: 1 })), rejectsWith('ServiceNotActiveException', 'Service was not ACTIVE.'));
      await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'main' })), rejectsWith('ClusterContainsServicesException'));
      await eventually(async () => {
        const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: ['tagged'] }))).services?.[0];
        return s?.status === 'INACTIVE' ? s : undefined;
      }, 5_000, 'INACTIVE');
      await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'main' })), rejectsWith('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'));
      const deleted = await eventuallyPast(() => ecs.send(new DeleteClusterCommand({ cluster: 'main' })), 'ClusterContainsTasksException', 5_000, 'cluster deleted');
      assert.equal(deleted.cluster?.status, 'INACTIVE');
      const described = await ecs.send(new DescribeClustersCommand({ clusters: ['main'] }));
      assert.equal(described.clusters?.[0]?.status, 'INACTIVE', 'an INACTIVE cluster stays describable');
      await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'late', td))), rejectsWith('ClusterNotFoundException'));
    });
  });
});
