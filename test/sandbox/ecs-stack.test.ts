import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRouteCommand, DeleteSubnetCommand, DescribeNatGatewaysCommand, DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  waitUntilServicesInactive,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, sandbox } from './helpers.js';
import { stageImage } from './fixtures-ecs.js';
import { buildNetworkWithSdk } from './fixtures-stack.js';

/**
 * ECS on a stack built only through the other simulated services' SDK clients (EC2, ELBv2, Secrets Manager, IAM,
 * CloudWatch Logs, ECR), the way the provisioner builds it: the deployment completes, ELBv2 reports the tasks'
 * targets healthy, and after the service is deleted its lingering interfaces block the subnet for a while.
 */
describe('sandbox ECS on a stack built through the SDK', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.004 } });
  });
  after(async () => {
    await sb.close();
  });

  it('deploys behind the ALB with healthy targets; a deleted service leaves interfaces that block its subnet until they go', async () => {
    const cfg = clientConfig(sb, { maxAttempts: 1 });
    const ec2 = new EC2Client(cfg);
    const elb = new ElasticLoadBalancingV2Client(cfg);
    const ecs = new ECSClient(cfg);

    // Public and private subnets in two zones, the internet gateway, a NAT gateway still pending, alb -> ecs groups.
    const { vpcId, publicSubnets, privateSubnets, natId: nat, privateRouteTable: privateRt, albSg, ecsSg } = await buildNetworkWithSdk(ec2, 'stack');

    const lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: 'stack-alb', Subnets: publicSubnets, SecurityGroups: [albSg] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const tgArn =
      (await elb.send(new CreateTargetGroupCommand({ Name: 'stack-tg', Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health' }))).TargetGroups?.[0]
        ?.TargetGroupArn ?? '';
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));

    const secretArn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'stack-db', SecretString: JSON.stringify({ username: 'app', password: 'pw' }) }))).ARN ?? '';
    const iam = new IAMClient(cfg);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'stack-exec', AssumeRolePolicyDocument: trust }))).Role?.Arn ?? '';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'stack-exec', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'stack-exec',
        PolicyName: 'db-secret',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] }),
      }),
    );
    await new CloudWatchLogsClient(cfg).send(new CreateLogGroupCommand({ logGroupName: '/ecs/stack' }));
    const image = await stageImage(sb, 'v1', 'amd64');

    await ecs.send(new CreateClusterCommand({ clusterName: 'stack' }));
    const td =
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'stack-api',
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: '256',
            memory: '512',
            executionRoleArn: roleArn,
            containerDefinitions: [
              {
                name: 'api',
                image,
                portMappings: [{ containerPort: 3000 }],
                environment: [{ name: 'DB_SSL', value: 'require' }],
                secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }],
                logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/stack', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api' } },
              },
            ],
          }),
        )
      ).taskDefinition?.taskDefinitionArn ?? '';
    const service = {
      cluster: 'stack',
      serviceName: 'api',
      taskDefinition: td,
      desiredCount: 2,
      launchType: 'FARGATE' as const,
      networkConfiguration: { awsvpcConfiguration: { subnets: privateSubnets, securityGroups: [ecsSg], assignPublicIp: 'DISABLED' as const } },
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'api', containerPort: 3000 }],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    };
    // The NAT gateway is still pending and the private table has no default route: the tasks cannot pull.
    await ecs.send(new CreateServiceCommand(service));
    const failed = await eventually(async () => {
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'stack', services: ['api'] }))).services?.[0];
      return s?.deployments?.[0]?.rolloutState === 'FAILED' ? s : undefined;
    }, 8_000, 'deployment FAILED without a NAT route');
    assert.equal(failed.deployments?.[0]?.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');

    // Now the route out, and a redeploy.
    await eventually(async () => {
      const n = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways?.[0];
      return n?.State === 'available' ? n : undefined;
    }, 5_000, 'NAT available');
    await ec2.send(new CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
    await ecs.send(new DeleteServiceCommand({ cluster: 'stack', service: 'api', force: true }));
    await waitUntilServicesInactive({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'stack', services: ['api'] });
    await ecs.send(new CreateServiceCommand(service));
    const done = await eventually(async () => {
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'stack', services: ['api'] }))).services?.[0];
      return s?.deployments?.[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    }, 8_000, 'deployment COMPLETED');
    assert.equal(done.runningCount, 2);
    const stable = await waitUntilServicesStable({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'stack', services: ['api'] });
    assert.equal(stable.state, 'SUCCESS');
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    const serving = (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy');
    assert.equal(serving.length, 2);
    assert.ok(serving.every((t) => t.Target?.Port === 3000 && (t.Target.Id ?? '').startsWith('10.0.')));

    // Teardown: the tasks' interfaces block their subnets while the tasks stop, and go with them (a Fargate task's
    // interface does not linger, unlike a load balancer's: the linger set here does not apply to them).
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 60_000 });
    await ecs.send(new DeleteServiceCommand({ cluster: 'stack', service: 'api', force: true }));
    const taskEnis = async () => (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: privateSubnets }] }))).NetworkInterfaces ?? [];
    const inUse = (await taskEnis())[0]?.SubnetId ?? '';
    assert.ok(inUse, 'task interfaces are in the private subnets while the tasks stop');
    await assert.rejects(ec2.send(new DeleteSubnetCommand({ SubnetId: inUse })), (e: Error) => e.name === 'DependencyViolation');
    await waitUntilServicesInactive({ client: ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: 'stack', services: ['api'] });
    await eventually(async () => {
      const tasks = (await ecs.send(new ListTasksCommand({ cluster: 'stack', desiredStatus: 'STOPPED' }))).taskArns ?? [];
      const described = tasks.length ? (await ecs.send(new DescribeTasksCommand({ cluster: 'stack', tasks }))).tasks ?? [] : [];
      return described.length > 0 && described.every((t) => t.lastStatus === 'STOPPED') ? true : undefined;
    }, 6_000, 'every task STOPPED');
    assert.deepEqual(await taskEnis(), [], 'no interface lingers after the tasks');
    await ec2.send(new DeleteSubnetCommand({ SubnetId: inUse }));
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
  });
});
