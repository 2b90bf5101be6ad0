import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  waitUntilServicesInactive,
  waitUntilServicesStable,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type Service,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, control, eventually, sandbox } from './helpers.js';
import { apiService, apiTaskDefinition, ecsFixture, stageImage, targetsOf, type EcsFixture } from './fixtures-ecs.js';

describe('sandbox ECS deployments', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let fx: EcsFixture;
  let image: string;
  let td1: string;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.002 } });
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    ec2 = new EC2Client(clientConfig(sb));
    fx = await ecsFixture(sb);
    image = await stageImage(sb, 'v1', 'amd64');
    await ecs.send(new CreateClusterCommand({ clusterName: 'main' }));
    td1 = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image)))).taskDefinition?.taskDefinitionArn ?? '';
  });
  after(async () => {
    await sb.close();
  });

  async function service(name: string): Promise<Service> {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: [name] }));
    const s = out.services?.[0];
    assert.ok(s, `service ${name} exists`);
    return s;
  }

  it('runs a healthy deployment to COMPLETED: task RUNNING with an ENI in a private subnet, target healthy, steady-state event', async () => {
    await ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'api', td1, { clientToken: 'tok-1', desiredCount: 2 })));
    const done = await eventually(async () => {
      const s = await service('api');
      return s.deployments?.[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 5_000, 'rollout COMPLETED');
    assert.equal(done.runningCount, 2);
    assert.equal(done.deployments?.length, 1);
    assert.equal(done.deployments?.[0]?.status, 'PRIMARY');
    assert.match(done.deployments?.[0]?.rolloutStateReason ?? '', /^ECS deployment ecs-svc\/\d+ completed\.$/);
    assert.equal(done.deployments?.[0]?.taskDefinition, td1);
    const messages = (done.events ?? []).map((e) => e.message ?? '');
    assert.ok(messages.some((m) => m === '(service api) has reached a steady state.'), messages.join('\n'));
    assert.ok(messages.some((m) => /^\(service api\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(m)), messages.join('\n'));
    assert.ok(messages.includes(`(service api) registered 1 targets in (target-group ${fx.tgArn})`), messages.join('\n'));
    assert.ok(messages.includes(`(service api) (deployment ${done.deployments?.[0]?.id ?? ''}) deployment completed.`), messages.join('\n'));

    const healthy = (await targetsOf(sb, fx.tgArn)).filter((t) => t.state === 'healthy');
    assert.equal(healthy.length, 2);
    assert.ok(healthy.every((t) => t.port === 3000));

    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns ?? [];
    assert.equal(arns.length, 2);
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: arns }))).tasks ?? [];
    const subnets = tasks.map((t) => t.attachments?.[0]?.details?.find((d) => d.name === 'subnetId')?.value);
    assert.deepEqual(new Set(subnets), new Set(fx.privateSubnets), 'one task in each private subnet');
    for (const t of tasks) {
      assert.equal(t.lastStatus, 'RUNNING');
      assert.equal(t.desiredStatus, 'RUNNING');
      assert.equal(t.group, 'service:api');
      assert.equal(t.taskDefinitionArn, td1);
      assert.ok(t.startedAt instanceof Date);
      const details = new Map((t.attachments?.[0]?.details ?? []).map((d) => [d.name, d.value]));
      assert.equal(t.attachments?.[0]?.type, 'ElasticNetworkInterface');
      assert.ok(fx.privateSubnets.includes(details.get('subnetId') ?? ''));
      const ip = details.get('privateIPv4Address') ?? '';
      assert.ok(healthy.some((h) => h.id === ip), `target ${ip} registered`);
      const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [details.get('networkInterfaceId') ?? ''] }))).NetworkInterfaces?.[0];
      assert.equal(eni?.RequesterManaged, true);
      assert.deepEqual(eni?.Groups?.map((g) => g.GroupId), [fx.ecsSg]);
      assert.equal(eni?.Description, t.attachments?.[0]?.id === undefined ? undefined : `arn:aws:ecs:us-east-1:123456789012:attachment/${t.attachments[0].id}`, 'described by its task attachment');
      const c = t.containers?.[0];
      assert.equal(c?.lastStatus, 'RUNNING');
      assert.match(c?.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    }
    // The task's awslogs stream got its start line.
    const taskId = (arns[0] ?? '').split('/').pop() ?? '';
    const logs = new CloudWatchLogsClient(clientConfig(sb));
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: fx.logGroup, logStreamName: `api/api/${taskId}` }));
    assert.deepEqual(events.events?.map((e) => e.message), [`sandbox: container api started from ${image}`]);
  });

  it('answers the same service for the same clientToken and parameters; another create is not idempotent', async () => {
    const again = await ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'api', td1, { clientToken: 'tok-1', desiredCount: 2 })));
    assert.equal(again.service?.serviceArn, 'arn:aws:ecs:us-east-1:123456789012:service/main/api');
    await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'api', td1, { clientToken: 'tok-1', desiredCount: 3 }))), (e: Error) => {
      assert.equal(e.name, 'InvalidParameterException');
      assert.equal(e.message, 'Creation of service was not idempotent.');
      return true;
    });
    await assert.rejects(ecs.send(new CreateServiceCommand(apiService(fx, 'main', 'api', td1, { desiredCount: 2 }))), /Creation of service was not idempotent/);
  });

  it('waitUntilServicesStable and waitUntilTasksRunning succeed on the stable service', async () => {
    const stable = await waitUntilServicesStable({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'main', services: ['api'] });
    assert.equal(stable.state, 'SUCCESS');
    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns ?? [];
    const running = await waitUntilTasksRunning({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'main', tasks: arns });
    assert.equal(running.state, 'SUCCESS');
  });

  it('rolls out a new task definition: new PRIMARY, old ACTIVE drained, then COMPLETED with only new tasks', async () => {
    const v2 = await stageImage(sb, 'v2', 'amd64');
    const td2 = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, v2)))).taskDefinition?.taskDefinitionArn ?? '';
    assert.match(td2, /:task-definition\/api:2$/);
    const oldTasks = (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns ?? [];
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'api', taskDefinition: td2 }));
    assert.deepEqual(updated.service?.deployments?.map((d) => d.status), ['PRIMARY', 'ACTIVE']);
    assert.equal(updated.service?.deployments?.[0]?.rolloutState, 'IN_PROGRESS');
    assert.equal(updated.service?.deployments?.[0]?.rolloutStateReason, `ECS deployment ${updated.service?.deployments?.[0]?.id ?? ''} in progress.`);
    const done = await eventually(async () => {
      const s = await service('api');
      return s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 5_000, 'second rollout');
    assert.equal(done.taskDefinition, td2);
    assert.ok((done.events ?? []).some((e) => /^\(service api\) has stopped \d running tasks: \(task [0-9a-f]{32}\)/.test(e.message ?? '')));
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: oldTasks }))).tasks ?? [];
    assert.ok(stopped.every((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'ServiceSchedulerInitiated'));
    assert.match(stopped[0]?.stoppedReason ?? '', /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    const live = (await targetsOf(sb, fx.tgArn)).filter((t) => t.state !== 'draining');
    assert.equal(live.length, 2);
    assert.ok(live.every((t) => t.state === 'healthy'));
  });

  it('replaces a task stopped with StopTask; waitUntilTasksStopped sees it STOPPED with the reason', async () => {
    const [victim] = (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns ?? [];
    assert.ok(victim);
    const out = await ecs.send(new StopTaskCommand({ cluster: 'main', task: victim, reason: 'rehearsal' }));
    assert.equal(out.task?.desiredStatus, 'STOPPED');
    const res = await waitUntilTasksStopped({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'main', tasks: [victim] });
    assert.equal(res.state, 'SUCCESS');
    const t = (await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: [victim] }))).tasks?.[0];
    assert.equal(t?.stoppedReason, 'rehearsal');
    assert.equal(t?.stopCode, 'UserInitiated');
    assert.equal(t?.containers?.[0]?.exitCode, 0);
    await eventually(async () => {
      const s = await service('api');
      return s.runningCount === 2 && (await targetsOf(sb, fx.tgArn)).filter((x) => x.state === 'healthy').length === 2 ? s : undefined;
    }, 5_000, 'replacement task');
  });

  it('scales with UpdateService desiredCount and redeploys the same revision with forceNewDeployment', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'api', desiredCount: 3 }));
    const scaled = await eventually(async () => {
      const s = await service('api');
      return s.runningCount === 3 && s.deployments?.length === 1 ? s : undefined;
    }, 5_000, 'three running');
    const before = scaled.deployments?.[0];
    assert.equal(before?.rolloutState, 'COMPLETED', 'scaling is no new deployment');
    const forced = await ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'api', desiredCount: 2, forceNewDeployment: true }));
    const primary = forced.service?.deployments?.[0];
    assert.notEqual(primary?.id, before?.id);
    assert.equal(primary?.taskDefinition, before?.taskDefinition);
    const done = await eventually(async () => {
      const s = await service('api');
      return s.deployments?.length === 1 && s.deployments[0]?.id === primary?.id && s.deployments[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 5_000, 'forced deployment COMPLETED');
    assert.equal(done.runningCount, 2);
  });

  it('refuses DeleteService while scaled above 0 without force', async () => {
    await assert.rejects(ecs.send(new DeleteServiceCommand({ cluster: 'main', service: 'api' })), (e: Error) => {
      assert.equal(e.name, 'InvalidParameterException');
      assert.equal(e.message, 'The service cannot be stopped while it is scaled above 0.');
      return true;
    });
  });

  it('DeleteService force drains: DRAINING, tasks stop, targets drain, INACTIVE; the ENI of a task goes with the task', async () => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns ?? [];
    // Load balancer, RDS and ElastiCache interfaces linger (here 2.5 s of wall time); a Fargate task's does not.
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 2500 });
    const out = await ecs.send(new DeleteServiceCommand({ cluster: 'main', service: 'api', force: true }));
    assert.equal(out.service?.status, 'DRAINING');
    const inactive = await waitUntilServicesInactive({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'main', services: ['api'] });
    assert.equal(inactive.state, 'SUCCESS');
    const tasks = await eventually(async () => {
      const all = (await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: arns }))).tasks ?? [];
      return all.every((t) => t.lastStatus === 'STOPPED') ? all : undefined;
    }, 5_000, 'tasks STOPPED');
    assert.equal(tasks.length, 2, 'stopped tasks stay describable');
    assert.ok(tasks.every((t) => t.stoppedAt instanceof Date));
    const eniIds = tasks.map((t) => t.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value ?? '');
    const taskEnis = async () =>
      ((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }] }))).NetworkInterfaces ?? []).filter((e) => eniIds.includes(e.NetworkInterfaceId ?? ''));
    assert.equal(eniIds.filter(Boolean).length, 2, 'each task had its interface');
    assert.deepEqual(await taskEnis(), [], 'the interfaces were deleted with the tasks, not left to linger');
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
    assert.equal((await ecs.send(new ListTasksCommand({ cluster: 'main', serviceName: 'api' }))).taskArns?.length, 0);
  });
});
