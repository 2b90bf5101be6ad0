import { settingChanges, type SettingChange, type StackConfig } from './config.js';
import { estimateMonthlyCost, type CostEstimate } from './cost.js';
import { interrupted } from './aws/wait.js';
import { ThreeTierError, usageError } from './errors.js';
import { executeGraph } from './engine/executor.js';
import type { Identity, NodeContext, Observed, Outputs } from './engine/kind.js';
import { ManifestStore, type Manifest, type PauseRecord } from './engine/manifest.js';
import { checkImageBeforeUp, type ImageSource } from './image.js';
import { namesTaken } from './resources/ownership.js';
import { checkRestoreSnapshot } from './resources/db-snapshot.js';
import { asThreeTierError, awsIdOf, DEFAULT_CONCURRENCY, hasIdentity, readOnlyContext, readSettled, Run, type ProvisionerOptions } from './run.js';
import type { StackSession } from './session.js';
import { buildStackGraph, stackCriticalPath, type StackGraphNode } from './stack.js';
import { chooseAvailabilityZones, type SkippedZone } from './zones.js';

/**
 * `up` as one plan, applied (DESIGN.md "One plan, applied"): the stack is opened (lock, manifest read once), every
 * resource is observed (read by its recorded identity, or looked for by its tags or name), a plan value says for
 * each one what will happen and why, with the settings that change (old -> new) and the cost before and after; the
 * CLI renders and confirms it; `applyUp` carries out exactly that plan and records each step in the manifest.
 */
export type StepAction = 'create' | 'adopt' | 'resume' | 'update' | 'none';

export interface PlanStep {
  id: string;
  kind: string;
  title: string;
  action: StepAction;
  /** Why: what the manifest and AWS said. */
  reason: string;
  /** The settings whose change this step carries out. */
  changes: SettingChange[];
  awsId?: string;
  estimateMs: number;
  billable: boolean;
}

/** What the plan saw of one resource; `applyUp` starts from it instead of reading again. */
export interface NodeObservation {
  /** manifest: recorded and still there; found: by tags or name; absent: looked for, not there; unobserved: what it needs does not exist yet. */
  source: 'manifest' | 'found' | 'absent' | 'unobserved';
  identity?: Identity;
  observed?: Observed;
  /** The manifest knew it, and AWS no longer has it. */
  recordedGone?: boolean;
}

export interface UpPlan {
  command: 'up';
  stack: string;
  region: string;
  /** The settings the stack will have (zones included). */
  config: StackConfig;
  /** The settings recorded before this run, for an existing stack. */
  recordedConfig?: StackConfig;
  /** Whether a manifest already records part of the stack. */
  existing: boolean;
  steps: PlanStep[];
  /** Every setting that changes, old -> new. */
  changes: SettingChange[];
  /** Wall time on real AWS with unbounded concurrency for what is left to do, and the path that sets it. */
  criticalPath: { totalMs: number; path: string[] };
  cost: CostEstimate;
  costBefore?: CostEstimate;
  /**
   * The availability zones, and whether this run chose them (they are kept once recorded); when chosen now, their
   * zone ids, the zones left out and why, and what was checked.
   */
  zones: { names: string[]; chosenNow: boolean; ids?: string[]; skipped?: SkippedZone[]; why?: string };
  /** Things the user should know before confirming. */
  notes: string[];
  observations: Record<string, NodeObservation>;
  /** Resources created from a snapshot, by logical id (resume of a deep pause: the cache). */
  restore?: Record<string, string>;
}

/** How `planUp` is asked: `resume` plans over a paused stack (src/resume.ts), with what to restore. */
export interface PlanUpMode {
  resume?: boolean;
  restore?: Record<string, string>;
}

export interface PlanUpOptions extends ProvisionerOptions {
  image: ImageSource;
}

export interface UpResult {
  stack: string;
  url: string;
  /** Outputs of every resource, by logical id. */
  outputs: Record<string, Outputs>;
  created: string[];
  adopted: string[];
  updated: string[];
  unchanged: string[];
  elapsedMs: number;
}

/** The settings each in-place change touches (the rest of the stack is left alone). */
const TOUCHES: Partial<Record<keyof StackConfig, string[]>> = {
  desiredCount: ['ecs-service'],
  image: ['image', 'task-definition', 'ecs-service'],
  cpuArchitecture: ['image', 'task-definition', 'ecs-service'],
  taskCpu: ['task-definition', 'ecs-service'],
  taskMemory: ['task-definition', 'ecs-service'],
  dbInstanceClass: ['database'],
  cacheNodeType: ['cache'],
};

/** The immutable parts of a stack: changing them means a new stack. */
function refuseImmutable(changes: SettingChange[], config: StackConfig, manifestPath: string): void {
  const fixed = changes.filter((c) => !c.inPlace);
  if (fixed.length === 0) return;
  throw new ThreeTierError(
    'STACK_CONFIG_CONFLICT',
    `the stack ${config.stack} was created with ${fixed.map((c) => `${c.flag} ${c.from} (now ${c.to})`).join(' and ')}; ${fixed.length === 1 ? 'it cannot' : 'these cannot'} change in place`,
    { kind: 'usage', hints: ['run up with the original values', `or destroy the stack first (three-tier destroy --stack ${config.stack} --manifest ${manifestPath})`] },
  );
}

function refusePaused(paused: PauseRecord | undefined, stack: string): void {
  if (!paused) return;
  throw usageError('STACK_PAUSED', `stack "${stack}" is paused (since ${paused.since}${paused.deep ? ', deep' : ''}): up would not change it while it is paused.`, [
    `bring it back with: three-tier resume --stack ${stack}`,
  ]);
}

/** Observe the graph in dependency order, so a node is looked for with what its dependencies hold. */
async function observe(opts: PlanUpOptions, config: StackConfig, recorded: Manifest | undefined, nodes: readonly StackGraphNode[]): Promise<Record<string, NodeObservation>> {
  const seen: Record<string, NodeObservation> = {};
  const outputsOf = (id: string): Outputs => seen[id]?.observed?.outputs ?? recorded?.resources[id]?.outputs ?? {};
  const byId = new Map(nodes.map((n) => [n.id, n]));
  await executeGraph(
    nodes,
    async (node) => {
      const ctx = readOnlyContext(opts, config, node, outputsOf);
      const rec = recorded?.resources[node.id];
      try {
        if (hasIdentity(rec)) {
          const observed = await readSettled(node, ctx, rec, (detail) => opts.events({ type: 'resource', id: node.id, kind: node.kind.kind, phase: 'waiting', detail, at: Date.now() }));
          seen[node.id] = observed ? { source: 'manifest', identity: rec.identity, observed } : { source: 'absent', recordedGone: true, identity: rec.identity };
          return;
        }
        // What it needs does not exist: it cannot exist either (or it is found when it is created).
        if (node.dependsOn.some((d) => seen[d]?.source === 'absent' || seen[d]?.source === 'unobserved')) {
          seen[node.id] = { source: 'unobserved' };
          return;
        }
        const found = await node.kind.find?.(ctx);
        if (!found) {
          seen[node.id] = { source: 'absent' };
          return;
        }
        const observed = await node.kind.read(ctx, found);
        seen[node.id] = observed ? { source: 'found', identity: found, observed } : { source: 'absent' };
      } catch (err) {
        if (err instanceof ThreeTierError && err.code === 'MISSING_INPUT') {
          seen[node.id] = { source: 'unobserved' };
          return;
        }
        throw asThreeTierError(byId.get(node.id) ?? node, 'read', err);
      }
    },
    { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY, direction: 'create', signal: opts.signal },
  );
  return seen;
}

/**
 * Before anything is created: a resource that holds one of the stack's derived names but is not the stack's (no
 * stack tag) would make `up` fail halfway, or worse, be adopted. Say so first, and create nothing.
 */
async function refuseTakenNames(opts: PlanUpOptions, config: StackConfig, recorded: Manifest | undefined, nodes: readonly StackGraphNode[]): Promise<void> {
  const taken: { kind: string; identity: Identity }[] = [];
  const unknown = nodes.filter((node) => node.kind.foreign && !hasIdentity(recorded?.resources[node.id]));
  await Promise.all(
    unknown.map(async (node) => {
      const ctx = readOnlyContext(opts, config, node, () => ({}));
      for (const identity of (await node.kind.foreign?.(ctx)) ?? []) taken.push({ kind: node.kind.kind, identity });
    }),
  );
  if (taken.length > 0) throw namesTaken(config.stack, taken);
}

function stepFor(node: StackGraphNode, seen: NodeObservation | undefined, changes: SettingChange[]): PlanStep {
  const base = { id: node.id, kind: node.kind.kind, title: node.title, estimateMs: node.estimateMs, billable: node.billable === true, changes: [] as SettingChange[] };
  const awsId = awsIdOf(seen?.identity);
  const withId = awsId === undefined ? base : { ...base, awsId };
  const mine = changes.filter((c) => TOUCHES[c.setting]?.includes(node.id));
  if (!seen || seen.source === 'unobserved') return { ...withId, action: 'create', reason: 'what it needs is created first; then it is looked for by its tags or name, else created' };
  if (seen.source === 'absent') {
    return { ...withId, action: 'create', reason: seen.recordedGone ? `the recorded ${node.kind.kind} ${awsId ?? ''} no longer exists: created again` : 'not found by its tags or name' };
  }
  if (mine.length > 0) return { ...withId, action: 'update', changes: mine, reason: mine.map((c) => `${c.flag} ${c.from} -> ${c.to}`).join(', ') };
  const state = seen.observed?.state ?? 'unknown';
  if (seen.source === 'found') return { ...withId, action: 'adopt', reason: `found by its tags or name (${state})` };
  if (seen.observed?.ready) return { ...withId, action: 'none', reason: state };
  return { ...withId, action: 'resume', reason: `${state}: waited for until it is ready` };
}

/** Compute what `up` will do. Reads AWS, changes nothing. */
export async function planUp(session: StackSession, opts: PlanUpOptions, mode: PlanUpMode = {}): Promise<UpPlan> {
  const recorded = session.recorded;
  const recordedConfig = recorded?.config;
  const changes = recordedConfig ? settingChanges(recordedConfig, opts.config) : [];
  refuseImmutable(changes, opts.config, session.manifestPath);
  if (mode.resume !== true) refusePaused(recorded?.paused, opts.config.stack);
  // up would roll the service back to the revision its settings name, under a deploy that has not finished.
  if (recorded?.deployment) {
    throw usageError('DEPLOY_IN_FLIGHT', `a deploy of stack "${opts.config.stack}" (${recorded.deployment.image}, started ${recorded.deployment.startedAt}) has not finished: ${mode.resume === true ? 'resume' : 'up'} would undo it. Nothing was changed.`, [
      `finish it first: three-tier deploy --stack ${opts.config.stack} (it continues watching that deployment)`,
    ]);
  }
  const notes: string[] = [];

  const recordedZones = recordedConfig?.availabilityZones ?? opts.config.availabilityZones;
  const chosen = recordedZones
    ? undefined
    : await chooseAvailabilityZones(opts.clients, opts.config).catch((err: unknown) => {
        throw asThreeTierError({ id: 'availability-zones', kind: { kind: 'zones' } }, 'read', err);
      });
  const zones = recordedZones ?? chosen?.names ?? [];
  let config: StackConfig = { ...opts.config, availabilityZones: [...zones] as [string, string] };

  const nodes = buildStackGraph(config, opts.image);
  await refuseTakenNames(opts, config, recorded, nodes);
  const observations = await observe(opts, config, recorded, nodes);

  // A restore only makes a new database; the snapshot is checked before anything is created.
  if (config.dbSnapshot !== undefined && config.dbSnapshot !== recordedConfig?.dbSnapshot) {
    if (observations['database']?.source === 'manifest' || observations['database']?.source === 'found') {
      throw usageError('DATABASE_EXISTS', `stack "${config.stack}" already has its database; --from-snapshot only applies when up creates the database.`, [
        `to bring the snapshot's data back, destroy the stack first (three-tier destroy --stack ${config.stack}), then run up --from-snapshot ${config.dbSnapshot}`,
      ]);
    }
    config = await checkRestoreSnapshot(opts.clients, config, config.dbSnapshot);
    notes.push(`the database is restored from the snapshot ${config.dbSnapshot} (PostgreSQL ${config.dbEngineVersion}, ${config.dbAllocatedStorage} GB)`);
  }

  const steps = nodes.map((node) => stepFor(node, observations[node.id], changes));
  // An image that already exists is checked before anything is created or changed: it must be there, and offer
  // the tasks' architecture (a build, or the sandbox's stand-in push, makes one of the right architecture).
  if (opts.image.kind === 'existing' && steps.some((s) => s.id === 'image' && s.action !== 'none')) {
    const check = await checkImageBeforeUp(opts.clients, opts.image.uri, config.cpuArchitecture, { signal: opts.signal, ...(opts.image.registry ? { registry: opts.image.registry } : {}) });
    if (!check.checked) notes.push(check.note);
  }

  const remaining = new Map(steps.map((s) => [s.id, s.action === 'none' ? 0 : s.estimateMs]));
  const plan: UpPlan = {
    command: 'up',
    stack: config.stack,
    region: config.region,
    config,
    existing: recorded !== undefined,
    steps,
    changes,
    criticalPath: stackCriticalPath(nodes.map((n) => ({ ...n, estimateMs: remaining.get(n.id) ?? 0 }))),
    cost: estimateMonthlyCost(config),
    zones: chosen
      ? { names: [...zones], chosenNow: true, ids: [...chosen.ids], skipped: chosen.skipped, why: chosen.checked }
      : { names: [...zones], chosenNow: false },
    notes,
    observations,
  };
  if (mode.restore && Object.keys(mode.restore).length > 0) plan.restore = { ...mode.restore };
  if (recordedConfig) {
    plan.recordedConfig = recordedConfig;
    if (changes.length > 0) plan.costBefore = estimateMonthlyCost(recordedConfig);
  }
  return plan;
}

/** Whether applying the plan changes anything (a plan of only `none` steps is a complete, unchanged stack). */
export function planChangesSomething(plan: { steps: readonly { action: string }[] }): boolean {
  return plan.steps.some((s) => s.action !== 'none');
}

/** Nodes whose step is `none` but that depend, directly or not, on a step that changes something: read again. */
function recheckSet(nodes: readonly StackGraphNode[], steps: readonly PlanStep[]): Set<string> {
  const action = new Map(steps.map((s) => [s.id, s.action]));
  const changed = new Set<string>();
  for (const node of nodes) {
    // buildStackGraph returns dependencies before dependents.
    if (action.get(node.id) !== 'none' || node.dependsOn.some((d) => changed.has(d))) changed.add(node.id);
  }
  return new Set([...changed].filter((id) => action.get(id) === 'none'));
}

/**
 * Carry out exactly the plan: each step recorded in the manifest as it happens. `finish` runs once every step is
 * done, with the run's manifest store (resume clears the pause record there).
 */
export async function applyUp(session: StackSession, plan: UpPlan, opts: PlanUpOptions, finish?: (run: Run) => Promise<void>): Promise<UpResult> {
  const store = ManifestStore.over(session.manifestPath, session.recorded, opts.endpoint === undefined ? { config: plan.config } : { config: plan.config, endpoint: opts.endpoint });
  // The settings are recorded first: a run that stops halfway continues towards them.
  store.setConfig(plan.config);
  const run = new Run(opts, store, plan.config, plan.restore ? { restore: plan.restore } : {});
  const nodes = buildStackGraph(plan.config, opts.image);
  const stepOf = new Map(plan.steps.map((s) => [s.id, s]));
  const recheck = recheckSet(nodes, plan.steps);
  const tally: UpResult = { stack: plan.stack, url: '', outputs: {}, created: [], adopted: [], updated: [], unchanged: [], elapsedMs: 0 };
  for (const node of nodes) {
    const step = stepOf.get(node.id);
    const action = step?.action ?? 'create';
    run.emit(node, 'planned', { detail: `${action}: ${node.title}`, awsId: action === 'create' ? '' : (step?.awsId ?? '') });
  }
  const priority = new Map(nodes.map((x) => [x.id, x.priority ?? 0]));

  await run.execute(
    nodes,
    'create',
    'create',
    async (node, ctx, since) => {
      const step = stepOf.get(node.id);
      const seen = plan.observations[node.id];
      await carryOut(run, node, ctx, since, step?.action ?? 'create', seen, recheck.has(node.id), tally);
    },
    (id) => priority.get(id) ?? 0,
  );
  if (finish) await finish(run);

  for (const node of nodes) tally.outputs[node.id] = { ...(store.resource(node.id)?.outputs ?? {}) };
  tally.url = tally.outputs['load-balancer']?.['url'] ?? '';
  tally.elapsedMs = Date.now() - run.t0;
  return tally;
}

async function carryOut(
  run: Run,
  node: StackGraphNode,
  ctx: NodeContext,
  since: number,
  action: StepAction,
  seen: NodeObservation | undefined,
  recheck: boolean,
  tally: UpResult,
): Promise<void> {
  const { store } = run;
  const kind = node.kind;
  const finish = async (identity: Identity, detail = 'waiting until it is ready'): Promise<void> => {
    run.emit(node, 'waiting', { detail, awsId: awsIdOf(identity) ?? '', since });
    const outputs = await kind.waitReady(ctx, identity);
    store.update(node.id, kind.kind, { status: 'ready', outputs });
    run.emit(node, 'ready', { awsId: awsIdOf(store.resource(node.id)?.identity) ?? '', since });
  };
  const identity = seen?.identity;

  if (action === 'none' && identity) {
    const observed = recheck ? await kind.read(ctx, identity) : seen?.observed;
    if (observed?.ready) {
      store.update(node.id, kind.kind, { status: 'ready', identity, outputs: observed.outputs });
      run.emit(node, 'unchanged', { detail: observed.state, awsId: awsIdOf(identity) ?? '', since });
      tally.unchanged.push(node.id);
      return;
    }
    if (observed) {
      // What it depends on changed, and so must it: converge it (a task definition with a new database address).
      run.emit(node, 'waiting', { detail: `updating: ${observed.state}`, awsId: awsIdOf(identity) ?? '', since });
      tally.updated.push(node.id);
      await finish(identity);
      return;
    }
    // Gone since the plan was made: make it anew below.
  }

  if ((action === 'update' || action === 'resume' || action === 'adopt') && identity) {
    store.update(node.id, kind.kind, { status: seen?.observed?.ready ? 'ready' : 'created', identity, ...(seen?.observed ? { outputs: seen.observed.outputs } : {}) });
    if (action === 'update') {
      if (ctx.signal.aborted) throw interrupted();
      run.emit(node, 'waiting', { detail: 'updating in place', awsId: awsIdOf(identity) ?? '', since });
      await kind.update?.(ctx, identity);
      tally.updated.push(node.id);
      await finish(identity);
      return;
    }
    // `adopted` ends a row; a resource that is not ready yet is adopted, then waited for until it is.
    tally.adopted.push(node.id);
    const how = action === 'adopt' ? `found by its tags or name: ${seen?.observed?.state ?? ''}` : `recorded, ${seen?.observed?.state ?? ''}`;
    if (seen?.observed?.ready && action === 'adopt') {
      store.update(node.id, kind.kind, { status: 'ready', outputs: seen.observed.outputs });
      run.emit(node, 'adopted', { detail: how, awsId: awsIdOf(identity) ?? '', since });
      return;
    }
    await finish(identity, `adopted (${how}); waiting until it is ready`);
    return;
  }

  // Create. Forget a recorded identity AWS no longer has (and its idempotency token, which would name the old one).
  if (store.resource(node.id)?.identity || seen?.recordedGone) {
    run.message('warn', `${node.id}: the recorded ${kind.kind} ${awsIdOf(store.resource(node.id)?.identity) ?? ''} no longer exists; creating it again`);
    store.update(node.id, kind.kind, { status: 'creating', identity: undefined, token: undefined, outputs: undefined });
  }
  // What the plan could not look for (its inputs did not exist yet) is looked for now, so no run makes a duplicate.
  if (seen?.source !== 'absent') {
    const found = await kind.find?.(ctx);
    if (found) {
      store.update(node.id, kind.kind, { status: 'created', identity: found });
      tally.adopted.push(node.id);
      await finish(found, 'adopted (found by its tags or name); waiting until it is ready');
      return;
    }
  }
  // Another resource failed (or Ctrl-C) while this one was looking: make nothing new now.
  if (ctx.signal.aborted) throw interrupted();
  store.update(node.id, kind.kind, { status: 'creating' });
  run.emit(node, 'creating', { detail: node.title, since });
  const made = await kind.create(ctx);
  store.update(node.id, kind.kind, { status: 'created' });
  tally.created.push(node.id);
  await finish(made);
}

