import { DescribeRepositoriesCommand, type Repository } from '@aws-sdk/client-ecr';
import { DescribeLogGroupsCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand, type Role } from '@aws-sdk/client-iam';
import { ListSecretsCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../aws/clients.js';
import type { StackNames } from '../names.js';
import type { Reads, Seen } from './read.js';

/**
 * The supporting resources, one call each, by their derived names: the image repository, the log group, the role,
 * and the secrets three-tier generates (one ListSecrets by the stack's name prefix: metadata and tags, no value).
 */
export interface OtherObservation {
  repository: Seen<Repository>;
  logGroup: Seen<LogGroup>;
  role: Seen<Role>;
  /** The task role (the API's own identity), by its derived name. */
  taskRole: Seen<Role>;
  secrets: Seen<SecretListEntry[]>;
}

/** `roleName`, `taskRoleName`: the recorded roles, or the stack's derived names (they carry the region). */
export async function observeOther(reads: Reads, clients: AwsClients, names: StackNames, roleName: string, taskRoleName: string): Promise<OtherObservation> {
  const prefix = names.secret['api-key'].replace(/api-key$/, '');
  const [repository, logGroup, role, taskRole, secrets] = await Promise.all([
    reads.read('ecr', 'DescribeRepositories', async () => (await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.repository] }))).repositories?.[0]),
    reads.read('logs', 'DescribeLogGroups', async () =>
      (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }))).logGroups?.find((g) => g.logGroupName === names.logGroup),
    ),
    reads.read('iam', 'GetRole', async () => (await clients.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role),
    reads.read('iam', 'GetRole', async () => (await clients.iam.send(new GetRoleCommand({ RoleName: taskRoleName }))).Role),
    // The name filter matches prefixes; the names are compared exactly where they are used.
    reads.read('secretsmanager', 'ListSecrets', async () =>
      ((await clients.secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100 }))).SecretList ?? []).filter((x) =>
        Object.values(names.secret).includes(x.Name ?? ''),
      ),
    ),
  ]);
  return { repository, logGroup, role, taskRole, secrets };
}
