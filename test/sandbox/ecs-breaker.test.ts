import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { breakerThreshold } from '../../src/sandbox/services/ecs/scheduler.js';
import { clientConfig, eventually, sandbox } from './helpers.js';
import { REGISTRY, apiService, apiTaskDefinition, closeIngress, ecsFixture, ecsNetwork, stageImage, targetsOf, type EcsNetwork } from './fixtures-ecs.js';

describe('sandbox ECS deployment circuit breaker', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let good: string;
  let network: EcsNetwork;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.002 } });
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    good = await stageImage(sb, 'v1', 'amd64');
    await ecs.send(new CreateClusterCommand({ clusterName: 'cb' }));
    network = await ecsNetwork(sb);
  });
  after(async () => {
    await sb.close();
  });

  async function describeService(name: string): Promise<Service> {
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'cb', services: [name] }))).services?.[0];
    assert.ok(s);
    return s;
  }

  it('trips at max(3, min(200, ceil(desired / 2))) failed tasks', () => {
    assert.equal(breakerThreshold(1), 3);
    assert.equal(breakerThreshold(6), 3);
    assert.equal(breakerThreshold(10), 5);
    assert.equal(breakerThreshold(401), 200);
  });

  it('first deployment with a missing image: FAILED, nothing to roll back to, no more retries', async () => {
    const fx = await ecsFixture(sb, 'first', network);
    const td = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, `${REGISTRY}/three-tier/api:nope`, { family: 'first' })));
    await ecs.send(new CreateServiceCommand(apiService(fx, 'cb', 'first', td.taskDefinition?.taskDefinitionArn ?? '')));
    const failed = await eventually(async () => {
      const s = await describeService('first');
      return s.deployments?.[0]?.rolloutState === 'FAILED' ? s : undefined;
    }, 8_000, 'FAILED');
    const d = failed.deployments?.[0];
    assert.equal(failed.deployments?.length, 1, 'no rollback deployment');
    assert.equal(d?.status, 'PRIMARY');
    assert.equal(d?.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(d?.failedTasks, 3);
    assert.equal(failed.runningCount, 0);
    assert.ok((failed.events ?? []).some((e) => e.message === `(service first) (deployment ${d?.id ?? ''}) deployment failed: tasks failed to start.`));
    const count = async (): Promise<number> =>
      ((await ecs.send(new ListTasksCommand({ cluster: 'cb', serviceName: 'first', desiredStatus: 'STOPPED' }))).taskArns ?? []).length +
      ((await ecs.send(new ListTasksCommand({ cluster: 'cb', serviceName: 'first' }))).taskArns ?? []).length;
    const before = await count();
    // The same failing task without the breaker: once ECS has retried it twice, a retry of the FAILED one was due too.
    const control = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, `${REGISTRY}/three-tier/api:nope`, { family: 'first-control' })));
    await ecs.send(
      new CreateServiceCommand(
        apiService(fx, 'cb', 'first-control', control.taskDefinition?.taskDefinitionArn ?? '', { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } } }),
      ),
    );
    await eventually(async () => {
      const stopped = (await ecs.send(new ListTasksCommand({ cluster: 'cb', serviceName: 'first-control', desiredStatus: 'STOPPED' }))).taskArns ?? [];
      return stopped.length >= before + 2 ? stopped : undefined;
    }, 8_000, 'the service without a breaker to retry past the first one');
    assert.equal(await count(), before, 'a FAILED deployment launches no more tasks');
    const after = await describeService('first');
    assert.equal(after.pendingCount, 0);
    assert.equal(after.deployments?.[0]?.rolloutState, 'FAILED');
  });

  it('tasks failing ELB health checks trip it too', async () => {
    const fx = await ecsFixture(sb, 'health', network);
    await closeIngress(sb, fx);
    const td = await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, good, { family: 'health' })));
    await ecs.send(new CreateServiceCommand(apiService(fx, 'cb', 'health', td.taskDefinition?.taskDefinitionArn ?? '', { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } })));
    const failed = await eventually(async () => {
      const s = await describeService('health');
      return s.deployments?.[0]?.rolloutState === 'FAILED' ? s : undefined;
    }, 8_000, 'FAILED after health check failures');
    assert.equal(failed.deployments?.[0]?.failedTasks, 3);
  });

  it('a bad update after a COMPLETED deployment rolls back to it; waitUntilServicesStable still reports success', async () => {
    const fx = await ecsFixture(sb, 'rb', network);
    const td1 = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, good, { family: 'rb' })))).taskDefinition?.taskDefinitionArn ?? '';
    await ecs.send(new CreateServiceCommand(apiService(fx, 'cb', 'rb', td1, { desiredCount: 2 })));
    const first = await eventually(async () => {
      const s = await describeService('rb');
      return s.deployments?.[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 5_000, 'first deployment COMPLETED');
    const firstId = first.deployments?.[0]?.id ?? '';

    const arm = await stageImage(sb, 'arm-only', 'arm64');
    const td2 = (await ecs.send(new RegisterTaskDefinitionCommand(apiTaskDefinition(fx, arm, { family: 'rb' })))).taskDefinition?.taskDefinitionArn ?? '';
    await ecs.send(new UpdateServiceCommand({ cluster: 'cb', service: 'rb', taskDefinition: td2 }));

    const rolling = await eventually(async () => {
      const s = await describeService('rb');
      const p = s.deployments?.find((d) => d.status === 'PRIMARY');
      return p?.taskDefinition === td1 && p.id !== firstId ? s : undefined;
    }, 8_000, 'rollback deployment');
    const rollback = rolling.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(rollback?.rolloutStateReason, `ECS deployment circuit breaker: rolling back to deploymentId ${firstId}.`);
    assert.equal(rolling.taskDefinition, td1);
    assert.ok((rolling.events ?? []).some((e) => e.message === `(service rb) rolling back to deployment ${firstId}.`));
    // The old tasks kept serving while the update failed.
    assert.ok((await targetsOf(sb, fx.tgArn)).filter((t) => t.state === 'healthy').length >= 2);

    const done = await eventually(async () => {
      const s = await describeService('rb');
      return s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 8_000, 'rollback COMPLETED');
    assert.equal(done.deployments?.[0]?.taskDefinition, td1);
    assert.equal(done.runningCount, 2);
    const stable = await waitUntilServicesStable({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'cb', services: ['rb'] });
    assert.equal(stable.state, 'SUCCESS', 'the waiter ignores that the update was rolled back');
    assert.notEqual((await describeService('rb')).taskDefinition, td2);
  });
});
