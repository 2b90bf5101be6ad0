import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizeSecurityGroupIngressCommand, CreateRouteCommand, DeleteRouteCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { DescribeTaskDefinitionCommand, ListTasksCommand, RegisterTaskDefinitionCommand, StopTaskCommand, UpdateServiceCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateLogGroupCommand, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { diagnoseStoppedTask } from '../../src/diagnose.js';
import { ManifestStore } from '../../src/engine/manifest.js';
import type { UpResult } from '../../src/provisioner.js';
import type { StackStatus } from '../../src/status/model.js';
import { control } from '../sandbox/helpers.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { statusWhen } from './support.js';
import { registerVariant } from '../provisioner/task-variant.js';

/**
 * A failed task for each stopped reason the sandbox produces (docs/sandbox/ecs.md), read by status with the cause
 * and fix `up` gives (src/diagnose.ts). Environment faults: the running task is stopped and its replacement
 * fails. Bad task definitions: a new deployment fails and the circuit breaker rolls it back. After each case the
 * stack is repaired and status must say healthy again before the next.
 */

const SERVICE = { cluster: 'ship', service: 'ship-api' };

describe('status explains failed tasks and deployments', () => {
  let h: Harness;
  let up: UpResult;
  const out = (id: string, key: string): string => up.outputs[id]?.[key] ?? '';
  /** The execution role's policy without one of its statements (by Sid); returns what puts it back. */
  const withoutStatement = async (sid: string): Promise<() => Promise<void>> => {
    const names = { RoleName: 'ship-us-east-1-task-execution', PolicyName: 'ship-task-execution' };
    const doc = decodeURIComponent((await h.clients.iam.send(new GetRolePolicyCommand(names))).PolicyDocument ?? '');
    const parsed = JSON.parse(doc) as { Statement: { Sid?: string }[] };
    assert.ok(parsed.Statement.some((x) => x.Sid === sid), `the policy has ${sid}`);
    const narrower = { ...parsed, Statement: parsed.Statement.filter((x) => x.Sid !== sid) };
    await h.clients.iam.send(new PutRolePolicyCommand({ ...names, PolicyDocument: JSON.stringify(narrower) }));
    return async () => {
      await h.clients.iam.send(new PutRolePolicyCommand({ ...names, PolicyDocument: doc }));
    };
  };
  before(async () => {
    h = await harness({ stack: 'ship' });
    up = await h.up();
  });
  after(async () => h.close());

  const healthyAgain = (): Promise<StackStatus> => statusWhen(h, (s) => s.verdict === 'healthy', 'the stack healthy again');

  /** The newest stopped task whose reason matches, once status shows it. */
  async function failedTask(reason: RegExp): Promise<{ s: StackStatus; task: NonNullable<StackStatus['service']>['stoppedTasks'][number] }> {
    const s = await statusWhen(h, (x) => !!x.service?.stoppedTasks.some((t) => !t.routine && reason.test(t.reason)), `a task stopped with ${reason}`);
    const task = s.service?.stoppedTasks.find((t) => !t.routine && reason.test(t.reason));
    assert.ok(task);
    return { s, task };
  }

  async function replaceRunningTask(): Promise<void> {
    const arns = (await h.clients.ecs.send(new ListTasksCommand({ ...SERVICE, serviceName: SERVICE.service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
    for (const task of arns) await h.clients.ecs.send(new StopTaskCommand({ cluster: SERVICE.cluster, task }));
  }

  async function deployVariant(change: (c: ContainerDefinition) => ContainerDefinition): Promise<string> {
    const arn = await registerVariant(h.clients.ecs, out('task-definition', 'arn'), change);
    await h.clients.ecs.send(new UpdateServiceCommand({ ...SERVICE, taskDefinition: arn }));
    return arn;
  }

  const environmentCases: { name: string; reason: RegExp; code?: string; breakIt: () => Promise<() => Promise<void>> }[] = [
    {
      name: 'no route out of the private subnets',
      reason: /ResourceInitializationError: .*Check your task network configuration.*context deadline exceeded/,
      code: 'NO_REGISTRY_ROUTE',
      breakIt: async () => {
        const rt = out('route-table-private', 'routeTableId');
        await h.clients.ec2.send(new DeleteRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0' }));
        return async () => {
          await h.clients.ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: out('nat-gateway', 'natGatewayId') }));
        };
      },
    },
    {
      name: 'an execution role that may not read the secret',
      reason: /ResourceInitializationError: .*secret.*AccessDeniedException/,
      code: 'SECRET_ACCESS',
      breakIt: () => withoutStatement('ReadStackSecrets'),
    },
    {
      name: 'an execution role without registry auth',
      reason: /unable to retrieve ecr registry auth/,
      breakIt: () => withoutStatement('RegistryLogin'),
    },
    {
      name: 'a log group that no longer exists',
      reason: /The specified log group does not exist/,
      code: 'LOGS_ACCESS',
      breakIt: async () => {
        await h.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: '/three-tier/ship/api' }));
        return async () => {
          await h.clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/three-tier/ship/api' }));
        };
      },
    },
    {
      name: 'tasks that fail the load balancer health checks',
      reason: /Task failed ELB health checks/,
      code: 'HEALTH_CHECKS_FAILED',
      breakIt: async () => {
        const perm = { GroupId: out('sg-ecs', 'groupId'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: out('sg-alb', 'groupId') }] }] };
        await h.clients.ec2.send(new RevokeSecurityGroupIngressCommand(perm));
        return async () => {
          await h.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(perm));
        };
      },
    },
  ];

  for (const c of environmentCases) {
    it(`${c.name}: the stopped reason, and the cause and fix up gives`, async () => {
      const repair = await c.breakIt();
      try {
        if (!/ELB health checks/.test(c.reason.source)) await replaceRunningTask();
        const { s, task } = await failedTask(c.reason);
        const expected = diagnoseStoppedTask(task.reason);
        assert.ok(expected, `diagnose.ts has a rule for: ${task.reason}`);
        if (c.code) assert.equal(expected.code, c.code);
        assert.deepEqual(task.diagnosis, expected, 'the same words as up');
        assert.ok(s.diagnoses.some((d) => d.code === expected.code), 'listed under what is wrong');
        assert.notEqual(s.verdict, 'healthy');
      } finally {
        await repair();
      }
      const again = await healthyAgain();
      assert.deepEqual(again.diagnoses, [], 'old stopped tasks are history once the service is healthy');
    });
  }

  it('an image that does not exist: the deployment fails, the circuit breaker rolls back, status says so', async () => {
    const bad = await deployVariant((c) => ({ ...c, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ship-api:missing' }));
    // Recorded as three-tier's own deployment, as a deploy would: status then names the rollback.
    const store = ManifestStore.open(h.manifestPath, { config: h.config });
    const recorded = store.resource('task-definition');
    store.update('task-definition', 'task-definition', { identity: { arn: bad } });
    try {
      const { task } = await failedTask(/CannotPullContainerError: .*ship-api:missing: not found/);
      assert.equal(task.diagnosis?.code, 'IMAGE_NOT_FOUND');
      const s = await statusWhen(h, (x) => !!x.service?.rolledBackFrom && x.service.deployments.every((d) => d.rolloutState !== 'IN_PROGRESS'), 'the rollback');
      assert.equal(s.service?.rolledBackFrom, bad.split('/').pop());
      assert.equal(s.verdict, 'degraded');
      assert.ok(s.reasons.some((r) => /failed and the circuit breaker rolled the service back/.test(r)), s.reasons.join('; '));
      assert.ok(s.service?.events.some((e) => /deployment failed: tasks failed to start/.test(e.message)), 'the circuit breaker events are shown');
      assert.ok(s.service?.events.some((e) => /rolling back to deployment/.test(e.message)));
      assert.ok(!s.drift.some((d) => /task definition/.test(d.what)), 'a rollback is a failure, not drift');
    } finally {
      store.update('task-definition', 'task-definition', { identity: recorded?.identity ?? {} });
    }
    await healthyAgain();
  });

  it('an image built for another architecture: exec format error in the logs, read by status', async () => {
    await control(h.sb, 'POST', '/_sandbox/images', { repository: 'ship-api', tag: 'arm', architecture: 'arm64' });
    await deployVariant((c) => ({ ...c, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ship-api:arm' }));
    const { task } = await failedTask(/Essential container in task exited/);
    assert.ok(task.logLines.some((l) => /exec format error/.test(l)), task.logLines.join('\n'));
    assert.equal(task.diagnosis?.code, 'ARCH_MISMATCH');
    assert.equal(task.exitCode, 1);
    await healthyAgain();
  });

  it('a database connection without TLS: unhealthy targets, diagnosed DB_SSL from the task logs', async () => {
    // A long grace period keeps ECS from replacing the unhealthy task at once, so its target stays in view.
    await h.clients.ecs.send(new UpdateServiceCommand({ ...SERVICE, healthCheckGracePeriodSeconds: 600 }));
    await deployVariant((c) => ({ ...c, environment: (c.environment ?? []).map((e) => (e.name === 'DB_SSL' ? { name: 'DB_SSL', value: 'disable' } : e)) }));
    try {
      const s = await statusWhen(h, (x) => x.diagnoses.some((d) => d.code === 'DB_SSL'), 'the DB_SSL diagnosis');
      const target = s.targets.find((t) => t.state === 'unhealthy');
      assert.equal(target?.reason, 'Target.ResponseCodeMismatch');
      assert.equal(target?.diagnosis?.code, 'DB_SSL');
      assert.equal(s.verdict, 'degraded');
    } finally {
      await h.clients.ecs.send(new UpdateServiceCommand({ ...SERVICE, taskDefinition: out('task-definition', 'arn'), healthCheckGracePeriodSeconds: 60 }));
    }
    await healthyAgain();
  });
});
