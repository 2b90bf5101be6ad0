/**
 * The network, load balancer, target group, secret, role and log group an ECS service needs, made through the real
 * SDK clients over HTTP like any AWS user would make them (the three-tier layout: public and private subnets in two
 * zones, one NAT gateway, the ALB and task security groups chained by group id). Each call to `ecsFixture` makes its
 * own set, so a test can change one (revoke a rule, delete a route) without touching another.
 */
import type { CreateServiceRequest, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  DescribeNatGatewaysCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
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
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually } from './helpers.js';
import { buildNetworkWithSdk, type SdkNetwork } from './fixtures-stack.js';

export interface EcsFixture extends EcsNetwork {
  name: string;
  albSg: string;
  ecsSg: string;
  lbArn: string;
  tgArn: string;
  secretArn: string;
  execRole: string;
  execRoleArn: string;
  /** The execution role's inline policy that reads the secret. */
  secretPolicy: string;
  logGroup: string;
}

export const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

/** The SDK clients of a fixture's services, pointed at the sandbox. */
export function fixtureClients(sb: Sandbox) {
  const cfg = clientConfig(sb);
  return {
    ec2: new EC2Client(cfg),
    elbv2: new ElasticLoadBalancingV2Client(cfg),
    iam: new IAMClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
    secrets: new SecretsManagerClient(cfg),
  };
}

/** A VPC in the three-tier layout, with its way out: two public and two private subnets, an IGW, a NAT gateway. */
export type EcsNetwork = Pick<SdkNetwork, 'vpcId' | 'publicSubnets' | 'privateSubnets' | 'natId' | 'privateRouteTable'>;

let networks = 0;

/**
 * Build the network through the SDK (fixtures-stack.ts), then its route out: the NAT gateway available and the
 * private table's default route to it. A region holds 5 VPCs by default, so fixtures share one unless a test
 * changes the network itself (a route, the NAT gateway).
 */
export async function ecsNetwork(sb: Sandbox): Promise<EcsNetwork> {
  const { ec2 } = fixtureClients(sb);
  const { vpcId, publicSubnets, privateSubnets, natId, privateRouteTable } = await buildNetworkWithSdk(ec2, `net${++networks}`);
  await eventually(async () => {
    const nat = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways?.[0];
    return nat?.State === 'available' ? nat : undefined;
  }, 10_000, `NAT gateway ${natId} available`);
  await ec2.send(new CreateRouteCommand({ RouteTableId: privateRouteTable, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
  return { vpcId, publicSubnets, privateSubnets, natId, privateRouteTable };
}

/** Build the fixture through the SDK, in `network` or a new one; `name` keeps several fixtures in one sandbox apart. */
export async function ecsFixture(sb: Sandbox, name = 'app', network?: EcsNetwork): Promise<EcsFixture> {
  const { ec2, elbv2, iam, logs, secrets } = fixtureClients(sb);
  const net = network ?? (await ecsNetwork(sb));
  const { vpcId, publicSubnets } = net;
  const group = async (suffix: string): Promise<string> =>
    (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${suffix}`, Description: `${name} ${suffix}`, VpcId: vpcId }))).GroupId ?? '';
  const albSg = await group('alb');
  const ecsSg = await group('ecs');
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: albSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: ecsSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: albSg }] }] }),
  );

  const lbArn = (await elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: publicSubnets, SecurityGroups: [albSg] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const tgArn =
    (
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: `${name}-tg`,
          Protocol: 'HTTP',
          Port: 3000,
          VpcId: vpcId,
          TargetType: 'ip',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 30,
          HealthyThresholdCount: 5,
          UnhealthyThresholdCount: 2,
          Matcher: { HttpCode: '200' },
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn ?? '';
  await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
  await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));

  const secretArn = (await secrets.send(new CreateSecretCommand({ Name: `${name}-db`, SecretString: JSON.stringify({ username: 'app', password: 'pw' }) }))).ARN ?? '';
  const execRole = `${name}-exec`;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const execRoleArn = (await iam.send(new CreateRoleCommand({ RoleName: execRole, AssumeRolePolicyDocument: trust }))).Role?.Arn ?? '';
  await iam.send(new AttachRolePolicyCommand({ RoleName: execRole, PolicyArn: EXECUTION_POLICY }));
  const secretPolicy = 'read-db-secret';
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: execRole,
      PolicyName: secretPolicy,
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] }),
    }),
  );
  const logGroup = `/ecs/${name}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  return { name, ...net, albSg, ecsSg, lbArn, tgArn, secretArn, execRole, execRoleArn, secretPolicy, logGroup };
}

/** Remove the rule that admits the load balancer to the tasks' port, as a user would with the EC2 API. */
export async function closeIngress(sb: Sandbox, fx: EcsFixture): Promise<void> {
  await fixtureClients(sb).ec2.send(
    new RevokeSecurityGroupIngressCommand({ GroupId: fx.ecsSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: fx.albSg }] }] }),
  );
}

/** A Fargate task definition for three-tier's API as the provisioner registers it, with overrides. */
export function apiTaskDefinition(fx: EcsFixture, image: string, overrides: Partial<RegisterTaskDefinitionRequest> = {}, env: Record<string, string> = {}): RegisterTaskDefinitionRequest {
  return {
    family: 'api',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    executionRoleArn: fx.execRoleArn,
    containerDefinitions: [
      {
        name: 'api',
        image,
        essential: true,
        portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
        environment: Object.entries({ PORT: '3000', ...env }).map(([name, value]) => ({ name, value })),
        secrets: [{ name: 'DB_PASSWORD', valueFrom: `${fx.secretArn}:password::` }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': fx.logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api' } },
      },
    ],
    ...overrides,
  };
}

/** CreateService input for the API service behind the fixture's target group, in the private subnets. */
export function apiService(fx: EcsFixture, cluster: string, serviceName: string, taskDefinition: string, overrides: Partial<CreateServiceRequest> = {}): CreateServiceRequest {
  return {
    cluster,
    serviceName,
    taskDefinition,
    desiredCount: 1,
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: fx.privateSubnets, securityGroups: [fx.ecsSg], assignPublicIp: 'DISABLED' } },
    loadBalancers: [{ targetGroupArn: fx.tgArn, containerName: 'api', containerPort: 3000 }],
    healthCheckGracePeriodSeconds: 0,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...overrides,
  };
}

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** Create the ECR repository (if needed) through the real client and stage an image in it; returns its URI. */
export async function stageImage(sb: Sandbox, tag: string, architecture: 'amd64' | 'arm64', repository = 'three-tier/api'): Promise<string> {
  const ecr = new ECRClient(clientConfig(sb));
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  } catch (e) {
    if ((e as Error).name !== 'RepositoryAlreadyExistsException') throw e;
  }
  const res = await control(sb, 'POST', '/_sandbox/images', { repository, tag, architecture });
  if (res.status !== 201) throw new Error(`staging ${repository}:${tag} failed: ${JSON.stringify(res.body)}`);
  return `${REGISTRY}/${repository}:${tag}`;
}

export interface TargetState {
  id: string;
  port: number | undefined;
  state: string;
  reason: string | undefined;
  description: string | undefined;
}

/** Targets of a target group and their health, as DescribeTargetHealth reports them. */
export async function targetsOf(sb: Sandbox, tgArn: string): Promise<TargetState[]> {
  const out = await fixtureClients(sb).elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (out.TargetHealthDescriptions ?? []).map((t) => ({
    id: t.Target?.Id ?? '',
    port: t.Target?.Port,
    state: t.TargetHealth?.State ?? '',
    reason: t.TargetHealth?.Reason,
    description: t.TargetHealth?.Description,
  }));
}
