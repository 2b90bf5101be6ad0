/**
 * The ECS read calls inventory tools and the AWS CLI make beyond the ones three-tier uses: the cluster list, the
 * task definition families, and the container instances and their attributes, which are always none here (the
 * sandbox runs Fargate tasks only, so a cluster never has a container instance). See docs/sandbox/ecs.md.
 */
import type {
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ListAttributesRequest,
  ListAttributesResponse,
  ListClustersRequest,
  ListClustersResponse,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { clusterOf, findTask, pageOf, type ClusterData, type TaskData, type TaskDefinitionData } from './model.js';

const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);

const CONTAINER_INSTANCE_STATUSES = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'];
const FAMILY_STATUSES = ['ACTIVE', 'INACTIVE', 'ALL'];

/** Attach a nextToken only when there is a next page (the SDK's paginators stop on its absence). */
function withToken<T extends object>(out: T, token: string | undefined): T & { nextToken?: string } {
  return token === undefined ? out : { ...out, nextToken: token };
}

const listClusters = op<ListClustersRequest, ListClustersResponse>((input, { world }) => {
  // INACTIVE clusters stay listed while they remain discoverable, as on AWS.
  const arns = world
    .list<ClusterData>(ResourceType.ecsCluster)
    .filter((c) => !world.hiddenByConsistency(c))
    .map((c) => c.data.clusterArn)
    .sort();
  const p = pageOf(arns, input.nextToken, input.maxResults, 100);
  return withToken({ clusterArns: p.items }, p.nextToken);
});

const listContainerInstances = op<ListContainerInstancesRequest, ListContainerInstancesResponse>((input, { world }) => {
  clusterOf(world, input.cluster);
  if (input.status !== undefined && !CONTAINER_INSTANCE_STATUSES.includes(input.status)) {
    throw invalid(`Invalid status: ${input.status}. Valid values are ${CONTAINER_INSTANCE_STATUSES.join(', ')}.`);
  }
  const p = pageOf<string>([], input.nextToken, input.maxResults, 100);
  return withToken({ containerInstanceArns: p.items }, p.nextToken);
});

const describeContainerInstances = op<DescribeContainerInstancesRequest, DescribeContainerInstancesResponse>((input, { world }) => {
  const cluster = clusterOf(world, input.cluster);
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 100) throw invalid('containerInstances must list between 1 and 100 container instances.');
  return {
    containerInstances: [],
    failures: refs.map((ref) => ({
      arn: ref.startsWith('arn:') ? ref : world.arn('ecs', `container-instance/${cluster.id}/${ref}`),
      reason: 'MISSING',
    })),
  };
});

const listAttributes = op<ListAttributesRequest, ListAttributesResponse>((input, { world }) => {
  clusterOf(world, input.cluster);
  if (input.targetType !== 'container-instance') throw invalid(`Invalid targetType: ${input.targetType ?? 'null'}. The only valid value is container-instance.`);
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw invalid('attributeName must be specified when attributeValue is specified.');
  }
  const p = pageOf<never>([], input.nextToken, input.maxResults, 100);
  return withToken({ attributes: p.items }, p.nextToken);
});

const listTaskDefinitionFamilies = op<ListTaskDefinitionFamiliesRequest, ListTaskDefinitionFamiliesResponse>((input, { world }) => {
  const status = input.status ?? 'ALL';
  if (!FAMILY_STATUSES.includes(status)) throw invalid(`Invalid status: ${status}. Valid values are ACTIVE, INACTIVE, ALL.`);
  const active = new Map<string, boolean>();
  for (const td of world.list<TaskDefinitionData>(ResourceType.taskDefinition)) {
    const family = td.data.family;
    active.set(family, (active.get(family) ?? false) || td.state === 'ACTIVE');
  }
  // A family is ACTIVE while it has an ACTIVE revision, INACTIVE once none is left.
  const families = [...active.entries()]
    .filter(([family]) => input.familyPrefix === undefined || family.startsWith(input.familyPrefix))
    .filter(([, isActive]) => status === 'ALL' || (status === 'ACTIVE') === isActive)
    .map(([family]) => family)
    .sort();
  const p = pageOf(families, input.nextToken, input.maxResults, 100);
  return withToken({ families: p.items }, p.nextToken);
});

/** Scale-in protection is never turned on in the sandbox (UpdateTaskProtection is not modelled). */
const getTaskProtection = op<GetTaskProtectionRequest, GetTaskProtectionResponse>((input, { world }) => {
  if (!input.cluster) throw invalid('Cluster can not be blank.');
  const cluster = clusterOf(world, input.cluster);
  const refs = input.tasks;
  if (refs !== undefined && refs.length > 100) throw invalid('tasks can list at most 100 tasks.');
  const out: Required<Pick<GetTaskProtectionResponse, 'protectedTasks' | 'failures'>> = { protectedTasks: [], failures: [] };
  if (refs === undefined) {
    // Without a list: the service tasks of the cluster that are meant to run.
    for (const t of world.list<TaskData>(ResourceType.ecsTask)) {
      if (t.data.clusterName === cluster.id && t.data.serviceName !== undefined && t.data.desiredStatus === 'RUNNING') {
        out.protectedTasks.push({ taskArn: t.data.taskArn, protectionEnabled: false });
      }
    }
    return out;
  }
  for (const ref of refs) {
    const task = findTask(world, cluster.id, ref);
    if (task) out.protectedTasks.push({ taskArn: task.data.taskArn, protectionEnabled: false });
    else out.failures.push({ arn: ref.startsWith('arn:') ? ref : world.arn('ecs', `task/${cluster.id}/${ref}`), reason: 'MISSING' });
  }
  return out;
});

export const ecsReadHandlers: Record<string, Handler> = {
  ListClusters: listClusters,
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
  ListAttributes: listAttributes,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  GetTaskProtection: getTaskProtection,
};
