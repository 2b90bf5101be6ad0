/**
 * The read operations (List*, Describe*, Get*) of the SDK clients that the sandbox deliberately does not serve, per
 * service, with the reason. The rule: the sandbox answers every read of a resource type it models (and reads scoped
 * to such a resource, even when the answer is always empty); a type it does not model stays unknown, answered with
 * the protocol's "unknown operation" error (InvalidAction / UnknownOperationException) and the reason below. This
 * list is the one docs/sandbox.md shows, and test/sandbox/read-operations.test.ts checks it against the SDK's own
 * operation lists: a new SDK read operation fails that test until it is served or listed here.
 */
export interface NotModelled {
  reason: string;
  /** Operations by exact name. */
  operations?: readonly string[];
  /** Operations by name pattern (EC2's hundreds of read operations are grouped by feature). */
  pattern?: RegExp;
}

const ec2: readonly NotModelled[] = [
  {
    reason: 'VPC endpoint services (PrivateLink providers), their connections and associations are not modelled (endpoints are)',
    pattern: /VpcEndpoint(?:Associations|Connection|Service)/,
  },
  {
    reason:
      'peering, transit gateways, VPN, client VPN, local and carrier gateways, egress-only gateways, route servers, traffic mirroring, Verified Access, Network Insights and other connectivity the stack does not use are not modelled',
    pattern:
      /TransitGateway|Vpn|CustomerGateways|VpcPeering|CarrierGateways|LocalGateway|Coip|EgressOnlyInternetGateways|RouteServer|TrafficMirror|VerifiedAccess|NetworkInsights|AwsNetworkPerformance|OutpostLags|ServiceLinkVirtualInterfaces|Secondary(Interfaces|Networks|Subnets)|TrunkInterface|NetworkingFlex|ManagedResourceVisibility|InstanceConnectEndpoints/,
  },
  {
    reason: 'EC2-Classic and ClassicLink are retired on AWS',
    pattern: /ClassicLink/,
  },
  {
    reason: 'IPAM, address pools and transfers, BYOIP, reverse DNS of addresses, prefix lists and subnet CIDR reservations are not modelled (addresses come from one Amazon pool)',
    pattern: /Ipam|Ipv6Pools|PublicIpv4Pools|ByoipCidrs|AddressTransfers|MovingAddresses|AddressesAttribute|SubnetCidrReservations|AssociatedIpv6PoolCidrs|PrefixList/,
  },
  {
    reason: 'network ACLs (including the default one AWS creates with each VPC), DHCP option sets (a VPC reports the default set\'s id only) and flow logs are not modelled',
    operations: ['DescribeNetworkAcls', 'DescribeDhcpOptions', 'DescribeFlowLogs', 'GetFlowLogsIntegrationTemplate'],
  },
  {
    reason: 'network interface permissions and security group associations with other VPCs are not modelled',
    operations: ['DescribeNetworkInterfacePermissions', 'DescribeSecurityGroupVpcAssociations'],
  },
  {
    reason: "one region per sandbox: the region catalogue, id formats and account-wide encryption and public-access settings are not modelled",
    operations: [
      'DescribeRegions',
      'DescribeIdFormat',
      'DescribeIdentityIdFormat',
      'DescribePrincipalIdFormat',
      'DescribeAggregateIdFormat',
      'DescribeAccountVpcEncryptionControl',
      'DescribeVpcEncryptionControls',
      'GetVpcResourcesBlockingEncryptionEnforcement',
      'DescribeVpcBlockPublicAccessOptions',
      'DescribeVpcBlockPublicAccessExclusions',
      'GetAllowedImagesSettings',
    ],
  },
  {
    reason: 'no EC2 instances, images, volumes, snapshots, fleets or capacity: the stack runs on Fargate',
    pattern:
      /Instance|Image|Volume|Snapshot|Fleet|Spot|Capacity|Host|Reserved|Scheduled|BundleTasks|ConversionTasks|Export|Import|FastLaunch|Fpga|ElasticGpus|KeyPairs|LaunchTemplate|PlacementGroups|Console(Output|Screenshot)|PasswordData|CreditSpecification|Mac(Hosts|Modification)|ReplaceRootVolume|StoreImage|RecycleBin|SerialConsole|Ebs|EnclaveCertificate|DeclarativePolicies|ApplicationStatus|MetricCategories/,
  },
];

const elasticloadbalancing: readonly NotModelled[] = [
  { reason: 'mutual TLS trust stores (and the resource policies that exist only for them) are not modelled', pattern: /TrustStore|^GetResourcePolicy$/ },
  { reason: 'listener attributes are not modelled (the attribute set AWS reports for an HTTP listener is unconfirmed)', operations: ['DescribeListenerAttributes'] },
  { reason: 'load balancer capacity unit reservations are not modelled', operations: ['DescribeCapacityReservation'] },
  { reason: 'the sandbox does not enforce the ELB quotas, so it does not report them', operations: ['DescribeAccountLimits'] },
  { reason: "AWS's catalogue of TLS security policies is not modelled", operations: ['DescribeSSLPolicies'] },
];

const rds: readonly NotModelled[] = [
  {
    reason: 'Aurora: DB clusters, global clusters, cluster endpoints and parameters, shard groups and Serverless v2 are not modelled (the sandbox runs single PostgreSQL instances)',
    pattern: /DBCluster|GlobalClusters|ShardGroups|EngineDefaultClusterParameters|ServerlessV2/,
  },
  {
    reason: 'automated backups and snapshot exports are not modelled (manual DB snapshots are)',
    pattern: /AutomatedBackups|ExportTasks/,
  },
  {
    reason: "parameter and option groups (an instance reports its default group's name only), CA certificates and AWS's catalogues (major versions, source regions, event categories, reserved offerings, valid modifications) are not modelled",
    operations: [
      'DescribeDBParameterGroups',
      'DescribeDBParameters',
      'DescribeEngineDefaultParameters',
      'DescribeOptionGroups',
      'DescribeOptionGroupOptions',
      'DescribeCertificates',
      'DescribeDBMajorEngineVersions',
      'DescribeSourceRegions',
      'DescribeEventCategories',
      'DescribeValidDBInstanceModifications',
      'DescribeReservedDBInstances',
      'DescribeReservedDBInstancesOfferings',
      'DescribeDBCapacityReservations',
    ],
  },
  {
    reason: 'events, event subscriptions, log files, pending maintenance, recommendations and account quotas are not modelled',
    operations: ['DescribeEvents', 'DescribeEventSubscriptions', 'DescribeDBLogFiles', 'DescribePendingMaintenanceActions', 'DescribeDBRecommendations', 'DescribeAccountAttributes'],
  },
  {
    reason: 'RDS Proxy, blue/green deployments, zero-ETL integrations, tenant databases and EC2-Classic DB security groups are not modelled',
    pattern: /DBProxy|DBProxies|BlueGreen|Integrations|TenantDatabases|DBSecurityGroups/,
  },
];

const elasticache: readonly NotModelled[] = [
  {
    reason: 'parameter groups, cache security groups (EC2-Classic), users and user groups, serverless caches, global datastores and reserved nodes are not modelled',
    operations: [
      'DescribeCacheParameterGroups',
      'DescribeCacheParameters',
      'DescribeEngineDefaultParameters',
      'DescribeCacheSecurityGroups',
      'DescribeUsers',
      'DescribeUserGroups',
      'DescribeServerlessCaches',
      'DescribeServerlessCacheSnapshots',
      'DescribeGlobalReplicationGroups',
      'DescribeReservedCacheNodes',
      'DescribeReservedCacheNodesOfferings',
    ],
  },
  {
    reason: 'events, service updates and node type modifications are not modelled',
    operations: ['DescribeEvents', 'DescribeServiceUpdates', 'DescribeUpdateActions', 'ListAllowedNodeTypeModifications'],
  },
];

const iam: readonly NotModelled[] = [
  {
    reason: 'users, groups and their credentials are not modelled (any credentials sign as the one sandbox user STS reports)',
    pattern: /User|Group|AccessKey|LoginProfile|MFADevice|SSHPublicKey|ServiceSpecificCredentials|SigningCertificates/,
  },
  {
    reason: "managed policies are known only by ARN and a summary of what they allow; their metadata, versions and AWS's published documents are not modelled",
    operations: ['GetPolicy', 'GetPolicyVersion', 'ListPolicies', 'ListPolicyVersions', 'ListPolicyTags', 'ListPoliciesGrantingServiceAccess', 'GetAccountAuthorizationDetails'],
  },
  {
    reason: 'instance profiles, OpenID Connect and SAML providers and server certificates are not modelled',
    pattern: /^(Get|List)InstanceProfile(s|Tags)?$|OpenIDConnect|SAML|ServerCertificate/,
  },
  {
    reason: 'account settings, aliases, reports, access analysis, policy simulation, delegation and role templates are not modelled',
    operations: [
      'GetAccountPasswordPolicy',
      'GetAccountSummary',
      'GetAccountProperties',
      'ListAccountAliases',
      'GetCredentialReport',
      'ListOrganizationsFeatures',
      'GetOrganizationsAccessReport',
      'GetServiceLastAccessedDetails',
      'GetServiceLastAccessedDetailsWithEntities',
      'GetServiceLinkedRoleDeletionStatus',
      'GetContextKeysForCustomPolicy',
      'GetContextKeysForPrincipalPolicy',
      'GetDelegationRequest',
      'ListDelegationRequests',
      'GetHumanReadableSummary',
      'GetOutboundWebIdentityFederationInfo',
      'GetRoleTemplateVersion',
    ],
  },
];

const sts: readonly NotModelled[] = [
  {
    reason: 'issuing credentials is not modelled: any credentials are accepted and sign as the sandbox\'s one user',
    operations: ['GetSessionToken', 'GetFederationToken', 'GetWebIdentityToken', 'GetDelegatedAccessToken', 'GetScopedCredentials'],
  },
];

const ecs: readonly NotModelled[] = [
  { reason: 'capacity providers are not modelled (tasks use the FARGATE launch type)', operations: ['DescribeCapacityProviders'] },
  { reason: 'account settings are not modelled (ARNs always use the long format)', operations: ['ListAccountSettings'] },
  { reason: 'task sets exist only for EXTERNAL and CODE_DEPLOY deployment controllers, which are not modelled', operations: ['DescribeTaskSets'] },
  {
    reason: "the service deployment history and service revisions are not modelled (a service's description shows its current deployments)",
    operations: ['ListServiceDeployments', 'DescribeServiceDeployments', 'DescribeServiceRevisions'],
  },
  { reason: 'Service Connect namespaces (Cloud Map) are not modelled', operations: ['ListServicesByNamespace'] },
  { reason: 'daemons, gateways and Express services are not modelled', pattern: /Daemon|Gateway/ },
];

const logs: readonly NotModelled[] = [
  {
    reason: 'Logs Insights (queries, fields, anomalies, indexes, lookup tables, scheduled queries) is not modelled',
    pattern: /Quer(y|ies)|LogGroupFields|LogFields|LogRecord|Anomal|FieldIndexes|IndexPolicies|LookupTable/,
  },
  {
    reason: 'deliveries, destinations, export and import tasks, integrations and syslog configurations are not modelled',
    pattern: /Deliver|Destinations|ExportTasks|ImportTask|Integration|ConfigurationTemplates|Syslog|LogObject/,
  },
  {
    reason: 'account and resource policies, data protection, transformers, storage tiers and aggregate summaries are not modelled',
    operations: ['DescribeAccountPolicies', 'DescribeResourcePolicies', 'GetDataProtectionPolicy', 'GetTransformer', 'GetStorageTierPolicy', 'ListAggregateLogGroupSummaries'],
  },
];

const ecr: readonly NotModelled[] = [
  { reason: 'image scans are not modelled', operations: ['DescribeImageScanFindings'] },
  { reason: 'replication is not modelled', pattern: /Replication/ },
  { reason: 'image signing is not modelled', pattern: /Signing/ },
  { reason: 'pull-through cache rules, repository creation templates and pull-time exclusions are not modelled', pattern: /PullThroughCache|CreationTemplates|PullTimeUpdate/ },
  { reason: 'account settings, lifecycle policy previews and image referrers are not modelled', operations: ['GetAccountSetting', 'GetLifecyclePolicyPreview', 'ListImageReferrers'] },
];

/** By service signing name (ec2, elasticloadbalancing, rds, ...). Secrets Manager serves all its reads. */
export const notModelled: Readonly<Record<string, readonly NotModelled[]>> = {
  ec2,
  elasticloadbalancing,
  rds,
  elasticache,
  iam,
  sts,
  ecs,
  logs,
  ecr,
  secretsmanager: [],
};

/** Why the sandbox does not serve an operation, when it is a read operation it deliberately leaves out. */
export function whyNotModelled(service: string, operation: string): string | undefined {
  for (const entry of notModelled[service] ?? []) {
    // The first entry that names or matches the operation gives the reason: specific entries come first.
    if (entry.operations?.includes(operation) || entry.pattern?.test(operation)) return entry.reason;
  }
  return undefined;
}

/** The message of the "unknown operation" answer: the operation, that it is not modelled, and why where known. */
export function notModelledMessage(service: string, operation: string): string {
  const why = whyNotModelled(service, operation);
  const head = `${operation} is not modelled by the three-tier sandbox (${service})`;
  return why === undefined ? `${head}; it serves only the operations listed in docs/sandbox.md` : `${head}: ${why}. What it serves is listed in docs/sandbox.md`;
}
