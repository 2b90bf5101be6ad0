import { DescribeRepositoriesCommand, type Repository } from '@aws-sdk/client-ecr';
import { DescribeLogGroupsCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand, type Role } from '@aws-sdk/client-iam';
import type { AwsClients } from '../aws/clients.js';
import type { StackNames } from '../names.js';
import type { Reads, Seen } from './read.js';

/** The supporting resources, one call each, by their derived names: the image repository, the log group, the role. */
export interface OtherObservation {
  repository: Seen<Repository>;
  logGroup: Seen<LogGroup>;
  role: Seen<Role>;
}

/** `roleName`: the recorded execution role, or the stack's derived name (it carries the region). */
export async function observeOther(reads: Reads, clients: AwsClients, names: StackNames, roleName: string): Promise<OtherObservation> {
  const [repository, logGroup, role] = await Promise.all([
    reads.read('ecr', 'DescribeRepositories', async () => (await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.repository] }))).repositories?.[0]),
    reads.read('logs', 'DescribeLogGroups', async () =>
      (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }))).logGroups?.find((g) => g.logGroupName === names.logGroup),
    ),
    reads.read('iam', 'GetRole', async () => (await clients.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role),
  ]);
  return { repository, logGroup, role };
}
