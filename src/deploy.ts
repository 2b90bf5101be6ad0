import { RegisterTaskDefinitionCommand, UpdateServiceCommand, type RegisterTaskDefinitionCommandInput, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { StackConfig } from './config.js';
import { hintsFrom, type Diagnosis } from './diagnose.js';
import { ThreeTierError, usageError } from './errors.js';
import type { NodeContext, Outputs } from './engine/kind.js';
import { ManifestStore, type DeploymentRecord, type Manifest } from './engine/manifest.js';
import { checkImageBeforeUp, describeSource, digestOf, parseEcrUri, type ImageSource } from './image.js';
import { ecsTags } from './resources/common.js';
import { primaryOf, revisionOf } from './ecs-deployments.js';
import { describeService } from './resources/ecs-service.js';
import { imageKind, pinnedUri } from './resources/image.js';
import { describeTaskDefinition, inputsOf, matches, taskDefinitionInput } from './resources/task-definition.js';
import { watchRollout, type RolloutOutcome, type StoppedTask } from './rollout.js';
import { asThreeTierError, readOnlyContext, Run, type ProvisionerOptions } from './run.js';
import { recordedStack, type StackSession } from './session.js';
import { buildStackGraph, type StackGraphNode } from './stack.js';

/**
 * `deploy` as a plan, applied (DESIGN.md "One plan, applied"), over three nodes of the stack's graph: the image
 * (built and pushed, or the one --image names, its architecture checked against the tasks' before anything
 * changes), the task definition (a new revision only when the wanted one differs from every revision at hand), and
 * the service (UpdateService, then the rollout watched by src/rollout.ts). A rollout whose stopped tasks name a
 * cause retries cannot fix is rolled back to the last completed revision at once; one the circuit breaker failed is
 * reported as the failure it is. The deployment is recorded in the manifest before UpdateService and cleared when
 * it ends, so a rerun after Ctrl-C or a kill continues watching it. The stack's settings, its image and its task
 * definition are recorded only once the rollout completed: a failed deploy leaves the manifest describing what runs.
 */
export type DeployAction = 'deploy' | 'force' | 'continue' | 'none';

export interface DeployPlan {
  command: 'deploy';
  stack: string;
  region: string;
  /** The stack's settings once deployed (an --image becomes the stack's image setting). */
  config: StackConfig;
  action: DeployAction;
  /** Why, in words. */
  reason: string;
  service: { cluster: string; name: string };
  /** What the service runs now: its task definition, that revision's image, the PRIMARY rollout's state. */
  current: { taskDefinitionArn: string; image?: string; rolloutState?: string };
  /** The last revision whose deployment completed: where a hopeless rollout goes back to. */
  previous?: string;
  /** describeSource of the image asked for. */
  source: string;
  /** The image the new revision runs, when it is known before a build (an --image, resolved to a digest in ECR). */
  image?: string;
  /** A registered ACTIVE revision that already describes what is wanted: no RegisterTaskDefinition. */
  reuse?: string;
  /** The deployment a rerun continues. */
  inFlight?: DeploymentRecord;
  notes: string[];
  /** The task definitions the plan described: apply goes on with them rather than describing them again. Not shown. */
  described: Described;
}

/**
 * The task definitions described in one run (plan, then apply), by the reference they were described by (a revision's
 * ARN, or a family for its latest ACTIVE revision); undefined: there was none. Each is described once per run: a
 * revision does not change, and the plan's answers are what apply acts on (as it acts on the plan's `reuse`).
 */
export type Described = Map<string, TaskDefinition | undefined>;

async function describeOnce(ctx: NodeContext, described: Described, ref: string): Promise<TaskDefinition | undefined> {
  if (described.has(ref)) return described.get(ref);
  const td = await describeTaskDefinition(ctx, ref);
  described.set(ref, td);
  // A family's latest revision is known by its ARN too.
  if (td?.taskDefinitionArn) described.set(td.taskDefinitionArn, td);
  return td;
}

export interface DeployOptions extends ProvisionerOptions {
  image: ImageSource;
  /** The user named the image (--image): it is deployed even when another deployment is in flight. */
  imageAsked?: boolean;
  /** A fresh deployment of the current revision (forceNewDeployment; also clears a tripped circuit breaker). */
  force?: boolean;
}

export interface DeployResult {
  stack: string;
  /** Whether anything changed (a build that gave the image already deployed changes nothing). */
  changed: boolean;
  action: DeployAction;
  taskDefinitionArn: string;
  image: string;
  deploymentId?: string;
  /** Polls of the rollout. */
  polls: number;
  url: string;
  elapsedMs: number;
}

/**
 * What a deploy needs the stack to have, with the identity or output that proves it. The service only needs to
 * exist: a stack whose first deployment the circuit breaker failed (so `up` never saw it ready) is deployed to.
 */
const NEEDED: readonly [string, string][] = [
  ['ecs-service', 'name'],
  ['ecs-service', 'cluster'],
  ['execution-role', 'arn'],
  ['log-group', 'name'],
  ['database', 'address'],
  ['cache', 'host'],
  ['ecr-repository', 'uri'],
];


function refuseUnready(recorded: Manifest): void {
  const stack = recorded.stack;
  if (recorded.paused) {
    throw usageError('STACK_PAUSED', `stack "${stack}" is paused (since ${recorded.paused.since}${recorded.paused.deep ? ', deep' : ''}): there is no running service to deploy to. Nothing was changed.`, [
      `bring it back first: three-tier resume --stack ${stack}, then deploy`,
    ]);
  }
  const has = (id: string, key: string): boolean => Boolean(recorded.resources[id]?.outputs?.[key] ?? recorded.resources[id]?.identity?.[key]);
  const missing = [...new Set(NEEDED.filter(([id, key]) => !has(id, key)).map(([id]) => id))];
  if (missing.length > 0) {
    throw usageError('STACK_INCOMPLETE', `stack "${stack}" is not complete (${missing.join(', ')} not made yet): deploy needs a running service. Nothing was changed.`, [
      `finish it first: three-tier up --stack ${stack}`,
    ]);
  }
}

/** A node context over the manifest's outputs (with the image overridden), recording nothing. */
function contextOver(opts: ProvisionerOptions, config: StackConfig, recorded: Manifest, node: { id: string }, image?: string): NodeContext {
  const outputsOf = (id: string): Outputs => (id === 'image' && image !== undefined ? { uri: image } : (recorded.resources[id]?.outputs ?? {}));
  return readOnlyContext(opts, config, node, outputsOf);
}

/** An ACTIVE revision that is what `want` describes: the service's, else the family's latest. */
async function revisionMatching(ctx: NodeContext, want: RegisterTaskDefinitionCommandInput, currentArn: string, described: Described): Promise<string | undefined> {
  for (const ref of [currentArn, want.family ?? '']) {
    const td = await describeOnce(ctx, described, ref);
    if (td?.status === 'ACTIVE' && matches(td, want)) return td.taskDefinitionArn;
  }
  return undefined;
}

/** Compute what `deploy` will do. Reads AWS, changes nothing. */
export async function planDeploy(session: StackSession, opts: DeployOptions): Promise<DeployPlan> {
  const recorded = recordedStack(session, opts.config.stack, 'deploy');
  refuseUnready(recorded);
  const source = describeSource(opts.image);
  const config: StackConfig = opts.image.kind === 'existing' ? { ...recorded.config, image: opts.image.uri } : recorded.config;
  const svcRecord = recorded.resources['ecs-service'];
  const service = { cluster: svcRecord?.identity?.['cluster'] ?? '', name: svcRecord?.identity?.['name'] ?? svcRecord?.outputs?.['name'] ?? '' };
  const ctx = contextOver(opts, config, recorded, { id: 'ecs-service' });
  const notes: string[] = [];
  try {
    const svc = await describeService(ctx, service.cluster, service.name);
    if (!svc || svc.status !== 'ACTIVE') {
      throw usageError('SERVICE_MISSING', `the ECS service ${service.name} of stack "${recorded.stack}" is ${svc?.status ?? 'gone'}: there is nothing to deploy to. Nothing was changed.`, [
        `make the stack whole again: three-tier up --stack ${recorded.stack}`,
      ]);
    }
    const primary = primaryOf(svc);
    const currentArn = svc.taskDefinition ?? primary?.taskDefinition ?? '';
    const described: Described = new Map();
    const currentTd = await describeOnce(ctx, described, currentArn);
    const current = { taskDefinitionArn: currentArn, ...(currentTd?.containerDefinitions?.[0]?.image ? { image: currentTd.containerDefinitions[0].image } : {}), ...(primary?.rolloutState ? { rolloutState: primary.rolloutState } : {}) };
    const inFlight = recorded.deployment;
    const completed = primary?.rolloutState === 'COMPLETED' ? primary.taskDefinition : undefined;
    const otherCompleted = svc.deployments?.find((d) => d.status !== 'PRIMARY' && d.rolloutState === 'COMPLETED')?.taskDefinition;
    // The manifest's revision counts only when up saw the service ready with it.
    const upCompleted = svcRecord?.status === 'ready' ? recorded.resources['task-definition']?.outputs?.['arn'] : undefined;
    const previous = completed ?? inFlight?.previousTaskDefinitionArn ?? otherCompleted ?? upCompleted;
    const base = { command: 'deploy' as const, stack: recorded.stack, region: recorded.region, config, service, current, source, notes, described, ...(previous ? { previous } : {}) };

    if (inFlight && opts.force !== true && (opts.imageAsked !== true || inFlight.source === source)) {
      return { ...base, action: 'continue', reason: `a deployment of ${revisionOf(inFlight.taskDefinitionArn)} (${inFlight.image}) started ${inFlight.startedAt} and was not seen to its end: it is watched again`, image: inFlight.image, inFlight, ...(inFlight.previousTaskDefinitionArn ? { previous: inFlight.previousTaskDefinitionArn } : {}) };
    }
    if (opts.force === true) {
      return { ...base, action: 'force', reason: `a fresh deployment of the current revision ${revisionOf(currentArn)} (forceNewDeployment${primary?.rolloutState === 'FAILED' ? ': it also clears the tripped circuit breaker' : ''})`, reuse: currentArn, ...(current.image ? { image: current.image } : {}) };
    }
    if (inFlight) notes.push(`the deployment of ${revisionOf(inFlight.taskDefinitionArn)} in flight is replaced by this one`);
    if (opts.image.kind !== 'existing') {
      const how = opts.image.kind === 'build' ? 'build api/ for the tasks and push it to the stack repository' : 'stage an image in the sandbox registry (its stand-in for a build and push)';
      return { ...base, action: 'deploy', reason: `${how}; a new revision if the image differs from the one ${revisionOf(currentArn)} runs` };
    }
    // An image that already exists is checked before anything changes: it must be there, for the tasks' architecture.
    const image = await pinnedUri(ctx.clients, opts.image.uri);
    const check = await checkImageBeforeUp(opts.clients, image, config.cpuArchitecture, { signal: opts.signal, ...(opts.image.registry ? { registry: opts.image.registry } : {}) });
    if (!check.checked) notes.push(check.note);
    const want = taskDefinitionInput(config, inputsOf(contextOver(opts, config, recorded, { id: 'task-definition' }, image)));
    const reuse = await revisionMatching(ctx, want, currentArn, described);
    if (reuse !== undefined && reuse === currentArn && primary?.taskDefinition === currentArn && primary.rolloutState === 'COMPLETED') {
      return { ...base, action: 'none', reason: `the service already runs ${image} (${revisionOf(currentArn)}, rollout completed)`, image, reuse };
    }
    const what = reuse === undefined ? 'a new task definition revision' : `the registered revision ${revisionOf(reuse)}`;
    return { ...base, action: 'deploy', reason: `${image}: ${what}, then a rolling deployment`, image, ...(reuse ? { reuse } : {}) };
  } catch (err) {
    throw asThreeTierError({ id: 'ecs-service', kind: { kind: 'ecs-service' } }, 'read', err);
  }
}

/** Whether applying the plan changes anything (a continued deployment changes nothing new, but finishes one). */
export function deployChangesSomething(plan: Pick<DeployPlan, 'action'>): boolean {
  return plan.action !== 'none';
}

function nodesOf(config: StackConfig, source: ImageSource): Map<string, StackGraphNode> {
  return new Map(buildStackGraph(config, source).filter((n) => ['image', 'task-definition', 'ecs-service'].includes(n.id)).map((n) => [n.id, n]));
}

/** The nodes a deploy shows progress for, in order. */
export function deployNodes(config: StackConfig, source: ImageSource): StackGraphNode[] {
  return [...nodesOf(config, source).values()];
}

/** Carry out exactly the plan. */
export async function applyDeploy(session: StackSession, plan: DeployPlan, opts: DeployOptions): Promise<DeployResult> {
  const recorded = recordedStack(session, plan.stack, 'deploy');
  const store = ManifestStore.over(session.manifestPath, recorded, { config: recorded.config });
  const run = new Run(opts, store, plan.config);
  const nodes = nodesOf(plan.config, opts.image);
  const node = (id: string): StackGraphNode => {
    const n = nodes.get(id);
    if (!n) throw new ThreeTierError('INTERNAL', `no ${id} node in the stack graph`);
    return n;
  };
  const [imageNode, tdNode, svcNode] = [node('image'), node('task-definition'), node('ecs-service')];
  const url = recorded.resources['load-balancer']?.outputs?.['url'] ?? '';
  const targetGroupArn = recorded.resources['target-group']?.outputs?.['arn'];
  const result: DeployResult = { stack: plan.stack, changed: false, action: plan.action, taskDefinitionArn: plan.current.taskDefinitionArn, image: plan.image ?? plan.current.image ?? '', polls: 0, url, elapsedMs: 0 };
  if (plan.action === 'none') return result;
  const since = Date.now();
  const described: Described = new Map(plan.described);
  const svcCtx = contextOver(opts, plan.config, recorded, svcNode);
  const { cluster, name } = plan.service;
  const updateService = async (taskDefinition: string, force: boolean): Promise<string | undefined> => {
    const out = await opts.clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, taskDefinition, ...(force ? { forceNewDeployment: true } : {}) }));
    return out.service ? primaryOf(out.service)?.id : undefined;
  };

  let record: DeploymentRecord;
  if (plan.action === 'continue' && plan.inFlight) {
    record = plan.inFlight;
    run.emit(imageNode, 'unchanged', { detail: record.image, awsId: '' });
    run.emit(tdNode, 'unchanged', { detail: `${revisionOf(record.taskDefinitionArn)}, being rolled out`, awsId: revisionOf(record.taskDefinitionArn) });
    // Stopped between the record and ECS's answer: the deployment may not exist yet.
    if (record.deploymentId === undefined && plan.current.taskDefinitionArn !== record.taskDefinitionArn) {
      const id = await updateService(record.taskDefinitionArn, record.force === true);
      record = { ...record, ...(id ? { deploymentId: id } : {}) };
      store.setDeployment(record);
    }
  } else {
    // The image: known (an --image, or the current one for --force), or built and pushed now, then checked.
    let image = plan.image;
    if (image === undefined) {
      run.emit(imageNode, 'creating', { detail: imageNode.title, since, awsId: '' });
      const ctx = { ...contextOver(opts, plan.config, recorded, imageNode), progress: (phase: 'waiting' | 'retrying', detail: string) => run.emit(imageNode, phase, { detail, since, awsId: '' }) };
      try {
        image = (await imageKind(opts.image).create(ctx))['uri'] ?? '';
      } catch (err) {
        const error = asThreeTierError(imageNode, 'create', err);
        run.emit(imageNode, 'failed', { detail: error.message, since });
        throw error;
      }
    }
    run.emit(imageNode, 'ready', { detail: image, awsId: '', since });
    result.image = image;

    // The revision: the one --force redeploys, one already registered that is what is wanted, or a new one.
    const tdCtx = { ...run.context(tdNode, since), outputsOf: contextOver(opts, plan.config, recorded, tdNode, image).outputsOf, record: () => undefined };
    const want = taskDefinitionInput(plan.config, inputsOf(tdCtx));
    let taskDefinition = plan.action === 'force' ? plan.reuse : (plan.reuse ?? (await revisionMatching(tdCtx, want, plan.current.taskDefinitionArn, described)));
    if (plan.action === 'deploy' && taskDefinition === plan.current.taskDefinitionArn && plan.current.rolloutState === 'COMPLETED') {
      // A build that gave the image the service already runs: nothing new.
      run.emit(tdNode, 'unchanged', { detail: `${revisionOf(taskDefinition)} already runs ${image}`, awsId: revisionOf(taskDefinition) });
      run.emit(svcNode, 'unchanged', { detail: 'nothing new to deploy', awsId: name });
      result.taskDefinitionArn = taskDefinition;
      result.elapsedMs = Date.now() - run.t0;
      return result;
    }
    if (taskDefinition === undefined) {
      run.emit(tdNode, 'creating', { detail: `registering a revision of ${want.family ?? ''} with ${image}`, since, awsId: '' });
      const out = await opts.clients.ecs.send(new RegisterTaskDefinitionCommand({ ...want, tags: ecsTags(tdCtx) })).catch((err: unknown) => {
        throw asThreeTierError(tdNode, 'create', err);
      });
      taskDefinition = out.taskDefinition?.taskDefinitionArn ?? '';
      if (out.taskDefinition) described.set(taskDefinition, out.taskDefinition);
    }
    run.emit(tdNode, 'ready', { detail: plan.action === 'force' ? 'the current revision, redeployed' : image, awsId: revisionOf(taskDefinition), since });

    // Recorded before ECS is asked: a rerun after a kill continues this deployment.
    record = {
      startedAt: new Date().toISOString(),
      source: plan.source,
      image,
      taskDefinitionArn: taskDefinition,
      ...(plan.previous ? { previousTaskDefinitionArn: plan.previous } : {}),
      ...(plan.action === 'force' ? { force: true } : {}),
      ...(plan.config.image !== undefined ? { configImage: plan.config.image } : {}),
    };
    store.setDeployment(record);
    run.emit(svcNode, 'waiting', { detail: `UpdateService to ${revisionOf(taskDefinition)}${plan.action === 'force' ? ' (forceNewDeployment)' : ''}`, awsId: name, since });
    const id = await updateService(taskDefinition, plan.action === 'force' || taskDefinition === plan.current.taskDefinitionArn).catch((err: unknown) => {
      throw asThreeTierError(svcNode, 'update', err);
    });
    if (id) {
      record = { ...record, deploymentId: id };
      store.setDeployment(record);
    }
  }
  result.changed = true;
  result.taskDefinitionArn = record.taskDefinitionArn;
  result.image = record.image;

  const outcome = await watchRollout(
    svcCtx,
    { cluster, service: name, taskDefinitionArn: record.taskDefinitionArn, ...(record.deploymentId ? { deploymentId: record.deploymentId } : {}), ...(targetGroupArn ? { targetGroupArn } : {}) },
    {
      report: (state) => run.emit(svcNode, 'waiting', { detail: state, awsId: name, since }),
      onStopped: (t) => run.message('warn', `task ${t.taskId} of ${revisionOf(record.taskDefinitionArn)} stopped: ${t.reasons}${t.diagnosis ? ` (${t.diagnosis.cause})` : ''}`),
      onDeployment: (id) => {
        record = { ...record, deploymentId: id };
        store.setDeployment(record);
      },
    },
  ).catch((err: unknown) => {
    if (!(err instanceof ThreeTierError && err.code === 'INTERRUPTED')) run.emit(svcNode, 'failed', { detail: err instanceof Error ? err.message : String(err), awsId: name, since });
    throw err;
  });
  result.polls = outcome.polls;
  if (outcome.deploymentId) result.deploymentId = outcome.deploymentId;

  if (outcome.kind === 'completed') {
    // What runs now is what the manifest says: the settings, the image, the revision.
    const td = await describeOnce(svcCtx, described, record.taskDefinitionArn);
    if (record.configImage !== undefined) store.setConfig({ ...store.manifest.config, image: record.configImage });
    store.update('image', 'image', { status: 'ready', identity: { uri: record.image, source: record.source, arch: plan.config.cpuArchitecture }, outputs: { uri: record.image } });
    store.update('task-definition', 'task-definition', {
      status: 'ready',
      identity: { arn: record.taskDefinitionArn, family: td?.family ?? '' },
      outputs: { arn: record.taskDefinitionArn, family: td?.family ?? '', revision: String(td?.revision ?? revisionOf(record.taskDefinitionArn).split(':').pop() ?? '') },
    });
    // A service whose first deployment failed under up is ready now too.
    const svc = store.resource('ecs-service')?.status === 'ready' ? undefined : await describeService(svcCtx, cluster, name);
    if (svc) store.update('ecs-service', 'ecs-service', { status: 'ready', outputs: { name: svc.serviceName ?? name, arn: svc.serviceArn ?? '', cluster: svc.clusterArn ?? '' } });
    store.setDeployment(undefined);
    run.emit(svcNode, 'ready', { detail: `${revisionOf(record.taskDefinitionArn)} deployed, rollout completed`, awsId: name, since });
    result.elapsedMs = Date.now() - run.t0;
    return result;
  }
  throw await failed(run, svcNode, outcome, record, { cluster, name, since, updateService });
}

function causeLines(stopped: readonly StoppedTask[]): string {
  const first = stopped[0];
  if (!first) return '';
  const logged = [...new Set(stopped.flatMap((t) => t.logs))].slice(-2);
  return `; task ${first.taskId} stopped: ${first.reasons}${logged.length ? `; the container logged: ${logged.join(' | ')}` : ''}`;
}

/** A rollout that did not complete: roll back when it is hopeless, clear the record, and say what happened. */
async function failed(
  run: Run,
  svcNode: StackGraphNode,
  outcome: Exclude<RolloutOutcome, { kind: 'completed' }>,
  record: DeploymentRecord,
  s: { cluster: string; name: string; since: number; updateService: (td: string, force: boolean) => Promise<string | undefined> },
): Promise<ThreeTierError> {
  const rev = revisionOf(record.taskDefinitionArn);
  const previous = record.previousTaskDefinitionArn;
  const describe = `the service's events: aws ecs describe-services --cluster ${s.cluster} --services ${s.name} --query 'services[0].events[:10]'`;
  let error: ThreeTierError;
  if (outcome.kind === 'hopeless') {
    const canRollBack = previous !== undefined && previous !== record.taskDefinitionArn;
    if (canRollBack) {
      run.emit(svcNode, 'waiting', { detail: `rolling back to ${revisionOf(previous)}: ${outcome.diagnosis.cause}`, awsId: s.name, since: s.since });
      await s.updateService(previous, false).catch((err: unknown) => {
        throw asThreeTierError(svcNode, 'update', err);
      });
    }
    const what = canRollBack
      ? `rolled back to ${revisionOf(previous)} at once (after ${outcome.stopped.length} stopped task(s), without waiting for the circuit breaker); the service keeps running the previous revision`
      : previous === record.taskDefinitionArn
        ? 'not rolled back: the last completed revision is this same one (a forced redeploy), so the circuit breaker stops the deployment while the tasks already running keep serving'
        : 'not rolled back: there is no earlier completed revision; the circuit breaker stops the deployment';
    error = new ThreeTierError('DEPLOY_FAILED', `the deployment of ${rev} cannot succeed: ${outcome.diagnosis.cause}${causeLines(outcome.stopped)}. It was ${what}.`, {
      hints: [...hintsFrom([outcome.diagnosis]), 'fix it, then run three-tier deploy again', describe],
    });
  } else if (outcome.kind === 'breaker') {
    const diagnoses: (Diagnosis | undefined)[] = outcome.stopped.map((t) => t.diagnosis);
    const back = outcome.rolledBackTo
      ? `it rolled the service back to ${revisionOf(outcome.rolledBackTo)}: ${rev} is NOT deployed`
      : 'there was nothing to roll back to: the service has no working deployment';
    error = new ThreeTierError('DEPLOY_ROLLED_BACK', `the circuit breaker failed the deployment of ${rev} (${outcome.reason}); ${back}${causeLines(outcome.stopped)}`, {
      hints: [...hintsFrom(diagnoses), outcome.rolledBackTo ? 'fix the cause, then run three-tier deploy again' : 'fix the cause, then run three-tier deploy again (a new deployment clears the tripped breaker; --force redeploys the current revision)', describe],
    });
  } else {
    error = new ThreeTierError('DEPLOY_SUPERSEDED', `the deployment of ${rev} was replaced by another deployment (${outcome.by}) before it completed: something else deployed to the service meanwhile`, {
      hints: ['see what runs now: three-tier status', describe],
    });
  }
  run.store.setDeployment(undefined);
  run.emit(svcNode, 'failed', { detail: error.message, awsId: s.name, since: s.since });
  return error;
}
