import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  DescribeServicesCommand,
  type ContainerDefinition,
  type CreateServiceRequest,
  type RegisterTaskDefinitionRequest,
  type Task,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { ResourceType, type RouteTableData } from '../../src/sandbox/model.js';
import { clientConfig, control, eventually, sandbox } from './helpers.js';
import { EXECUTION_POLICY, REGISTRY, apiService, apiTaskDefinition, closeIngress, ecsFixture, ecsNetwork, fixtureClients, stageImage, targetsOf, type EcsFixture, type EcsNetwork } from './fixtures-ecs.js';

/**
 * Each way a Fargate task fails that the provisioner must diagnose, with the stopped reason AWS gives. Every case
 * has its own fixture (VPC, target group, role, secret), made and changed through the SDK, so changing one does not
 * affect another.
 */
describe('sandbox ECS task failures', () => {
  let sb: Sandbox;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  let amd64: string;
  let arm64: string;
  let n = 0;
  let shared: EcsNetwork;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.002 } });
    ecs = new ECSClient(clientConfig(sb, { maxAttempts: 1 }));
    logs = new CloudWatchLogsClient(clientConfig(sb, { maxAttempts: 1 }));
    amd64 = await stageImage(sb, 'v1', 'amd64');
    arm64 = await stageImage(sb, 'arm', 'arm64');
    await ecs.send(new CreateClusterCommand({ clusterName: 'fail' }));
    shared = await ecsNetwork(sb);
  });
  after(async () => {
    await sb.close();
  });

  interface DeployOptions {
    image?: string;
    td?: Partial<RegisterTaskDefinitionRequest>;
    env?: Record<string, string>;
    service?: (fx: EcsFixture) => Partial<CreateServiceRequest>;
    /** Change the fixture (role, routes, groups) through the SDK before the service is created. */
    prepare?: (fx: EcsFixture) => Promise<void>;
    /** A network of its own, for a case that changes it (a route, the NAT gateway). */
    ownNetwork?: boolean;
    /** A network an earlier case made (and changed). */
    network?: EcsNetwork;
    editContainer?: (c: ContainerDefinition, fx: EcsFixture) => void;
  }

  /** Deploy one task of a service built from a fresh fixture, without the circuit breaker. */
  async function deploy(opts: DeployOptions = {}): Promise<{ fx: EcsFixture; name: string }> {
    n++;
    const fx = await ecsFixture(sb, `case${n}`, opts.network ?? (opts.ownNetwork ? undefined : shared));
    await opts.prepare?.(fx);
    const input = apiTaskDefinition(fx, opts.image ?? amd64, { family: `case${n}`, ...(opts.td ?? {}) }, opts.env ?? {});
    const container = input.containerDefinitions?.[0];
    assert.ok(container);
    opts.editContainer?.(container, fx);
    const td = await ecs.send(new RegisterTaskDefinitionCommand(input));
    const name = `svc${n}`;
    const overrides = { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } }, ...(opts.service?.(fx) ?? {}) };
    await ecs.send(new CreateServiceCommand(apiService(fx, 'fail', name, td.taskDefinition?.taskDefinitionArn ?? '', overrides)));
    return { fx, name };
  }

  async function firstStopped(service: string): Promise<Task> {
    return eventually(async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: service, desiredStatus: 'STOPPED' }))).taskArns ?? [];
      if (arns.length === 0) return undefined;
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'fail', tasks: arns }))).tasks ?? [];
      return tasks.find((t) => t.lastStatus === 'STOPPED');
    }, 8_000, `a stopped task of ${service}`);
  }

  async function running(service: string): Promise<Task> {
    return eventually(async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: service }))).taskArns ?? [];
      if (arns.length === 0) return undefined;
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'fail', tasks: arns }))).tasks ?? [];
      return tasks.find((t) => t.lastStatus === 'RUNNING');
    }, 8_000, `a running task of ${service}`);
  }

  it('an image tag missing from ECR: TaskFailedToStart with CannotPullContainerError ... not found', async () => {
    const uri = `${REGISTRY}/three-tier/api:does-not-exist`;
    const { name } = await deploy({ image: uri });
    const t = await firstStopped(name);
    const expected = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${uri}: ${uri}: not found`;
    assert.equal(t.stopCode, 'TaskFailedToStart');
    assert.equal(t.stoppedReason, expected);
    assert.equal(t.containers?.[0]?.reason, expected);
    assert.equal(t.startedAt, undefined, 'it never started');
  });

  /** A network whose private subnets have no route out (the first case deletes the route; later ones reuse it). */
  let closed: EcsNetwork | undefined;
  const noRoute = async (fx: EcsFixture): Promise<void> => {
    await fixtureClients(sb).ec2.send(new DeleteRouteCommand({ RouteTableId: fx.privateRouteTable, DestinationCidrBlock: '0.0.0.0/0' }));
    closed = fx;
  };

  it('no route out of the private subnet (NAT route missing): the first secret times out (ResourceInitializationError ... context deadline exceeded)', async () => {
    const { fx, name } = await deploy({ ownNetwork: true, prepare: noRoute });
    const t = await firstStopped(name);
    assert.equal(t.stopCode, 'TaskFailedToStart');
    assert.equal(
      t.stoppedReason,
      `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret ${fx.secretArn} from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded`,
    );
    assert.equal(t.containers?.[0]?.reason, undefined, 'no container got as far as its pull');
  });

  it('no route out, no secrets, an ECR image: the registry auth times out (... cannot pull registry auth from Amazon ECR ... i/o timeout)', async () => {
    const { name } = await deploy({ ...(closed ? { network: closed } : { ownNetwork: true, prepare: noRoute }), editContainer: (c) => delete c.secrets });
    const t = await firstStopped(name);
    assert.equal(
      t.stoppedReason,
      'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 52.46.145.25:443: i/o timeout',
    );
  });

  it('no route out, no secrets, an image outside ECR: the pull itself times out (CannotPullContainerError ... i/o timeout)', async () => {
    const { name } = await deploy({ ...(closed ? { network: closed } : { ownNetwork: true, prepare: noRoute }), image: 'public.example.com/api:v1', editContainer: (c) => delete c.secrets });
    const t = await firstStopped(name);
    const expected = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.example.com/api:v1: failed to do request: Head "https://public.example.com/v2/api/manifests/v1": dial tcp 52.46.145.25:443: i/o timeout';
    assert.equal(t.stoppedReason, expected);
    assert.equal(t.containers?.[0]?.reason, expected);
  });

  it('a NAT gateway that is not available does not route either', async () => {
    const { name } = await deploy({
      ownNetwork: true,
      prepare: async (fx) => {
        await fixtureClients(sb).ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: fx.natId }));
      },
    });
    const t = await firstStopped(name);
    assert.match(t.stoppedReason ?? '', /^ResourceInitializationError: .*Check your task network configuration\..*context deadline exceeded$/);
  });

  it('public subnets reach the registry through the internet gateway only with assignPublicIp ENABLED', async () => {
    const inPublic = (assignPublicIp: 'ENABLED' | 'DISABLED') => (fx: EcsFixture): Partial<CreateServiceRequest> => ({
      networkConfiguration: { awsvpcConfiguration: { subnets: fx.publicSubnets, securityGroups: [fx.ecsSg], assignPublicIp } },
    });
    const blocked = await deploy({ service: inPublic('DISABLED') });
    assert.match((await firstStopped(blocked.name)).stoppedReason ?? '', /^ResourceInitializationError: .*Check your task network configuration\..*context deadline exceeded$/);
    const open = await deploy({ service: inPublic('ENABLED') });
    const t = await running(open.name);
    const eniId = t.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value ?? '';
    const eni = (await fixtureClients(sb).ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces?.[0];
    assert.ok(eni?.Association?.PublicIp, 'the task got a public address');
  });

  it('an arm64 image on X86_64: the container exits at once, Essential container in task exited, exec format error in the log', async () => {
    const { fx, name } = await deploy({ image: arm64 });
    const t = await firstStopped(name);
    assert.equal(t.stopCode, 'EssentialContainerExited');
    assert.equal(t.stoppedReason, 'Essential container in task exited');
    assert.equal(t.containers?.[0]?.exitCode, 1);
    const taskId = t.taskArn?.split('/').pop() ?? '';
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: fx.logGroup, logStreamNames: [`api/api/${taskId}`] }));
    assert.deepEqual(events.events?.map((e) => e.message), ['exec /usr/local/bin/docker-entrypoint.sh: exec format error']);
  });

  it('the same arm64 image runs with runtimePlatform ARM64', async () => {
    const { name } = await deploy({ image: arm64, td: { runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } } });
    const t = await running(name);
    assert.equal(t.attributes?.find((a) => a.name === 'ecs.cpu-architecture')?.value, 'arm64');
  });

  it('an execution role without a policy for the secret: ResourceInitializationError ... AccessDeniedException', async () => {
    const { fx, name } = await deploy({ prepare: async (f) => void (await fixtureClients(sb).iam.send(new DeleteRolePolicyCommand({ RoleName: f.execRole, PolicyName: f.secretPolicy }))) });
    const t = await firstStopped(name);
    assert.equal(t.stopCode, 'TaskFailedToStart');
    const reason = t.stoppedReason ?? '';
    assert.ok(reason.startsWith('ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm:'), reason);
    assert.ok(reason.includes(`failed to fetch secret ${fx.secretArn} from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/case${n}-exec/`), reason);
    assert.ok(reason.includes(`is not authorized to perform: secretsmanager:GetSecretValue on resource: ${fx.secretArn}`), reason);
  });

  it('an execution role that does not exist: AccessDeniedException too', async () => {
    const { name } = await deploy({ td: { executionRoleArn: 'arn:aws:iam::123456789012:role/nobody' } });
    const t = await firstStopped(name);
    assert.match(t.stoppedReason ?? '', /^ResourceInitializationError: unable to pull secrets or registry auth: .*AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/nobody\//);
  });

  it('iamPropagationUses: a role made while IAM has not propagated fails the first task with AccessDenied, ECS starts another that runs', async () => {
    // docs/sandbox.md, Faults: after a role is created or its policies change, the next that many ECS lookups of it
    // do not see it; each task start looks the execution role up once before it fails on its first permission.
    const set = await control(sb, 'POST', '/_sandbox/faults', { iamPropagationUses: 1 });
    assert.equal(set.status, 200);
    let name: string;
    let fx: EcsFixture;
    try {
      ({ fx, name } = await deploy());
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { iamPropagationUses: 0 });
    }
    const stopped = await firstStopped(name);
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    const reason = stopped.stoppedReason ?? '';
    assert.ok(reason.startsWith('ResourceInitializationError: unable to pull secrets or registry auth: '), reason);
    assert.ok(reason.includes(`AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/${fx.execRole}/`), reason);
    assert.ok(reason.includes('is not authorized to perform: secretsmanager:GetSecretValue'), reason);
    const t = await running(name);
    assert.notEqual(t.taskArn, stopped.taskArn);
  });

  it('a secret that does not exist (the role may read any secret): ResourceNotFoundException', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-gone-XyZ123';
    const { name } = await deploy({
      prepare: async (f) => {
        await fixtureClients(sb).iam.send(
          new PutRolePolicyCommand({
            RoleName: f.execRole,
            PolicyName: 'all-secrets',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['secretsmanager:Get*'], Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:*' }],
            }),
          }),
        );
      },
      editContainer: (c) => (c.secrets = [{ name: 'DB_PASSWORD', valueFrom: `${missing}:password::` }]),
    });
    const t = await firstStopped(name);
    assert.equal(t.stopCode, 'TaskFailedToStart');
    const prefix =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ' +
      `service call has been retried 1 time(s): failed to fetch secret ${missing} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`;
    assert.ok((t.stoppedReason ?? '').startsWith(prefix), t.stoppedReason);
  });

  it('a JSON key the secret does not have: the task fails naming the key', async () => {
    const { name } = await deploy({ editContainer: (c, f) => (c.secrets = [{ name: 'DB_PASSWORD', valueFrom: `${f.secretArn}:passwd::` }]) });
    const t = await firstStopped(name);
    assert.match(t.stoppedReason ?? '', /did not contain json key passwd$/);
  });

  it('an execution role without ECR permissions: ResourceInitializationError for the registry auth', async () => {
    const { name } = await deploy({ prepare: async (f) => void (await fixtureClients(sb).iam.send(new DetachRolePolicyCommand({ RoleName: f.execRole, PolicyArn: EXECUTION_POLICY }))) });
    const t = await firstStopped(name);
    const reason = t.stoppedReason ?? '';
    assert.ok(
      reason.startsWith('ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth:'),
      reason,
    );
    assert.ok(reason.includes('is not authorized to perform: ecr:GetAuthorizationToken on resource: *'), reason);
  });

  it('awslogs-create-group creates a missing group when the role may', async () => {
    const { fx, name } = await deploy({
      prepare: async (f) => {
        const c = fixtureClients(sb);
        await c.logs.send(new DeleteLogGroupCommand({ logGroupName: f.logGroup }));
        await c.iam.send(new AttachRolePolicyCommand({ RoleName: f.execRole, PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess' }));
      },
      editContainer: (c) => {
        const options = c.logConfiguration?.options;
        assert.ok(options);
        options['awslogs-create-group'] = 'true';
      },
    });
    await running(name);
    const groups = await logs.send(new FilterLogEventsCommand({ logGroupName: fx.logGroup }));
    assert.equal(groups.events?.length, 1);
  });

  it('an image from another registry is pulled as linux/amd64; without route tables in the world egress is assumed', async () => {
    const { name } = await deploy({
      image: 'public.ecr.aws/docker/library/node:20',
      ownNetwork: true,
      // In-process on purpose: no AWS API leaves a VPC without its main route table; this is the sandbox's rule for
      // partial fixtures (docs/sandbox.md).
      prepare: async (fx) => {
        for (const rt of sb.world.list<RouteTableData>(ResourceType.routeTable)) if (rt.data.vpcId === fx.vpcId) sb.world.remove(ResourceType.routeTable, rt.id);
      },
    });
    const t = await running(name);
    assert.equal(t.containers?.[0]?.image, 'public.ecr.aws/docker/library/node:20');
  });

  it('a log group that does not exist: ResourceInitializationError from the awslogs driver', async () => {
    const { name } = await deploy({ prepare: async (f) => void (await fixtureClients(sb).logs.send(new DeleteLogGroupCommand({ logGroupName: f.logGroup }))) });
    const t = await firstStopped(name);
    assert.equal(
      t.stoppedReason,
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
    );
  });

  it('the service group does not admit the load balancer: target unhealthy (Target.Timeout), ECS stops the task for failed ELB health checks', async () => {
    const { fx, name } = await deploy({ prepare: (f) => closeIngress(sb, f) });
    const t = await firstStopped(name);
    assert.equal(t.stoppedReason, `Task failed ELB health checks in (target-group ${fx.tgArn})`);
    assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
    const ip = t.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;
    assert.ok(ip);
    // The task reached STOPPED after its target drained: the target is gone (or still draining).
    assert.ok(!(await targetsOf(sb, fx.tgArn)).some((x) => x.id === ip && x.state !== 'draining'));
    const events = (await ecs.send(new DescribeServicesCommand({ cluster: 'fail', services: [name] }))).services?.[0]?.events ?? [];
    assert.ok(
      events.some((e) => e.message?.startsWith(`(service ${name}) (task `) && e.message.endsWith(`(port 3000) is unhealthy in (target-group ${fx.tgArn}) due to (reason Request timed out).`)),
      events.map((e) => e.message).join('\n'),
    );
  });

  it('revoking the rule that admits the load balancer later turns a healthy task unhealthy and gets it replaced', async () => {
    const { fx, name } = await deploy();
    const first = await running(name);
    await eventually(async () => {
      await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name }));
      return (await targetsOf(sb, fx.tgArn)).find((x) => x.state === 'healthy');
    }, 5_000, 'healthy target');
    await closeIngress(sb, fx);
    const t = await firstStopped(name);
    assert.equal(t.taskArn, first.taskArn);
    assert.equal(t.stoppedReason, `Task failed ELB health checks in (target-group ${fx.tgArn})`);
  });

  it('a CIDR rule that covers the load balancer addresses admits it as well as a group reference', async () => {
    const { fx, name } = await deploy({
      prepare: async (f) => {
        await closeIngress(sb, f);
        await fixtureClients(sb).ec2.send(
          new AuthorizeSecurityGroupIngressCommand({ GroupId: f.ecsSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, IpRanges: [{ CidrIp: '10.0.0.0/20' }] }] }),
        );
      },
    });
    await running(name);
    const target = await eventually(async () => {
      await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name }));
      return (await targetsOf(sb, fx.tgArn)).find((x) => x.state === 'healthy' || x.state === 'unhealthy');
    }, 5_000, 'a health verdict');
    assert.equal(target.state, 'healthy');
  });

  it('an unhealthy target reports Target.Timeout while the grace period holds the task', async () => {
    const { fx, name } = await deploy({ service: () => ({ healthCheckGracePeriodSeconds: 3600 }), prepare: (f) => closeIngress(sb, f) });
    await running(name);
    const target = await eventually(async () => {
      await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name }));
      return (await targetsOf(sb, fx.tgArn)).find((x) => x.state === 'unhealthy');
    }, 5_000, 'unhealthy target');
    assert.equal(target.reason, 'Target.Timeout');
    assert.equal(target.description, 'Request timed out');
    assert.equal((await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name, desiredStatus: 'STOPPED' }))).taskArns?.length, 0);
  });

  it("three-tier's API without DB_SSL against RDS: /health answers 503 (Target.ResponseCodeMismatch), the log says no encryption", async () => {
    const env = { DB_HOST: 'app.abcdefghijkl.us-east-1.rds.amazonaws.com', DB_USER: 'app', DB_NAME: 'app' };
    const { fx, name } = await deploy({ env, service: () => ({ healthCheckGracePeriodSeconds: 3600 }) });
    const task = await running(name);
    const target = await eventually(async () => {
      await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name }));
      return (await targetsOf(sb, fx.tgArn)).find((x) => x.state === 'unhealthy');
    }, 5_000, 'unhealthy target');
    assert.equal(target.reason, 'Target.ResponseCodeMismatch');
    assert.equal(target.description, 'Health checks failed with these codes: [503]');
    const ip = task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address ?? '';
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: fx.logGroup, filterPattern: '"no pg_hba.conf entry"' }));
    assert.deepEqual(events.events?.map((e) => e.message), [`error: no pg_hba.conf entry for host "${ip}", user "app", database "app", no encryption`]);
  });

  it('the same API with DB_SSL=require turns healthy', async () => {
    const env = { DB_HOST: 'app.abcdefghijkl.us-east-1.rds.amazonaws.com', DB_SSL: 'require' };
    const { fx, name } = await deploy({ env });
    await running(name);
    const target = await eventually(async () => {
      await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name }));
      return (await targetsOf(sb, fx.tgArn)).find((x) => x.state === 'healthy');
    }, 5_000, 'healthy target');
    assert.equal(target.port, 3000);
  });

  it('without the circuit breaker ECS keeps retrying a failing task, throttled, and says so in the events', async () => {
    const { name } = await deploy({ image: `${REGISTRY}/three-tier/api:missing` });
    const stopped = await eventually(async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: 'fail', serviceName: name, desiredStatus: 'STOPPED' }))).taskArns ?? [];
      return arns.length >= 4 ? arns : undefined;
    }, 8_000, 'four failed attempts');
    assert.ok(stopped.length >= 4);
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'fail', services: [name] }))).services?.[0];
    assert.equal(s?.deployments?.[0]?.rolloutState, 'IN_PROGRESS', 'no breaker: never FAILED');
    assert.ok((s?.events ?? []).some((e) => e.message === `(service ${name}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`));
  });
});
