import { randomUUID } from 'node:crypto';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ThreeTierError } from '../errors.js';
import { errorMessage, isAwsError, isNotFound } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { CONTAINER_NAME, logStreamOf, stackNames } from '../names.js';
import { primaryOf } from '../ecs-deployments.js';
import { diagnoseStoppedTask, diagnoseTargetGroup, diagnoseTargetHealth, hintsFrom, type Diagnosis } from '../diagnose.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { explainServiceTimeout, type LastSeen } from './ecs-timeout.js';
import { ecsTags, needOutput, retryOn, waitFor } from './common.js';
import { deniedDespiteGrant } from './execution-role.js';

/**
 * The API's ECS service: Fargate in the private subnets, no public IP, behind the target group, with the
 * deployment circuit breaker (rollback on). Its clientToken is recorded before CreateService.
 *
 * Ready is stricter than waitUntilServicesStable, which ignores rolloutState and target health (a rolled-back
 * deployment can look "stable"): the PRIMARY deployment runs OUR task definition, its rolloutState is COMPLETED,
 * runningCount == desiredCount, and the target group has desiredCount healthy targets. A FAILED rollout or
 * repeated stopped tasks end the wait early with the stopped-task reasons and what they mean (src/diagnose.ts).
 */
export const HEALTH_CHECK_GRACE_SECONDS = 60;
/**
 * Stopped tasks of our deployment after which the wait stops (the circuit breaker's own threshold is 3 for small services).
 *
 * Not the rule of deploy's rollout watch (FAIL_FAST_AFTER in src/diagnose.ts), on purpose. This one is up's: it ends
 * up's wait with an error and changes nothing (there is no earlier revision of a new stack to go back to), so it
 * counts tasks stopped for any cause, IAM still propagating aside: 3 of them, or 2 that all have a cause the rules of
 * src/diagnose.ts name from the stop reasons alone (failing health checks and a role ECS cannot assume too). The
 * rollout watch rolls a working service back to its previous revision, so it cuts the wait short only for causes
 * retries cannot fix, per cause (1 or 2 tasks agreeing, the container's last log lines read too), and leaves every
 * other cause to the circuit breaker.
 */
const STOPPED_LIMIT = 3;
/** ...or fewer when every one of them has a cause src/diagnose.ts recognises. */
const DIAGNOSED_STOPPED_LIMIT = 2;

export async function describeService(ctx: NodeContext, cluster: string, name: string): Promise<Service | undefined> {
  try {
    const out = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    // A missing service is reported in `failures`, not thrown.
    return out.services?.find((s) => s.serviceName === name);
  } catch (err) {
    if (isAwsError(err, 'ClusterNotFoundException')) return undefined;
    throw err;
  }
}


/** The newest deployment of our task definition. */
function oursOf(svc: Service, taskDefinitionArn: string | undefined): Deployment | undefined {
  return (svc.deployments ?? [])
    .filter((d) => d.taskDefinition === taskDefinitionArn)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}

/** The target group's targets and their health (DescribeTargetHealth); none without a target group. */
export async function targetHealth(ctx: NodeContext, targetGroupArn: string | undefined): Promise<TargetHealthDescription[]> {
  if (!targetGroupArn) return [];
  const out = await ctx.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return out.TargetHealthDescriptions ?? [];
}

interface Health {
  ready: boolean;
  state: string;
  targets: TargetHealthDescription[];
}

async function evaluate(ctx: NodeContext, svc: Service): Promise<Health> {
  const ourTaskDef = ctx.outputsOf('task-definition')['arn'];
  const primary = primaryOf(svc);
  const desired = ctx.config.desiredCount;
  const targets = await targetHealth(ctx, ctx.outputsOf('target-group')['arn']);
  const healthy = targets.filter((t) => t.TargetHealth?.State === 'healthy').length;
  const running = svc.runningCount ?? 0;
  const rollout = primary?.rolloutState ?? 'unknown';
  const ours = primary !== undefined && primary.taskDefinition === ourTaskDef;
  const ready = svc.status === 'ACTIVE' && ours && rollout === 'COMPLETED' && svc.desiredCount === desired && running === desired && (primary?.runningCount ?? running) === desired && healthy >= desired;
  const state = `${ours ? '' : 'older task definition primary, '}rollout ${rollout}, ${running}/${desired} running, ${healthy}/${desired} healthy target(s)`;
  return { ready, state, targets };
}

function outputsOf(svc: Service): Outputs {
  return { name: svc.serviceName ?? '', arn: svc.serviceArn ?? '', cluster: svc.clusterArn ?? '' };
}

/**
 * Which of a service's stopped tasks count as a deployment's failures. `up`'s waitReady and `deploy`'s rollout watch
 * (src/rollout.ts) ask differently, each on purpose, and say so with every field:
 * - `of`: waitReady takes the tasks of the deployment's revision created since a time (see countFrom); the rollout
 *   watch the tasks ECS started for its deployment id (`startedBy`).
 * - `reasonedNotByUser`: the rollout watch also leaves out a task ECS has not given a reason yet and one a StopTask by
 *   someone stopped (not the deployment's failure); waitReady counts those. Both leave out a scale-in.
 * - `newestFirst`: waitReady's error quotes the latest stops; the rollout watch keeps ListTasks' order.
 */
export interface StoppedQuery {
  of: { taskDefinition: string | undefined; createdSince: number } | { startedBy: string };
  reasonedNotByUser: boolean;
  newestFirst: boolean;
}

/** A service's stopped tasks (ListTasks STOPPED, the first 100 described) that `q` counts as a deployment's failures. */
export async function stoppedTasks(ctx: NodeContext, cluster: string, name: string, q: StoppedQuery): Promise<Task[]> {
  const list = await ctx.clients.ecs.send(new ListTasksCommand({ cluster, serviceName: name, desiredStatus: 'STOPPED' }));
  const arns = (list.taskArns ?? []).slice(0, 100);
  if (arns.length === 0) return [];
  const out = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  const { of } = q;
  const ours = (t: Task): boolean =>
    'startedBy' in of ? t.startedBy === of.startedBy : t.taskDefinitionArn === of.taskDefinition && (t.createdAt?.getTime() ?? of.createdSince) >= of.createdSince;
  const routine = q.reasonedNotByUser ? /Scaling activity initiated|Task stopped by user/i : /Scaling activity initiated/i;
  const kept = (out.tasks ?? []).filter((t) => ours(t) && !(q.reasonedNotByUser && (t.stoppedReason ?? '') === '') && !routine.test(t.stoppedReason ?? ''));
  return q.newestFirst ? kept.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0)) : kept;
}

/**
 * From when stopped tasks count against the wait: a deployment that began just now (this run created or updated
 * the service) counts from its start; an older one only from the start of this wait, because tasks that failed
 * earlier may have failed for what this run has just repaired (a security group rule, the secret policy). The
 * circuit breaker still watches the whole deployment.
 */
function countFrom(deployment: Deployment, waitStarted: number, scale: number): number {
  const began = deployment.createdAt?.getTime() ?? 0;
  return began >= waitStarted - 2 * 60_000 * scale ? Math.min(began, waitStarted) : waitStarted;
}

export function reasonsOf(task: Task): string {
  const containers = (task.containers ?? []).map((c) => c.reason).filter(Boolean);
  // ECS often repeats the task's reason on the container: say each once.
  return [...new Set([task.stoppedReason, ...containers].filter(Boolean))].join('; ');
}

/**
 * The last lines a stopped task's container wrote (awslogs stream <prefix>/<container>/<task id>). What went wrong
 * inside the container is only there: "exec format error" for an image of another architecture, "no pg_hba.conf
 * entry ... no encryption" for a database connection without TLS. Best effort: no lines when they cannot be read.
 */
export async function lastLogLines(ctx: NodeContext, task: Task): Promise<string[]> {
  const group = ctx.outputsOf('log-group')['name'];
  const taskId = task.taskArn?.split('/').pop();
  if (!group || !taskId) return [];
  try {
    const out = await ctx.clients.logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: logStreamOf(taskId), limit: 20, startFromHead: false }),
    );
    return (out.events ?? []).map((e) => e.message ?? '').filter(Boolean);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

async function failure(ctx: NodeContext, name: string, what: string, tasks: Task[], targets: TargetHealthDescription[], running: number): Promise<ThreeTierError> {
  const reasons = [...new Set(tasks.map(reasonsOf).filter(Boolean))];
  const diagnoses: (Diagnosis | undefined)[] = [];
  const logs: string[] = [];
  for (const [i, t] of tasks.entries()) {
    const lines = i < 2 ? await lastLogLines(ctx, t) : [];
    logs.push(...lines);
    diagnoses.push(diagnoseStoppedTask(t.stoppedReason, ...(t.containers ?? []).map((c) => c.reason), ...lines));
  }
  for (const t of targets) {
    if (t.TargetHealth?.State === 'unhealthy') diagnoses.push(diagnoseTargetHealth(t.TargetHealth.Reason, t.TargetHealth.Description, logs.join('\n')));
  }
  diagnoses.push(diagnoseTargetGroup(ctx.outputsOf('target-group')['targetType'], targets.length, running));
  const hints = hintsFrom(diagnoses);
  hints.push(`fix the cause, then run up again; the service's events: aws ecs describe-services --cluster ${ctx.config.stack} --services ${name}`);
  const why = reasons.length ? `; stopped tasks say: ${reasons.slice(0, 3).join(' | ')}` : '';
  const logged = [...new Set(logs)].slice(-3);
  const tail = logged.length ? `; the container logged: ${logged.join(' | ')}` : '';
  return new ThreeTierError('SERVICE_DEPLOYMENT_FAILED', `the ECS service ${name} ${what}${why}${tail}`, { hints });
}

/**
 * The stopped tasks that say something is wrong: a task denied by the execution role what the role allows stopped
 * only because IAM had not propagated the role's policy to ECS yet. It is said once and not counted, so the fast
 * failure waits for the tasks ECS starts next; the circuit breaker still judges the deployment. `seen` remembers the
 * verdict per task.
 */
async function withoutIamPropagation(ctx: NodeContext, tasks: Task[], seen: Map<string, boolean>): Promise<Task[]> {
  const kept: Task[] = [];
  for (const t of tasks) {
    const arn = t.taskArn ?? '';
    let propagating = seen.get(arn);
    if (propagating === undefined) {
      propagating = /not authorized to perform/.test(reasonsOf(t)) && (await deniedDespiteGrant(ctx, reasonsOf(t)));
      seen.set(arn, propagating);
      if (propagating) ctx.progress('retrying', `task ${arn.split('/').pop() ?? arn} was denied what the execution role allows: IAM had not propagated the role's policy yet; ECS starts another task`);
    }
    if (!propagating) kept.push(t);
  }
  return kept;
}

function isTransientCreateError(err: unknown): boolean {
  const message = errorMessage(err);
  return (
    isAwsError(err, 'InvalidParameterException') &&
    /does not have an associated load balancer|unable to assume|role.*(not|cannot)|not authorized to perform/i.test(message)
  );
}

export const ecsServiceKind: StackResourceKind = firstOf({
  kind: 'ecs-service',

  async create(ctx) {
    const names = stackNames(ctx.config.stack);
    const cluster = needOutput(ctx, 'ecs-cluster', 'name');
    // <= 36 characters: a UUID. Recorded first, so a retried call cannot make a second service.
    const token = ctx.recorded()?.token ?? randomUUID();
    ctx.record({ token });
    const input = {
      cluster,
      serviceName: names.service,
      taskDefinition: needOutput(ctx, 'task-definition', 'arn'),
      desiredCount: ctx.config.desiredCount,
      launchType: 'FARGATE' as const,
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [needOutput(ctx, 'subnet-private-a', 'subnetId'), needOutput(ctx, 'subnet-private-b', 'subnetId')],
          securityGroups: [needOutput(ctx, 'sg-ecs', 'groupId')],
          assignPublicIp: 'DISABLED' as const,
        },
      },
      loadBalancers: [{ targetGroupArn: needOutput(ctx, 'target-group', 'arn'), containerName: CONTAINER_NAME, containerPort: ctx.config.containerPort }],
      healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
      schedulingStrategy: 'REPLICA' as const,
      propagateTags: 'SERVICE' as const,
      enableECSManagedTags: true,
      clientToken: token,
      tags: ecsTags(ctx),
    };
    let arn = '';
    try {
      const out = await retryOn(ctx, `create ECS service ${names.service}`, 'serviceCreate', () => ctx.clients.ecs.send(new CreateServiceCommand(input)), {
        retryable: isTransientCreateError,
      });
      arn = out.service?.serviceArn ?? '';
    } catch (err) {
      // A service of this name is already ACTIVE (an earlier run, other settings): adopt it; waitReady converges it.
      if (!(isAwsError(err, 'InvalidParameterException') && /not idempotent/i.test(errorMessage(err)))) throw err;
      arn = (await describeService(ctx, cluster, names.service))?.serviceArn ?? '';
    }
    const identity: Identity = { name: names.service, cluster, arn };
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const svc = await describeService(ctx, identity['cluster'] ?? '', identity['name'] ?? '');
    if (!svc || svc.status === 'INACTIVE') return undefined;
    if (svc.status !== 'ACTIVE') return { state: svc.status ?? 'unknown', ready: false, outputs: outputsOf(svc) };
    const h = await evaluate(ctx, svc);
    return { state: h.state, ready: h.ready, outputs: outputsOf(svc) };
  },

  async findAll(ctx) {
    const names = stackNames(ctx.config.stack);
    const svc = await describeService(ctx, names.cluster, names.service);
    return svc && svc.status !== 'INACTIVE' ? [{ name: names.service, cluster: names.cluster, arn: svc.serviceArn ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const name = identity['name'] ?? '';
    const cluster = identity['cluster'] ?? '';
    const ourTaskDef = needOutput(ctx, 'task-definition', 'arn');
    const first = await waitFor(ctx, `ECS service ${name} to be visible`, 'quickReady', async () => {
      const s = await describeService(ctx, cluster, name);
      return s ? { done: true, value: s } : { done: false, state: 'not visible yet' };
    });
    if (first.status !== 'ACTIVE') {
      throw new ThreeTierError('SERVICE_DRAINING', `the ECS service ${name} is ${first.status ?? 'not active'}`, {
        hints: ['it is being deleted: wait for three-tier destroy to finish, then run up again'],
      });
    }
    // Converge: our task definition (a new image or endpoints) and the desired count.
    if (primaryOf(first)?.taskDefinition !== ourTaskDef || first.desiredCount !== ctx.config.desiredCount) {
      ctx.progress('waiting', `updating ECS service ${name} to ${ourTaskDef.split('/').pop() ?? ourTaskDef}, ${ctx.config.desiredCount} task(s)`);
      await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, taskDefinition: ourTaskDef, desiredCount: ctx.config.desiredCount }));
    }
    let polls = 0;
    let last: LastSeen | undefined;
    const waitStarted = Date.now();
    const propagation = new Map<string, boolean>();
    return waitFor(ctx, `ECS service ${name} to run ${ctx.config.desiredCount} healthy task(s)`, 'serviceReady', async () => {
      polls++;
      const svc = await describeService(ctx, cluster, name);
      if (!svc || svc.status !== 'ACTIVE') throw new ThreeTierError('SERVICE_GONE', `the ECS service ${name} disappeared while starting (${svc?.status ?? 'missing'})`);
      const h = await evaluate(ctx, svc);
      last = { running: svc.runningCount ?? 0, targets: h.targets };
      if (h.ready) return { done: true, value: outputsOf(svc) };
      const ours = oursOf(svc, ourTaskDef);
      if (ours?.rolloutState === 'FAILED') {
        const tasks = await stoppedTasks(ctx, cluster, name, { of: { taskDefinition: ours.taskDefinition, createdSince: ours.createdAt?.getTime() ?? 0 }, reasonedNotByUser: false, newestFirst: true });
        throw await failure(ctx, name, `deployment failed (circuit breaker${primaryOf(svc)?.taskDefinition !== ourTaskDef ? ', rolled back' : ''})`, tasks, h.targets, svc.runningCount ?? 0);
      }
      if (ours && (polls % 3 === 1 || (ours.failedTasks ?? 0) > 0)) {
        const stopped = await stoppedTasks(ctx, cluster, name, {
          of: { taskDefinition: ours.taskDefinition, createdSince: countFrom(ours, waitStarted, ctx.timing.scale) },
          reasonedNotByUser: false,
          newestFirst: true,
        });
        const tasks = await withoutIamPropagation(ctx, stopped, propagation);
        const diagnosed = tasks.filter((t) => diagnoseStoppedTask(t.stoppedReason, ...(t.containers ?? []).map((c) => c.reason)) !== undefined);
        if (tasks.length >= STOPPED_LIMIT || (diagnosed.length >= DIAGNOSED_STOPPED_LIMIT && diagnosed.length === tasks.length)) {
          throw await failure(ctx, name, `keeps stopping its tasks (${tasks.length} stopped)`, tasks, h.targets, svc.runningCount ?? 0);
        }
      }
      return { done: false, state: h.state };
    }).catch((err: unknown) => Promise.reject(explainServiceTimeout(ctx, name, cluster, err, last)));
  },

  async delete(ctx, identity) {
    const name = identity['name'] ?? '';
    const cluster = identity['cluster'] ?? '';
    const svc = await describeService(ctx, cluster, name);
    if (!svc || svc.status === 'INACTIVE') return;
    const gone = (err: unknown): boolean => isAwsError(err, 'ServiceNotFoundException', 'ServiceNotActiveException', 'ClusterNotFoundException');
    if (svc.status === 'ACTIVE' && (svc.desiredCount ?? 0) > 0) {
      try {
        await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }));
      } catch (err) {
        if (!gone(err)) throw err;
      }
    }
    try {
      await ctx.clients.ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true }));
    } catch (err) {
      if (!gone(err)) throw err;
    }
  },

  async waitGone(ctx, identity) {
    const name = identity['name'] ?? '';
    const cluster = identity['cluster'] ?? '';
    await waitFor(ctx, `ECS service ${name} to drain`, 'serviceGone', async () => {
      const svc = await describeService(ctx, cluster, name);
      return !svc || svc.status === 'INACTIVE' ? { done: true, value: undefined } : { done: false, state: `${svc.status ?? 'unknown'}, ${svc.runningCount ?? 0} running` };
    });
  },
});
