import type { Service } from '@aws-sdk/client-ecs';
import { deploymentOf, revisionOf } from '../ecs-deployments.js';
import type { DeploymentRecord } from '../engine/manifest.js';
import type { LockView, UnfinishedDeployView, UnfinishedRollout } from './model.js';
import type { Seen } from './read.js';

/**
 * The deployment a `deploy` recorded in the manifest and did not see to its end (Ctrl-C, a crash, a closed laptop),
 * read against the service as status observed it anyway: no AWS call of its own. It finds "ours" as the rollout
 * watcher does (deploymentOf): by the recorded deployment id, or without one the PRIMARY when it runs the recorded
 * revision; without either, deploy stopped before ECS answered UpdateService, and its rerun asks again.
 */
function rolloutOf(service: Seen<Service>, record: DeploymentRecord): UnfinishedRollout {
  if (service.state !== 'seen') return 'unknown';
  const d = deploymentOf(service.value, record.taskDefinitionArn, record.deploymentId);
  if (!d) return record.deploymentId === undefined ? 'not-started' : 'replaced';
  if (d.rolloutState === 'FAILED') return 'failed';
  if (d.status !== 'PRIMARY') return 'replaced';
  return d.rolloutState === 'COMPLETED' ? 'completed' : 'in-progress';
}

const MEANING: Record<UnfinishedRollout, string> = {
  'in-progress': 'ECS is still rolling it out',
  completed: 'ECS completed it',
  failed: 'the circuit breaker failed it',
  replaced: 'it is no longer the service\'s deployment (the circuit breaker rolled it back, or another deployment replaced it)',
  'not-started': 'ECS has not been asked to roll it out yet',
  unknown: 'the service could not be read',
};

const TODO: Record<UnfinishedRollout, string> = {
  'in-progress': 'watches it again to its end (and rolls back a rollout that cannot succeed)',
  completed: 'records the outcome',
  failed: 'records the outcome',
  replaced: 'records the outcome',
  'not-started': 'starts it and watches it to its end',
  unknown: 'sees it to its end',
};

/** `flags` name the stack to another command: `--stack NAME`, and what else this status was given to find it. */
export function unfinishedDeploy(record: DeploymentRecord | undefined, service: Seen<Service>, lock: LockView | undefined, flags: string): UnfinishedDeployView | undefined {
  if (!record) return undefined;
  const rollout = rolloutOf(service, record);
  const watched = lock?.command === 'deploy';
  const command = `three-tier deploy ${flags}`;
  const view: UnfinishedDeployView = {
    taskDefinitionArn: record.taskDefinitionArn,
    revision: revisionOf(record.taskDefinitionArn),
    image: record.image,
    startedAt: record.startedAt,
    rollout,
    watched,
    // Until it is seen to its end, up and resume refuse to run (they would roll the service back under it).
    note: watched
      ? `${MEANING[rollout]}; the three-tier deploy holding the lock is watching it`
      : `${MEANING[rollout]}; the deploy that started it did not see its end: \`${command}\` ${TODO[rollout]} (until then up and resume refuse to run)`,
  };
  if (record.deploymentId !== undefined) view.deploymentId = record.deploymentId;
  if (record.previousTaskDefinitionArn !== undefined) view.previousTaskDefinitionArn = record.previousTaskDefinitionArn;
  if (record.force === true) view.force = true;
  if (!watched) view.command = command;
  return view;
}
