import { iamRoleName, stackNames } from './names.js';
import { partitionOf } from './regions.js';
import type { PolicyDocument } from './resources/stack-role.js';

/**
 * `three-tier iam-policy`: the least IAM policy a person (or a CI role) needs to run three-tier in a region: every
 * action its commands send (up, status, list, pause, resume, destroy, api-key, and the image push of a build),
 * plus what AWS checks on their behalf (tags at creation, iam:PassRole of the task roles, the service-linked roles
 * the services make on first use, the secret RDS makes for the master password). Where a service can scope by
 * resource, the statement names the stack's own resources (its IAM roles, its secrets, its repository, its log
 * group); iam:PassRole goes only to ecs-tasks.amazonaws.com and only on the stack's two roles. Without a stack
 * name it covers every stack in the region (its names by pattern). test/provisioner/iam-policy.test.ts records
 * every call of a sandbox up, status, pause, resume, api-key and destroy and checks that this policy allows it.
 */
export interface IamPolicyInput {
  region: string;
  /** A stack name, or undefined for any stack in the region. */
  stack?: string | undefined;
  /** The account, when known; `*` otherwise (the names still scope it). */
  account?: string | undefined;
}

const EC2 = [
  'AllocateAddress', 'AssociateRouteTable', 'AttachInternetGateway', 'AuthorizeSecurityGroupEgress', 'AuthorizeSecurityGroupIngress',
  'CreateInternetGateway', 'CreateNatGateway', 'CreateRoute', 'CreateRouteTable', 'CreateSecurityGroup', 'CreateSubnet', 'CreateTags',
  'CreateVpc', 'DeleteInternetGateway', 'DeleteNatGateway', 'DeleteRoute', 'DeleteRouteTable', 'DeleteSecurityGroup', 'DeleteSubnet',
  // DeleteVpcEndpoints: destroy removes the endpoint GuardDuty Runtime Monitoring adds to the stack's VPC.
  'DeleteVpc', 'DeleteVpcEndpoints', 'DescribeAddresses', 'DescribeAvailabilityZones', 'DescribeInternetGateways', 'DescribeNatGateways',
  'DescribeNetworkInterfaces', 'DescribeRouteTables', 'DescribeSecurityGroups', 'DescribeSubnets', 'DescribeTags',
  'DescribeVpcAttribute', 'DescribeVpcEndpoints', 'DescribeVpcs', 'DetachInternetGateway', 'DisassociateRouteTable', 'ModifyVpcAttribute', 'ReleaseAddress',
  'ReplaceRoute', 'RevokeSecurityGroupEgress',
];
const ELB = [
  'AddTags', 'CreateListener', 'CreateLoadBalancer', 'CreateTargetGroup', 'DeleteListener', 'DeleteLoadBalancer', 'DeleteTargetGroup',
  'DescribeListeners', 'DescribeLoadBalancers', 'DescribeTags', 'DescribeTargetGroupAttributes', 'DescribeTargetGroups',
  'DescribeTargetHealth', 'ModifyListener', 'ModifyTargetGroupAttributes',
];
const RDS = [
  'AddTagsToResource', 'CreateDBInstance', 'CreateDBSubnetGroup', 'DeleteDBInstance', 'DeleteDBSubnetGroup', 'DescribeDBEngineVersions',
  'DescribeDBInstances', 'DescribeDBSnapshots', 'DescribeDBSubnetGroups', 'DescribeOrderableDBInstanceOptions', 'ListTagsForResource', 'ModifyDBInstance',
  'RemoveTagsFromResource', 'RestoreDBInstanceFromDBSnapshot', 'StartDBInstance', 'StopDBInstance',
];
const ELASTICACHE = [
  'AddTagsToResource', 'CreateCacheSubnetGroup', 'CreateReplicationGroup', 'CreateSnapshot', 'DeleteCacheSubnetGroup',
  'DeleteReplicationGroup', 'DeleteSnapshot', 'DescribeCacheSubnetGroups', 'DescribeReplicationGroups', 'DescribeSnapshots',
  'ListTagsForResource',
];
const ECS = [
  'CreateCluster', 'CreateService', 'DeleteCluster', 'DeleteService', 'DeleteTaskDefinitions', 'DeregisterTaskDefinition',
  'DescribeClusters', 'DescribeServices', 'DescribeTaskDefinition', 'DescribeTasks', 'ListTagsForResource', 'ListTaskDefinitions',
  'ListTasks', 'RegisterTaskDefinition', 'TagResource', 'UpdateService',
];
/** On the stack's repository: create, read, delete it, and push and pull an image (a build pushes with docker). */
const ECR_REPOSITORY = [
  'BatchCheckLayerAvailability', 'BatchGetImage', 'CompleteLayerUpload', 'CreateRepository', 'DeleteRepository', 'DescribeImages',
  'DescribeRepositories', 'GetDownloadUrlForLayer', 'InitiateLayerUpload', 'ListTagsForResource', 'PutImage', 'TagResource',
  'UploadLayerPart',
];
const LOG_GROUP = ['CreateLogGroup', 'DeleteLogGroup', 'FilterLogEvents', 'GetLogEvents', 'ListTagsForResource', 'PutRetentionPolicy', 'TagResource'];
const ROLE = [
  'AttachRolePolicy', 'CreateRole', 'DeleteRole', 'DeleteRolePolicy', 'DetachRolePolicy', 'GetRole', 'GetRolePolicy',
  'ListAttachedRolePolicies', 'ListRolePolicies', 'ListRoleTags', 'PutRolePolicy', 'TagRole', 'UpdateAssumeRolePolicy',
];
const STACK_SECRET = ['CreateSecret', 'DeleteSecret', 'DescribeSecret', 'GetSecretValue', 'TagResource'];

const prefixed = (service: string, actions: readonly string[]): string[] => actions.map((a) => `${service}:${a}`);

export function leastIamPolicy(input: IamPolicyInput): PolicyDocument {
  const partition = partitionOf(input.region);
  const account = input.account ?? '*';
  const { region } = input;
  // Every derived name starts with the stack's name: without one, any stack's (a pattern per name).
  const stack = input.stack ?? '*';
  const names = stackNames(stack);
  const roles = (['task-execution', 'task'] as const).map((p) => `arn:${partition}:iam::${account}:role/${iamRoleName(stack, region, p)}`);
  const arn = (service: string, resource: string): string => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Network', Effect: 'Allow', Action: prefixed('ec2', EC2), Resource: '*' },
      { Sid: 'LoadBalancer', Effect: 'Allow', Action: prefixed('elasticloadbalancing', ELB), Resource: '*' },
      { Sid: 'Database', Effect: 'Allow', Action: prefixed('rds', RDS), Resource: '*' },
      { Sid: 'Cache', Effect: 'Allow', Action: prefixed('elasticache', ELASTICACHE), Resource: '*' },
      { Sid: 'Containers', Effect: 'Allow', Action: prefixed('ecs', ECS), Resource: '*' },
      // Registry login and repository listing take no resource.
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
      { Sid: 'Repository', Effect: 'Allow', Action: prefixed('ecr', ECR_REPOSITORY), Resource: arn('ecr', `repository/${names.repository}`) },
      { Sid: 'LogGroupList', Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: '*' },
      { Sid: 'LogGroup', Effect: 'Allow', Action: prefixed('logs', LOG_GROUP), Resource: [arn('logs', `log-group:${names.logGroup}`), arn('logs', `log-group:${names.logGroup}:*`)] },
      { Sid: 'TaskRoles', Effect: 'Allow', Action: prefixed('iam', ROLE), Resource: roles },
      {
        Sid: 'PassTaskRolesToEcsTasks',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: roles,
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        // ECS, ELB, RDS and ElastiCache make their service-linked role the first time they are used in an account.
        Sid: 'ServiceLinkedRoles',
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: `arn:${partition}:iam::${account}:role/aws-service-role/*`,
        Condition: { StringEquals: { 'iam:AWSServiceName': ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'rds.amazonaws.com', 'elasticache.amazonaws.com'] } },
      },
      { Sid: 'StackSecrets', Effect: 'Allow', Action: prefixed('secretsmanager', STACK_SECRET), Resource: arn('secretsmanager', `secret:${names.secret['api-key'].replace(/api-key$/, '')}*`) },
      // RDS creates the master password's secret (rds!db-...) in the caller's name.
      { Sid: 'DatabasePasswordSecret', Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], Resource: arn('secretsmanager', 'secret:rds!*') },
      { Sid: 'SecretList', Effect: 'Allow', Action: ['secretsmanager:ListSecrets'], Resource: '*' },
      { Sid: 'WhoAmI', Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' },
    ],
  };
}
