import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The one place SDK clients are made. Business logic receives an AwsClients and never constructs a client, so a
 * test or the sandbox mode can hand it clients pointed anywhere (STYLE.md 5).
 */
export interface AwsClients {
  region: string;
  /** The custom endpoint every client points at (a sandbox, AWS_ENDPOINT_URL); undefined for real AWS. */
  endpoint?: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  rds: RDSClient;
  elasticache: ElastiCacheClient;
  iam: IAMClient;
  sts: STSClient;
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  ecr: ECRClient;
  secrets: SecretsManagerClient;
}

export interface ClientOptions {
  region: string;
  /** A custom endpoint for every service (the sandbox, or AWS_ENDPOINT_URL); undefined means real AWS. */
  endpoint?: string;
  /** Explicit credentials (the sandbox); otherwise the SDK's default provider chain (env, SSO, profile, ...). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK attempts per call for throttling and transient errors (adaptive mode). */
  maxAttempts?: number;
  /**
   * `adaptive` (the default) also rate-limits the client after throttling, which suits AWS; against a simulator
   * that throttles at random (the sandbox's fault injection) `standard` retries without slowing every later call.
   */
  retryMode?: 'standard' | 'adaptive';
}

export function createClients(options: ClientOptions): AwsClients {
  const config = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 8,
    retryMode: options.retryMode ?? 'adaptive',
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  } as const;
  return {
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    rds: new RDSClient(config),
    elasticache: new ElastiCacheClient(config),
    // IAM is global per partition: given the stack's region, the SDK resolves the partition's IAM endpoint and
    // signing region (iam.amazonaws.com / us-east-1, iam.cn-north-1.amazonaws.com.cn, iam.us-gov.amazonaws.com).
    iam: new IAMClient(config),
    sts: new STSClient(config),
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    ecr: new ECRClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

export function destroyClients(clients: AwsClients): void {
  for (const c of [clients.ec2, clients.elbv2, clients.rds, clients.elasticache, clients.iam, clients.sts, clients.ecs, clients.logs, clients.ecr, clients.secrets]) {
    c.destroy();
  }
}
