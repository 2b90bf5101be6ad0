/**
 * A whole three-tier-shaped stack built through the real SDK clients against a sandbox, with one resource of every
 * type the sandbox models (plus a network interface of the caller's own), for the tests that walk the read
 * operations. Every id a read operation needs comes back in the fixture.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateCacheSubnetGroupCommand, CreateReplicationGroupCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually } from './helpers.js';
import { stageImage } from './fixtures-ecs.js';

export interface StackFixture extends SdkNetwork {
  /** A network interface the caller made (not requester-managed). */
  eniId: string;
  lbArn: string;
  tgArn: string;
  listenerArn: string;
  dbSubnetGroup: string;
  dbInstance: string;
  /** A manual snapshot of the instance. */
  dbSnapshot: string;
  cacheSubnetGroup: string;
  replicationGroup: string;
  secretArn: string;
  roleName: string;
  policyName: string;
  managedPolicyArn: string;
  logGroup: string;
  logStream: string;
  repository: string;
  /** The staged image's config blob digest (what GetDownloadUrlForLayer serves). */
  layerDigest: string;
  cluster: string;
  service: string;
  family: string;
  taskDefinitionArn: string;
  /** The ARN of a task the service started. */
  taskArn: string;
}

/** The network of a three-tier stack, built through EC2: what the ECS and read-operation tests share. */
export interface SdkNetwork {
  vpcId: string;
  publicSubnets: string[];
  privateSubnets: string[];
  igwId: string;
  allocationId: string;
  /** Created, still pending when this returns. */
  natId: string;
  /** The public subnets' table, with its route to the internet gateway. */
  publicRouteTable: string;
  /** The private subnets' table, without a default route yet (the NAT gateway is pending). */
  privateRouteTable: string;
  /** Port 80 from anywhere. */
  albSg: string;
  /** Port 3000 from the load balancer's group. */
  ecsSg: string;
}

/** VPC 10.0.0.0/16 in us-east-1a and -1b: public and private subnets, an internet gateway, a NAT gateway, chained groups. */
export async function buildNetworkWithSdk(ec2: EC2Client, name: string): Promise<SdkNetwork> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnet = async (cidr: string, az: string): Promise<string> =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet?.SubnetId ?? '';
  const publicSubnets = [await subnet('10.0.0.0/20', 'us-east-1a'), await subnet('10.0.16.0/20', 'us-east-1b')];
  const privateSubnets = [await subnet('10.0.32.0/20', 'us-east-1a'), await subnet('10.0.48.0/20', 'us-east-1b')];
  const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId ?? '';
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId ?? '';
  const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnets[0] ?? '', AllocationId: allocationId }))).NatGateway?.NatGatewayId ?? '';
  const publicRouteTable = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId ?? '';
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicRouteTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
  for (const s of publicSubnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRouteTable, SubnetId: s }));
  const sg = async (group: string): Promise<string> => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: group, Description: group, VpcId: vpcId }))).GroupId ?? '';
  const albSg = await sg(`${name}-alb`);
  const ecsSg = await sg(`${name}-ecs`);
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: albSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: ecsSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: albSg }] }] }),
  );
  const privateRouteTable = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId ?? '';
  for (const s of privateSubnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRouteTable, SubnetId: s }));
  return { vpcId, publicSubnets, privateSubnets, igwId, allocationId, natId, publicRouteTable, privateRouteTable, albSg, ecsSg };
}

export async function buildStack(sb: Sandbox, name = 'stack'): Promise<StackFixture> {
  const cfg = clientConfig(sb, { maxAttempts: 1 });
  const ec2 = new EC2Client(cfg);
  const network = await buildNetworkWithSdk(ec2, name);
  const { vpcId, publicSubnets, privateSubnets, albSg, ecsSg } = network;
  const eniId =
    (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: privateSubnets[0] ?? '', Groups: [ecsSg], Description: `${name} own interface` }))).NetworkInterface
      ?.NetworkInterfaceId ?? '';

  const elb = new ElasticLoadBalancingV2Client(cfg);
  const lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: publicSubnets, SecurityGroups: [albSg] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const tgArn =
    (await elb.send(new CreateTargetGroupCommand({ Name: `${name}-tg`, Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health' })))
      .TargetGroups?.[0]?.TargetGroupArn ?? '';
  const listenerArn =
    (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })))
      .Listeners?.[0]?.ListenerArn ?? '';

  // The data tier: a PostgreSQL instance and a two-node Redis replication group in the private subnets.
  const dbSubnetGroup = `${name}-db`;
  const dbInstance = `${name}-db`;
  const rds = new RDSClient(cfg);
  await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: dbSubnetGroup, DBSubnetGroupDescription: 'db', SubnetIds: privateSubnets }));
  const db = { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', AllocatedStorage: 20, MasterUsername: 'app', ManageMasterUserPassword: true };
  await rds.send(new CreateDBInstanceCommand({ ...db, DBInstanceIdentifier: dbInstance, DBSubnetGroupName: dbSubnetGroup }));
  const dbStatus = async (): Promise<string | undefined> => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbInstance }))).DBInstances?.[0]?.DBInstanceStatus;
  await eventually(async () => ((await dbStatus()) === 'available' ? true : undefined), 5_000, 'the DB instance to be available');
  const dbSnapshot = `${name}-snap`;
  await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: dbInstance, DBSnapshotIdentifier: dbSnapshot }));
  const cacheSubnetGroup = `${name}-cache`;
  const replicationGroup = `${name}-cache`;
  const cache = new ElastiCacheClient(cfg);
  await cache.send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: cacheSubnetGroup, CacheSubnetGroupDescription: 'cache', SubnetIds: privateSubnets }));
  const redis = { ReplicationGroupDescription: 'cache', CacheNodeType: 'cache.t4g.micro', NumCacheClusters: 2, AutomaticFailoverEnabled: true, TransitEncryptionEnabled: true };
  await cache.send(new CreateReplicationGroupCommand({ ...redis, ReplicationGroupId: replicationGroup, CacheSubnetGroupName: cacheSubnetGroup }));

  const secretArn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: `${name}/db`, SecretString: '{"password":"pw"}' }))).ARN ?? '';
  const iam = new IAMClient(cfg);
  const roleName = `${name}-exec`;
  const managedPolicyArn = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
  const policyName = 'db-secret';
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }))).Role?.Arn ?? '';
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managedPolicyArn }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: policyName,
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] }),
    }),
  );
  const logs = new CloudWatchLogsClient(cfg);
  const logGroup = `/ecs/${name}`;
  const logStream = 'manual';
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
  const repository = `${name}/api`;
  const image = await stageImage(sb, 'v1', 'amd64', repository);
  // A single-manifest image too, whose config blob is a layer GetDownloadUrlForLayer serves.
  await control(sb, 'POST', '/_sandbox/images', { repository, tag: 'single', architecture: 'amd64', format: 'manifest' });
  const manifest = (await new ECRClient(cfg).send(new BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageTag: 'single' }] }))).images?.[0]?.imageManifest ?? '{}';
  const layerDigest = (JSON.parse(manifest) as { config?: { digest?: string } }).config?.digest ?? '';

  const ecs = new ECSClient(cfg);
  const cluster = name;
  const family = `${name}-api`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const taskDefinitionArn =
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          executionRoleArn: roleArn,
          containerDefinitions: [{ name: 'api', image, portMappings: [{ containerPort: 3000 }] }],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? '';
  const service = 'api';
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: privateSubnets, securityGroups: [ecsSg], assignPublicIp: 'DISABLED' } },
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'api', containerPort: 3000 }],
    }),
  );
  const taskArn = await eventually(async () => (await ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns?.[0], 5_000, 'the service to start a task');

  return {
    ...network,
    eniId,
    lbArn,
    tgArn,
    listenerArn,
    dbSubnetGroup,
    dbInstance,
    dbSnapshot,
    cacheSubnetGroup,
    replicationGroup,
    secretArn,
    roleName,
    policyName,
    managedPolicyArn,
    logGroup,
    logStream,
    repository,
    layerDigest,
    cluster,
    service,
    family,
    taskDefinitionArn,
    taskArn,
  };
}
