import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSubnetCommand } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { ResourceType, type TargetGroupData } from '../../src/sandbox/model.js';
import { recordHealthCheck } from '../../src/sandbox/target-health.js';
import { clientConfig, eventually, sandbox } from './helpers.js';
import { buildNetwork } from './fixtures-network.js';
import { apiService, apiTaskDefinition, closeIngress, ecsFixture, ecsNetwork, fixtureClients, stageImage, targetsOf, type EcsFixture, type EcsNetwork } from './fixtures-ecs.js';

/**
 * The load balancer's thresholds and ECS's circuit breaker. A target turns healthy after HealthyThresholdCount
 * passed checks and unhealthy after UnhealthyThresholdCount failed ones, at the group's interval; the breaker trips
 * at max(3, min(200, ceil(desired / 2))) failed tasks, a healthy task resets the count (resetOnHealthyTask, the
 * default) and monitoring goes on; tasks stopped for failed health checks do not throttle the service's launches.
 */
describe('sandbox target health thresholds and the ECS circuit breaker', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let image: string;
  /** A network for the cases that do not change it (a region holds 5 VPCs). */
  let shared: EcsNetwork;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.002 } });
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    image = await stageImage(sb, 'v1', 'amd64');
    await ecs.send(new CreateClusterCommand({ clusterName: 'rules' }));
    shared = await ecsNetwork(sb);
  });
  after(async () => {
    await sb.close();
  });

  it("counts checks against the group's thresholds: healthy after HealthyThresholdCount passes, unhealthy after UnhealthyThresholdCount failures", async () => {
    // The checks are fed in-process through the entry point the data plane uses for its real HTTP checks
    // (recordHealthCheck); what they produce is read back through DescribeTargetHealth.
    const net = buildNetwork(sb.world, 9);
    const elb = new ElasticLoadBalancingV2Client(clientConfig(sb));
    const lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: 'thresholds', Subnets: net.publicSubnets, SecurityGroups: [net.securityGroupId] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const tgArn =
      (
        await elb.send(
          new CreateTargetGroupCommand({ Name: 'thresholds', Protocol: 'HTTP', Port: 3000, VpcId: net.vpcId, TargetType: 'ip', HealthyThresholdCount: 3, UnhealthyThresholdCount: 2, HealthCheckIntervalSeconds: 10 }),
        )
      ).TargetGroups?.[0]?.TargetGroupArn ?? '';
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.9.10.20', Port: 3000 }] }));
    const tg = sb.world.get<TargetGroupData>(ResourceType.targetGroup, tgArn);
    assert.ok(tg);
    const check = async (passed: boolean): Promise<string> => {
      recordHealthCheck(sb.world, tg, '10.9.10.20', 3000, passed ? { passed: true } : { passed: false, reason: 'Target.Timeout', description: 'Request timed out' });
      return (await targetsOf(sb, tgArn))[0]?.state ?? '';
    };
    assert.deepEqual([await check(true), await check(true)], ['initial', 'initial']);
    assert.equal((await targetsOf(sb, tgArn))[0]?.reason, 'Elb.InitialHealthChecking');
    assert.equal(await check(true), 'healthy', 'the third passed check');
    assert.equal(await check(false), 'healthy', 'one failure is below the unhealthy threshold');
    assert.equal(await check(true), 'healthy');
    assert.equal(await check(false), 'healthy', 'a pass in between starts the count again');
    assert.equal(await check(false), 'unhealthy', 'two failures in a row');
    const t = (await targetsOf(sb, tgArn))[0];
    assert.deepEqual([t?.reason, t?.description], ['Target.Timeout', 'Request timed out']);
    assert.deepEqual([await check(true), await check(true), await check(true)], ['unhealthy', 'unhealthy', 'healthy']);
  });

  /** A fresh fixture (network, load balancer, target group of interval 30 s, thresholds 5 / 2) and a task definition. */
  async function fixture(name: string, network?: EcsNetwork): Promise<{ fx: EcsFixture; td: string }> {
    const fx = await ecsFixture(sb, name, network);
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, image, { family: name })))).taskDefinition?.taskDefinitionArn ?? '';
    return { fx, td };
  }

  it("the simulated checks run at the group's interval: healthy at the 5th passed check, unhealthy at the 2nd failed one", async () => {
    const { fx, td } = await fixture('cadence', shared);
    await ecs.send(new CreateServiceCommand(apiService(fx, 'rules', 'cadence', td, { healthCheckGracePeriodSeconds: 3600 })));
    await eventually(async () => (await targetsOf(sb, fx.tgArn)).find((t) => t.state === 'healthy'), 8_000, 'a healthy target');
    const target = () => sb.world.get<TargetGroupData>(ResourceType.targetGroup, fx.tgArn)?.data.targets[0];
    // Checks are dated on the group's cadence from the registration, however often the sandbox was called.
    const interval = sb.world.scaled(30_000);
    const checksAt = (t: number): number => Math.round(((t - (target()?.registeredAt ?? 0)) / interval) * 1000) / 1000;
    assert.equal(checksAt(target()?.since ?? 0), 5, 'healthy at the 5th check (HealthyThresholdCount 5)');
    await closeIngress(sb, fx);
    await eventually(async () => (await targetsOf(sb, fx.tgArn)).find((t) => t.state === 'unhealthy'), 8_000, 'an unhealthy target');
    assert.equal(target()?.checks?.failed, 2);
    assert.equal(target()?.since, target()?.checks?.lastAt, 'unhealthy at the 2nd failed check (UnhealthyThresholdCount 2)');
    assert.ok(Number.isInteger(checksAt(target()?.since ?? 0)), 'on the interval');
  });

  /** Five subnets with no route out (the public ones without a public IP, three new ones on the main table) and one private. */
  async function breakerSubnets(fx: EcsFixture): Promise<string[]> {
    const ec2 = fixtureClients(sb).ec2;
    const extra = [];
    for (const [i, az] of [['64', 'us-east-1a'], ['65', 'us-east-1b'], ['66', 'us-east-1a']] as const) {
      extra.push((await ec2.send(new CreateSubnetCommand({ VpcId: fx.vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: az }))).Subnet?.SubnetId ?? '');
    }
    return [fx.privateSubnets[0] ?? '', fx.publicSubnets[0] ?? '', fx.publicSubnets[1] ?? '', ...extra];
  }

  async function failedBeforeTrip(fx: EcsFixture, td: string, name: string, resetOnHealthyTask: boolean | undefined): Promise<{ failed: number; healthyTasks: number }> {
    const subnets = await breakerSubnets(fx);
    const breaker = { enable: true, rollback: false, ...(resetOnHealthyTask === undefined ? {} : { resetOnHealthyTask }) };
    await ecs.send(
      new CreateServiceCommand(
        apiService(fx, 'rules', name, td, {
          desiredCount: 2,
          networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [fx.ecsSg], assignPublicIp: 'DISABLED' } },
          deploymentConfiguration: { deploymentCircuitBreaker: breaker },
        }),
      ),
    );
    const s = await eventually(async () => {
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'rules', services: [name] }))).services?.[0];
      return svc?.deployments?.[0]?.rolloutState === 'FAILED' ? svc : undefined;
    }, 15_000, `${name}'s deployment FAILED`);
    assert.equal(s.deployments?.[0]?.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    const stopped = (await ecs.send(new ListTasksCommand({ cluster: 'rules', serviceName: name, desiredStatus: 'STOPPED' }))).taskArns ?? [];
    const tasks = stopped.length ? ((await ecs.send(new DescribeTasksCommand({ cluster: 'rules', tasks: stopped }))).tasks ?? []) : [];
    const healthy = (await targetsOf(sb, fx.tgArn)).filter((t) => t.state === 'healthy').length;
    return { failed: tasks.filter((t) => t.stopCode === 'TaskFailedToStart').length, healthyTasks: healthy };
  }

  it('resetOnHealthyTask (default): a healthy task resets the count, and monitoring goes on until 3 more fail', async () => {
    const { fx, td } = await fixture('reset');
    // Launches go round-robin: the private subnet's task turns healthy after two others failed; three more fail.
    const r = await failedBeforeTrip(fx, td, 'reset', undefined);
    assert.equal(r.healthyTasks, 1, 'one task is healthy');
    assert.equal(r.failed, 5, '2 failed before the healthy task (count reset), 3 after it (tripped)');
  });

  it('resetOnHealthyTask false: the healthy task does not reset the count; the 3rd failure trips it', async () => {
    const { fx, td } = await fixture('noreset');
    const r = await failedBeforeTrip(fx, td, 'noreset', false);
    assert.equal(r.failed, 3);
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'rules', services: ['noreset'] }))).services?.[0];
    assert.equal(s?.deploymentConfiguration?.deploymentCircuitBreaker?.resetOnHealthyTask, false);
  });

  it('tasks stopped for failed health checks after reaching RUNNING do not throttle the service', async () => {
    const { fx, td } = await fixture('elbkill', shared);
    await closeIngress(sb, fx);
    await ecs.send(new CreateServiceCommand(apiService(fx, 'rules', 'elbkill', td, { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } } })));
    const stopped = await eventually(async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: 'rules', serviceName: 'elbkill', desiredStatus: 'STOPPED' }))).taskArns ?? [];
      return arns.length >= 4 ? arns : undefined;
    }, 15_000, 'four tasks stopped by ECS');
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'rules', tasks: stopped }))).tasks ?? [];
    assert.ok(tasks.every((t) => /^Task failed ELB health checks/.test(t.stoppedReason ?? '')), tasks.map((t) => t.stoppedReason).join('; '));
    const events = (await ecs.send(new DescribeServicesCommand({ cluster: 'rules', services: ['elbkill'] }))).services?.[0]?.events ?? [];
    assert.ok(!events.some((e) => /unable to consistently start tasks/.test(e.message ?? '')), 'no throttle for tasks that ran');
  });
});
