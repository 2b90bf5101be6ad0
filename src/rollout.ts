import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { pollUntil } from './aws/wait.js';
import { diagnoseStoppedTask, failFastAfter, type Diagnosis } from './diagnose.js';
import { ThreeTierError } from './errors.js';
import type { NodeContext } from './engine/kind.js';
import { waitBudgetMs } from './resources/budgets.js';
import { deploymentOf, primaryOf, revisionOf } from './ecs-deployments.js';
import { describeService, lastLogLines, reasonsOf, stoppedTasks, targetHealth } from './resources/ecs-service.js';

/**
 * Watching one ECS deployment until it ends, and telling how (src/deploy.ts acts on it). Every poll reads the
 * service (its deployments: ours, the one it replaces) and the stopped tasks of ours (DescribeTasks, `startedBy` is
 * the deployment id). A stopped task's reasons, and the last lines its container logged, go through the one rule
 * table of src/diagnose.ts: when enough of them name a cause that retries cannot fix (failFastAfter), the watch
 * ends at once with that cause, long before the circuit breaker would count its failures. A deployment the breaker
 * failed, or one a newer deployment replaced, ends it too; only COMPLETED with every task running is success.
 */
export interface RolloutTarget {
  cluster: string;
  service: string;
  /** The revision being rolled out. */
  taskDefinitionArn: string;
  /** ECS's id of the deployment; without it, the PRIMARY deployment of the revision is taken as ours. */
  deploymentId?: string;
  /** The service's target group: its targets' health is part of the progress. */
  targetGroupArn?: string;
}

export interface StoppedTask {
  taskId: string;
  reasons: string;
  /** The last lines the container logged (where "exec format error" is). */
  logs: string[];
  diagnosis?: Diagnosis;
}

export type RolloutOutcome =
  | { kind: 'completed'; deploymentId: string; polls: number }
  /** Stopped tasks named a cause retries cannot fix. */
  | { kind: 'hopeless'; deploymentId: string; diagnosis: Diagnosis; stopped: StoppedTask[]; polls: number }
  /** The circuit breaker failed the deployment; `rolledBackTo` is the revision it went back to, if it did. */
  | { kind: 'breaker'; deploymentId: string; reason: string; rolledBackTo?: string; stopped: StoppedTask[]; polls: number }
  /** Another deployment (not the breaker's) replaced ours. */
  | { kind: 'superseded'; deploymentId: string; by: string; polls: number };

export interface WatchOptions {
  /** The state in words, when it changes (for progress). */
  report: (state: string) => void;
  /** Once per stopped task of ours, with its diagnosis. */
  onStopped?: (task: StoppedTask) => void;
  /** Called with the deployment id as soon as it is known (for the manifest). */
  onDeployment?: (id: string) => void;
}

/** Ours: by id; without one, the PRIMARY when it runs our revision. */
function oursOf(svc: Service, target: RolloutTarget, knownId: string | undefined): Deployment | undefined {
  return deploymentOf(svc, target.taskDefinitionArn, knownId);
}

/** The breaker's rollback says so in the new deployment's reason (and the service's events). */
function isBreakerRollback(d: Deployment | undefined, svc: Service, ourId: string): boolean {
  if (/circuit breaker/i.test(d?.rolloutStateReason ?? '')) return true;
  return (svc.events ?? []).some((e) => /rolling back to deployment/i.test(e.message ?? '') || (e.message ?? '').includes(`${ourId}) deployment failed`));
}

async function stoppedOf(ctx: NodeContext, target: RolloutTarget, deploymentId: string): Promise<Task[]> {
  // Only tasks of our deployment, and only those that failed: not the ones a scale-down, a rollback or someone's
  // StopTask stopped. A task has its stoppedReason from the moment ECS decides to stop it, long before it reaches
  // STOPPED (deprovisioning), and the replacement ECS starts meanwhile is the breaker's next count: read it at once.
  return stoppedTasks(ctx, target.cluster, target.service, { of: { startedBy: deploymentId }, reasonedNotByUser: true, newestFirst: false });
}

/** "1 healthy, 1 initial, 1 draining target(s)": the load balancer's view of the tasks (new ones passing or failing their checks, old ones draining). */
async function targetsState(ctx: NodeContext, targetGroupArn: string | undefined): Promise<string | undefined> {
  if (!targetGroupArn) return undefined;
  const counts = new Map<string, number>();
  for (const t of await targetHealth(ctx, targetGroupArn)) counts.set(t.TargetHealth?.State ?? 'unknown', (counts.get(t.TargetHealth?.State ?? 'unknown') ?? 0) + 1);
  if (counts.size === 0) return 'no target registered yet';
  return `${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')} target(s)`;
}

function describeState(svc: Service, ours: Deployment, failed: number, targets: string | undefined): string {
  const others = (svc.deployments ?? []).filter((d) => d.id !== ours.id);
  const old = others.reduce((n, d) => n + (d.runningCount ?? 0), 0);
  const parts = [
    `rollout ${ours.rolloutState ?? 'unknown'}: ${revisionOf(ours.taskDefinition)} ${ours.runningCount ?? 0}/${svc.desiredCount ?? 0} running`,
    `${ours.pendingCount ?? 0} starting`,
  ];
  if (failed > 0) parts.push(`${failed} stopped`);
  if (others.length > 0) parts.push(`${old} old task(s) ${old > 0 ? 'serving until the new ones are healthy' : 'stopped, being deregistered'}`);
  if (targets) parts.push(targets);
  return parts.join(', ');
}

/** Watch the deployment until it completes, fails, or turns out hopeless. */
export async function watchRollout(ctx: NodeContext, target: RolloutTarget, o: WatchOptions): Promise<RolloutOutcome> {
  let polls = 0;
  let deploymentId = target.deploymentId;
  const seen = new Map<string, StoppedTask>();
  let last = '';
  const report = (state: string): void => {
    if (state === last) return;
    last = state;
    o.report(state);
  };
  return pollUntil<RolloutOutcome>(
    async () => {
      polls++;
      const svc = await describeService(ctx, target.cluster, target.service);
      if (!svc || svc.status !== 'ACTIVE') {
        throw new ThreeTierError('SERVICE_GONE', `the ECS service ${target.service} is ${svc?.status ?? 'gone'}: there is no rollout to watch`, {
          hints: [`run three-tier up --stack ${ctx.config.stack} to make the stack whole again`],
        });
      }
      const ours = oursOf(svc, target, deploymentId);
      const primary = primaryOf(svc);
      if (!ours) {
        // Ours left the service's deployments: replaced (by the breaker's rollback, or by someone's deployment).
        const id = deploymentId ?? '(unknown)';
        if (isBreakerRollback(primary, svc, id)) {
          return { done: true, value: { kind: 'breaker', deploymentId: id, reason: 'ECS deployment circuit breaker: tasks failed to start.', ...(primary?.taskDefinition ? { rolledBackTo: primary.taskDefinition } : {}), stopped: [...seen.values()], polls } };
        }
        if (deploymentId === undefined) return { done: false, state: `waiting for ECS to start the deployment of ${revisionOf(target.taskDefinitionArn)}` };
        return { done: true, value: { kind: 'superseded', deploymentId: id, by: `${primary?.id ?? '?'} (${revisionOf(primary?.taskDefinition)})`, polls } };
      }
      if (deploymentId === undefined && ours.id) {
        deploymentId = ours.id;
        o.onDeployment?.(ours.id);
      }
      const id = ours.id ?? '';
      for (const task of await stoppedOf(ctx, target, id)) {
        const arn = task.taskArn ?? '';
        if (seen.has(arn)) continue;
        const logs = seen.size < 5 ? await lastLogLines(ctx, task) : [];
        const reasons = reasonsOf(task);
        const diagnosis = diagnoseStoppedTask(task.stoppedReason, ...(task.containers ?? []).map((c) => c.reason), ...logs);
        const stopped: StoppedTask = { taskId: arn.split('/').pop() ?? arn, reasons, logs, ...(diagnosis ? { diagnosis } : {}) };
        seen.set(arn, stopped);
        o.onStopped?.(stopped);
      }
      if (ours.rolloutState === 'FAILED') {
        const rolledBack = primary && primary.id !== ours.id ? primary.taskDefinition : undefined;
        return { done: true, value: { kind: 'breaker', deploymentId: id, reason: ours.rolloutStateReason ?? 'ECS deployment circuit breaker: tasks failed to start.', ...(rolledBack ? { rolledBackTo: rolledBack } : {}), stopped: [...seen.values()], polls } };
      }
      if (ours.status !== 'PRIMARY') {
        if (isBreakerRollback(primary, svc, id)) {
          return { done: true, value: { kind: 'breaker', deploymentId: id, reason: 'ECS deployment circuit breaker: tasks failed to start.', ...(primary?.taskDefinition ? { rolledBackTo: primary.taskDefinition } : {}), stopped: [...seen.values()], polls } };
        }
        return { done: true, value: { kind: 'superseded', deploymentId: id, by: `${primary?.id ?? '?'} (${revisionOf(primary?.taskDefinition)})`, polls } };
      }
      const targets = await targetsState(ctx, target.targetGroupArn);
      if (ours.rolloutState === 'COMPLETED' && (ours.runningCount ?? 0) === (svc.desiredCount ?? 0)) {
        report(describeState(svc, ours, seen.size, targets));
        return { done: true, value: { kind: 'completed', deploymentId: id, polls } };
      }
      // Hopeless: enough stopped tasks agree on a cause retries cannot fix.
      const byCause = new Map<string, StoppedTask[]>();
      for (const t of seen.values()) if (t.diagnosis) byCause.set(t.diagnosis.code, [...(byCause.get(t.diagnosis.code) ?? []), t]);
      for (const tasks of byCause.values()) {
        const diagnosis = tasks[0]?.diagnosis;
        const after = failFastAfter(diagnosis);
        if (diagnosis && after !== undefined && tasks.length >= after) return { done: true, value: { kind: 'hopeless', deploymentId: id, diagnosis, stopped: tasks, polls } };
      }
      const state = describeState(svc, ours, seen.size, targets);
      report(state);
      return { done: false, state };
    },
    { timing: ctx.timing, budgetMs: waitBudgetMs('serviceReady', ctx.timing.scale), what: `the deployment of ${revisionOf(target.taskDefinitionArn)} to complete`, signal: ctx.signal },
  );
}
