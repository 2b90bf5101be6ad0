import type { Deployment, Service } from '@aws-sdk/client-ecs';

// Reads of an ECS service's deployments (DescribeServices), shared by up's wait (resources/ecs-service.ts), deploy
// and its rollout watch (deploy.ts, rollout.ts) and status (status/*): pure functions, no client, so status can use
// them without loading the watcher.

/** A task definition ARN's family:revision, for people ("?" without one). */
export const revisionOf = (arn: string | undefined): string => arn?.split('/').pop() ?? '?';

/** The service's PRIMARY deployment: the one ECS is moving the service to. */
export function primaryOf(svc: Service): Deployment | undefined {
  return (svc.deployments ?? []).find((d) => d.status === 'PRIMARY');
}

/**
 * A deployment three-tier started: by ECS's id once UpdateService answered it; without one, the PRIMARY deployment
 * when it runs that revision.
 */
export function deploymentOf(svc: Service, taskDefinitionArn: string, deploymentId: string | undefined): Deployment | undefined {
  if (deploymentId !== undefined) return svc.deployments?.find((d) => d.id === deploymentId);
  const primary = primaryOf(svc);
  return primary?.taskDefinition === taskDefinitionArn ? primary : undefined;
}
