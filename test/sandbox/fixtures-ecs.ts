/**
 * The network, load balancer, target group, secret, role and log group an ECS service needs, put straight into the
 * world so the ECS tests do not depend on the EC2 / ELBv2 / Secrets Manager handlers. Shapes are those of
 * src/sandbox/model.ts; the names follow the three-tier layout (public and private subnets in two zones, one NAT).
 */
import type { CreateServiceRequest, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createManagedEni } from '../../src/sandbox/enis.js';
import {
  ResourceType,
  type InternetGatewayData,
  type NatGatewayData,
  type RouteTableData,
  type SecretData,
  type SecurityGroupData,
  type SecurityGroupRule,
  type SubnetData,
  type TargetData,
  type TargetGroupData,
  type VpcData,
} from '../../src/sandbox/model.js';
import { createRoleResource } from '../../src/sandbox/services/iam/roles.js';
import { createLogGroup } from '../../src/sandbox/services/logs/store.js';
import type { World } from '../../src/sandbox/world.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control } from './helpers.js';

export interface EcsFixture {
  vpcId: string;
  publicSubnets: string[];
  privateSubnets: string[];
  albSg: string;
  ecsSg: string;
  natId: string;
  privateRouteTable: string;
  lbArn: string;
  tgArn: string;
  secretArn: string;
  execRoleArn: string;
  logGroup: string;
}

let counter = 0;

function rule(partial: Partial<SecurityGroupRule> & { ipProtocol: string; fromPort: number; toPort: number }): SecurityGroupRule {
  counter++;
  return { ruleId: `sgr-${String(counter).padStart(17, '0')}`, ...partial };
}

export function allTraffic(): SecurityGroupRule {
  return rule({ ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' });
}

/** Build the fixture; `name` keeps several fixtures in one world apart. */
export function ecsFixture(world: World, name = 'app'): EcsFixture {
  const vpcId = world.newId('vpc');
  const mainRt = world.newId('rtb');
  const defaultSg = world.newId('sg');
  world.create<VpcData>('ec2', ResourceType.vpc, vpcId, {
    state: 'available',
    data: { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true, defaultSecurityGroupId: defaultSg, mainRouteTableId: mainRt },
  });
  const subnet = (cidr: string, az: string): string => {
    const id = world.newId('subnet');
    world.create<SubnetData>('ec2', ResourceType.subnet, id, {
      state: 'available',
      data: { vpcId, cidrBlock: cidr, availabilityZone: az, availabilityZoneId: az === 'us-east-1a' ? 'use1-az1' : 'use1-az2', mapPublicIpOnLaunch: false, nextHost: 4 },
    });
    return id;
  };
  const publicSubnets = [subnet('10.0.0.0/20', 'us-east-1a'), subnet('10.0.16.0/20', 'us-east-1b')];
  const privateSubnets = [subnet('10.0.32.0/20', 'us-east-1a'), subnet('10.0.48.0/20', 'us-east-1b')];

  const igwId = world.newId('igw');
  world.create<InternetGatewayData>('ec2', ResourceType.internetGateway, igwId, { state: 'available', data: { attachments: [{ vpcId, state: 'available' }] } });
  const natId = world.newId('nat');
  world.create<NatGatewayData>('ec2', ResourceType.natGateway, natId, {
    state: 'available',
    data: {
      subnetId: publicSubnets[0] ?? '',
      vpcId,
      allocationId: world.newId('eipalloc'),
      connectivityType: 'public',
      networkInterfaceId: world.newId('eni'),
      publicIp: '3.3.3.3',
      privateIp: '10.0.0.10',
    },
  });
  const local = { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable' as const, state: 'active' as const };
  const table = (id: string, routes: RouteTableData['routes'], subnets: string[], main = false): void => {
    world.create<RouteTableData>('ec2', ResourceType.routeTable, id, {
      state: 'available',
      data: {
        vpcId,
        routes: [local, ...routes],
        associations: [...(main ? [{ associationId: world.newId('rtbassoc'), main: true }] : []), ...subnets.map((s) => ({ associationId: world.newId('rtbassoc'), subnetId: s, main: false }))],
      },
    });
  };
  table(mainRt, [], [], true);
  table(world.newId('rtb'), [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: igwId, origin: 'CreateRoute', state: 'active' }], publicSubnets);
  const privateRouteTable = world.newId('rtb');
  table(privateRouteTable, [{ destinationCidrBlock: '0.0.0.0/0', natGatewayId: natId, origin: 'CreateRoute', state: 'active' }], privateSubnets);

  const sg = (id: string, groupName: string, ingress: SecurityGroupRule[]): void => {
    world.create<SecurityGroupData>('ec2', ResourceType.securityGroup, id, {
      state: 'available',
      data: { vpcId, groupName, description: groupName, ingress, egress: [allTraffic()], isDefault: false },
    });
  };
  const albSg = world.newId('sg');
  const ecsSg = world.newId('sg');
  sg(albSg, `${name}-alb`, [rule({ ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' })]);
  sg(ecsSg, `${name}-ecs`, [rule({ ipProtocol: 'tcp', fromPort: 3000, toPort: 3000, referencedGroupId: albSg })]);

  const lbArn = world.arn('elasticloadbalancing', `loadbalancer/app/${name}-alb/${world.newId('x', 16).slice(2)}`);
  world.create('elasticloadbalancing', ResourceType.loadBalancer, lbArn, { state: 'active', data: { name: `${name}-alb`, arn: lbArn, vpcId, securityGroups: [albSg] } });
  for (const s of publicSubnets) {
    createManagedEni(world, { subnetId: s, groupIds: [albSg], description: `ELB app/${name}-alb`, requesterId: 'amazon-elb', ownerRef: `${ResourceType.loadBalancer}:${lbArn}` });
  }
  const tgArn = world.arn('elasticloadbalancing', `targetgroup/${name}-tg/${world.newId('x', 16).slice(2)}`);
  world.create<TargetGroupData>('elasticloadbalancing', ResourceType.targetGroup, tgArn, {
    state: 'active',
    data: {
      name: `${name}-tg`,
      arn: tgArn,
      protocol: 'HTTP',
      port: 3000,
      vpcId,
      targetType: 'ip',
      healthCheckPath: '/health',
      healthCheckProtocol: 'HTTP',
      healthCheckIntervalSeconds: 30,
      healthyThresholdCount: 5,
      unhealthyThresholdCount: 2,
      matcher: '200',
      loadBalancerArns: [lbArn],
      attributes: { 'deregistration_delay.timeout_seconds': '30' },
      targets: [],
    },
  });

  const secretArn = world.arn('secretsmanager', `secret:rds!db-${name}-AbCdEf`);
  world.create<SecretData>('secretsmanager', ResourceType.secret, secretArn, {
    state: 'active',
    data: { name: `rds!db-${name}`, arn: secretArn, secretString: JSON.stringify({ username: 'app', password: 'pw' }), owningService: 'rds', versionId: world.uuid() },
  });

  const role = createRoleResource(world, {
    name: `${name}-exec`,
    path: '/',
    trust: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  });
  role.data.attachedPolicyArns.push('arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy');
  role.data.inlinePolicies['read-db-secret'] = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }],
  });

  const logGroup = `/ecs/${name}`;
  createLogGroup(world, logGroup);
  return { vpcId, publicSubnets, privateSubnets, albSg, ecsSg, natId, privateRouteTable, lbArn, tgArn, secretArn, execRoleArn: role.data.arn, logGroup };
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

/** Targets of a target group, as the world holds them. */
export function targetsOf(world: World, tgArn: string): TargetData[] {
  return world.get<TargetGroupData>(ResourceType.targetGroup, tgArn)?.data.targets ?? [];
}
