/**
 * Resource types and the data shapes that more than one simulated service reads. A service owns the resources of
 * its types; another service may read them through these shapes (RDS places interfaces in EC2 subnets, ECS
 * registers targets in ELBv2 target groups and pulls ECR images) but changes them only through the functions in
 * enis.ts, images.ts and targets.ts.
 */
export const ResourceType = {
  vpc: 'vpc',
  subnet: 'subnet',
  internetGateway: 'internet-gateway',
  elasticIp: 'elastic-ip',
  natGateway: 'nat-gateway',
  routeTable: 'route-table',
  securityGroup: 'security-group',
  networkInterface: 'network-interface',
  vpcEndpoint: 'vpc-endpoint',
  loadBalancer: 'load-balancer',
  targetGroup: 'target-group',
  listener: 'listener',
  dbSubnetGroup: 'db-subnet-group',
  dbInstance: 'db-instance',
  dbSnapshot: 'db-snapshot',
  cacheSubnetGroup: 'cache-subnet-group',
  replicationGroup: 'replication-group',
  cacheSnapshot: 'cache-snapshot',
  ecrRepository: 'ecr-repository',
  ecrImage: 'ecr-image',
  logGroup: 'log-group',
  iamRole: 'iam-role',
  ecsCluster: 'ecs-cluster',
  taskDefinition: 'task-definition',
  ecsService: 'ecs-service',
  ecsTask: 'ecs-task',
  secret: 'secret',
} as const;

/** type 'vpc', id vpc-... */
export interface VpcData {
  cidrBlock: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  /** sg-... of the default group created with the VPC (deleted with it, never blocks its deletion). */
  defaultSecurityGroupId: string;
  /** rtb-... of the main route table created with the VPC. */
  mainRouteTableId: string;
}

/** type 'subnet', id subnet-... */
export interface SubnetData {
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  mapPublicIpOnLaunch: boolean;
  /** Offset of the next private address to hand out (AWS reserves the first four and the last). */
  nextHost: number;
}

/** type 'internet-gateway', id igw-... */
export interface InternetGatewayData {
  attachments: { vpcId: string; state: 'attaching' | 'available' | 'detaching' }[];
}

/** type 'elastic-ip', id eipalloc-... */
export interface ElasticIpData {
  publicIp: string;
  domain: 'vpc';
  associationId?: string;
  networkInterfaceId?: string;
  privateIpAddress?: string;
  /** Wall ms until which ReleaseAddress still fails after the NAT gateway using it was deleted (the AWS trap). */
  releaseBlockedUntil?: number;
}

/** type 'nat-gateway', id nat-... (state pending | available | deleting | deleted | failed) */
export interface NatGatewayData {
  subnetId: string;
  vpcId: string;
  allocationId: string;
  connectivityType: 'public' | 'private';
  networkInterfaceId: string;
  publicIp: string;
  privateIp: string;
  clientToken?: string;
  failureCode?: string;
  failureMessage?: string;
  deleteTime?: number;
}

export interface RouteData {
  destinationCidrBlock: string;
  gatewayId?: string;
  natGatewayId?: string;
  /** `local` routes come with the table; `CreateRouteTable` / `CreateRoute` make the others. */
  origin: 'CreateRouteTable' | 'CreateRoute';
  state: 'active' | 'blackhole';
}

export interface RouteTableAssociationData {
  associationId: string;
  subnetId?: string;
  main: boolean;
}

/** type 'route-table', id rtb-... */
export interface RouteTableData {
  vpcId: string;
  routes: RouteData[];
  associations: RouteTableAssociationData[];
  clientToken?: string;
}

/** One ingress or egress rule, as stored. Exactly one of cidrIpv4 or referencedGroupId is set. */
export interface SecurityGroupRule {
  ruleId: string;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  description?: string;
  /** Tags of the rule (TagSpecifications `security-group-rule`, CreateTags on sgr-...). */
  tags?: Record<string, string>;
}

/** type 'security-group', id sg-... */
export interface SecurityGroupData {
  vpcId: string;
  groupName: string;
  description: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
  isDefault: boolean;
}

/** type 'network-interface', id eni-... */
export interface EniData {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  groupIds: string[];
  privateIpAddress: string;
  /** A public address mapped to this interface (internet-facing ALB nodes, the NAT gateway). */
  publicIp?: string;
  interfaceType: 'interface' | 'nat_gateway' | 'network_load_balancer' | 'lambda' | 'vpc_endpoint';
  requesterManaged: boolean;
  /** Who made it: amazon-elb, amazon-rds, amazon-elasticache, ecs (Fargate tasks), ... */
  requesterId?: string;
  /** The owner resource (`type:id`) whose deletion releases it. */
  ownerRef?: string;
  status: 'in-use' | 'available';
  /** CreateNetworkInterface's idempotency token (interfaces the caller made). */
  clientToken?: string;
}

/** One registered target of an `ip` target group. */
export interface TargetData {
  id: string;
  port: number;
  availabilityZone?: string;
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';
  reason?: string;
  description?: string;
  /** Wall ms when the target entered its state. */
  since: number;
  /** Wall ms of its registration: its first health check is due an interval later. */
  registeredAt?: number;
  /** Consecutive passed / failed health checks and when the last one ran (src/sandbox/target-health.ts). */
  checks?: { passed: number; failed: number; lastAt: number };
}

/** type 'target-group', id = the target group ARN */
export interface TargetGroupData {
  name: string;
  arn: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  healthCheckPath: string;
  healthCheckProtocol: string;
  healthCheckIntervalSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
  loadBalancerArns: string[];
  attributes: Record<string, string>;
  targets: TargetData[];
}

/** type 'ecr-image', id `${repositoryName}@${digest}` */
export interface ImageData {
  repositoryName: string;
  digest: string;
  tags: string[];
  /** amd64 or arm64 (the OCI names). */
  architecture: string;
  os: string;
  /** The manifest document BatchGetImage returns. */
  manifest: string;
  mediaType: string;
  /** Digest of the image config blob (single manifests), served by GetDownloadUrlForLayer. */
  configDigest?: string;
  pushedAt: number;
}

/** type 'secret', id = the secret ARN */
export interface SecretData {
  name: string;
  arn: string;
  description?: string;
  secretString: string;
  /** Set when a service manages the secret (RDS: `rds`). */
  owningService?: string;
  versionId: string;
  deletedAt?: number;
}

/** type 'iam-role', id = the role name */
export interface RoleData {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  assumeRolePolicyDocument: string;
  description?: string;
  attachedPolicyArns: string[];
  inlinePolicies: Record<string, string>;
  createDate: number;
  /** Uses by other services that will not see its last change yet (IAM propagation, the fault iamPropagationUses). */
  unpropagatedUses?: number;
}
