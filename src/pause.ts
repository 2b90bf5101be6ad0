import type { StackConfig } from './config.js';
import { billedResources, costStateOf, estimateCost, type CostEstimate } from './cost.js';
import type { Identity, NodeContext } from './engine/kind.js';
import { ManifestStore, type Manifest, type PauseRecord } from './engine/manifest.js';
import { cacheSnapshotName, describeCacheSnapshot, takeCacheSnapshot } from './resources/cache-snapshot.js';
import { databaseStop } from './resources/db-instance.js';
import type { PauseOp, PauseState } from './resources/pause-op.js';
import { defaultRouteRemoval } from './resources/route-table.js';
import { serviceScaleDown } from './resources/service-pause.js';
import { asThreeTierError, awsIdOf, hasIdentity, readOnlyContext, Run, type ProvisionerOptions } from './run.js';
import { recordedStack, type StackSession } from './session.js';
import { buildStackGraph, type StackGraphNode } from './stack.js';

/**
 * `pause` as a plan, applied (DESIGN.md "One plan, applied"): stop paying for what idles while keeping every byte
 * of data. The service is scaled to 0 tasks, the private default route removed, the NAT gateway deleted and its
 * address released, the database stopped; `--deep` also deletes the listener and the load balancer, and the cache
 * after a snapshot of it. The pause record is written before anything changes, so a stack stopped halfway is a
 * paused stack, and each resource is recorded as it is done (what pause deletes is forgotten: resume makes it anew).
 * A second pause finds everything paused and changes nothing.
 */
interface Spec {
  id: string;
  /** What must be paused first: no task runs when its route, its NAT gateway or its database goes. */
  after: string[];
  /** Kept and stopped; without it the resource is deleted. */
  stop?: PauseOp;
  deep?: boolean;
}

const SPECS: readonly Spec[] = [
  { id: 'ecs-service', after: [], stop: serviceScaleDown },
  { id: 'route-table-private', after: ['ecs-service'], stop: defaultRouteRemoval },
  { id: 'nat-gateway', after: ['route-table-private'] },
  { id: 'nat-eip', after: ['nat-gateway'] },
  { id: 'database', after: ['ecs-service'], stop: databaseStop },
  { id: 'listener', after: ['ecs-service'], deep: true },
  { id: 'load-balancer', after: ['listener'], deep: true },
  { id: 'cache', after: ['ecs-service'], deep: true },
];

export interface PauseTarget {
  identity: Identity;
  /** Its AWS state when the plan looked (undefined: gone, or on its way). */
  state?: string;
}

export interface PauseStep {
  id: string;
  kind: string;
  title: string;
  /** stop: kept and stopped (scaled to 0, stopped, route removed); delete: deleted (and forgotten); none: as pause leaves it already. */
  action: 'stop' | 'delete' | 'none';
  /** What it is now and what pause does about it. */
  reason: string;
  targets: PauseTarget[];
}

export interface PausePlan {
  command: 'pause';
  stack: string;
  region: string;
  config: StackConfig;
  /** The pause this plan leaves: deep when asked, or when the stack is deep-paused already. */
  deep: boolean;
  /** The pause already recorded (a second pause, or one that stopped halfway). */
  already?: PauseRecord;
  steps: PauseStep[];
  /** What is recorded before anything changes. */
  record: PauseRecord;
  /** What the stack costs now, and once paused. */
  cost: { before: CostEstimate; after: CostEstimate };
  /** `--deep`: the cache snapshot, and its state now (undefined: not taken yet). */
  cacheSnapshot?: { name: string; state?: string };
  notes: string[];
}

export interface PauseOptions extends ProvisionerOptions {
  /** Also delete the load balancer (and its listener) and the cache (after a snapshot). */
  deep?: boolean;
}

export interface PauseResult {
  stack: string;
  deep: boolean;
  since: string;
  /** When AWS starts the database again on its own. */
  dbRestartsAt?: string;
  stopped: string[];
  deleted: string[];
  elapsedMs: number;
}

function stepsChangeSomething(steps: readonly { action: string }[]): boolean {
  return steps.some((s) => s.action !== 'none');
}

/** Whether applying the plan changes anything: a resource, or the pause record (a first pause, or a deeper one). */
export function pauseChangesSomething(plan: Pick<PausePlan, 'steps' | 'already' | 'deep'>): boolean {
  return stepsChangeSomething(plan.steps) || plan.already === undefined || plan.already.deep !== plan.deep;
}

/** How a resource pause keeps stands: its identity (the manifest's, or found by its tags or name) and its state. */
async function planStop(spec: Spec & { stop: PauseOp }, node: StackGraphNode, ctx: NodeContext, rec: Manifest['resources'][string] | undefined): Promise<{ step: PauseStep; seen?: PauseState }> {
  const base = { id: node.id, kind: node.kind.kind, title: node.title };
  const identity = hasIdentity(rec) ? rec.identity : await node.kind.find?.(ctx);
  const seen = identity ? await spec.stop.read(ctx, identity) : undefined;
  if (!identity || !seen) return { step: { ...base, action: 'none', reason: 'not there: nothing to pause', targets: [] } };
  const targets = [{ identity, state: seen.state }];
  if (seen.paused) return { step: { ...base, action: 'none', reason: seen.state, targets }, seen };
  return { step: { ...base, action: 'stop', reason: `${seen.state}: ${spec.stop.verb}`, targets }, seen };
}

/** Everything of a resource pause deletes: the manifest's and whatever carries its tags or name. */
async function planDelete(node: StackGraphNode, ctx: NodeContext, rec: Manifest['resources'][string] | undefined): Promise<PauseStep> {
  const base = { id: node.id, kind: node.kind.kind, title: node.title };
  const identities: Identity[] = hasIdentity(rec) ? [rec.identity] : [];
  for (const found of await node.kind.findAll(ctx)) if (!identities.some((i) => awsIdOf(i) === awsIdOf(found))) identities.push(found);
  if (identities.length === 0) return { ...base, action: 'none', reason: 'deleted', targets: [] };
  const targets: PauseTarget[] = [];
  for (const identity of identities) {
    const observed = await node.kind.read(ctx, identity);
    targets.push(observed ? { identity, state: observed.state } : { identity });
  }
  const states = targets.map((t) => `${awsIdOf(t.identity) ?? '?'} ${t.state ?? 'being deleted'}`).join(', ');
  return { ...base, action: 'delete', reason: `${states}: deleted`, targets };
}

/** Compute what `pause` will do. Reads AWS, changes nothing. */
export async function planPause(session: StackSession, opts: PauseOptions): Promise<PausePlan> {
  const recorded = recordedStack(session, opts.config.stack, 'pause');
  const config = recorded.config;
  const already = recorded.paused;
  const deep = opts.deep === true || already?.deep === true;
  const nodes = new Map(buildStackGraph(config).map((n) => [n.id, n]));
  const outputsOf = (id: string): Record<string, string> => recorded.resources[id]?.outputs ?? {};
  const steps: PauseStep[] = [];
  let liveCount: number | undefined;
  let restartsAt: string | undefined;
  for (const spec of SPECS.filter((s) => deep || !s.deep)) {
    const node = nodes.get(spec.id);
    if (!node) continue;
    const ctx = readOnlyContext(opts, config, node, outputsOf);
    const rec = recorded.resources[spec.id];
    try {
      if (spec.stop) {
        const { step, seen } = await planStop({ ...spec, stop: spec.stop }, node, ctx, rec);
        steps.push(step);
        if (spec.id === 'ecs-service') liveCount = seen?.desiredCount;
        if (spec.id === 'database') restartsAt = seen?.restartsAt;
      } else {
        steps.push(await planDelete(node, ctx, rec));
      }
    } catch (err) {
      throw asThreeTierError(node, 'read', err);
    }
  }

  const stepOf = (id: string): PauseStep | undefined => steps.find((s) => s.id === id);
  const record: PauseRecord = {
    since: already?.since ?? new Date().toISOString(),
    deep,
    desiredCount: already?.desiredCount ?? (liveCount !== undefined && liveCount > 0 ? liveCount : config.desiredCount),
  };
  const dbRestartsAt = restartsAt ?? already?.dbRestartsAt;
  if (dbRestartsAt !== undefined) record.dbRestartsAt = dbRestartsAt;
  const url = already?.url ?? (deep ? outputsOf('load-balancer')['url'] : undefined);
  if (url) record.url = url;

  const notes: string[] = [];
  let cacheSnapshot: PausePlan['cacheSnapshot'];
  const cacheStep = stepOf('cache');
  if (already?.cacheSnapshot !== undefined || cacheStep?.action === 'delete') {
    const name = already?.cacheSnapshot ?? cacheSnapshotName(config.stack);
    record.cacheSnapshot = name;
    const node = nodes.get('cache');
    const state = node ? (await describeCacheSnapshot(readOnlyContext(opts, config, node, outputsOf), name))?.SnapshotStatus : undefined;
    cacheSnapshot = state === undefined ? { name } : { name, state };
    if (cacheStep?.action === 'delete') cacheStep.reason = cacheStep.reason.replace(/: deleted$/, `: snapshot ${name}${state === 'available' ? ' (taken)' : ''}, then deleted`);
  }

  const db = stepOf('database');
  if (db?.action === 'stop') {
    const restarted = already ? ' AWS started it again after seven days (it was stopped by an earlier pause); it is stopped again now.' : '';
    notes.push(`the database is stopped, not deleted: its data and endpoint stay.${restarted} AWS starts a stopped database again on its own 7 days after it stops (the date is shown once it is stopped); run three-tier pause again then to stop it for another 7 days`);
  }
  if (deep && stepsChangeSomething(steps.filter((s) => s.id === 'load-balancer'))) {
    notes.push(`--deep deletes the load balancer: ${url ? `the URL ${url}` : 'its URL'} stops answering, and resume gives the stack a new URL`);
  }
  if (cacheStep?.action === 'delete' && cacheSnapshot) {
    notes.push(`the cache is kept as the snapshot ${cacheSnapshot.name} (taken before the cache is deleted, restored by resume, billed as backup storage meanwhile)`);
  }
  const present = billedResources(recorded);
  return {
    command: 'pause',
    stack: config.stack,
    region: config.region,
    config,
    deep,
    ...(already ? { already } : {}),
    steps,
    record,
    cost: { before: estimateCost(config, { state: costStateOf(already), present }), after: estimateCost(config, { state: costStateOf(record), present }) },
    ...(cacheSnapshot ? { cacheSnapshot } : {}),
    notes,
  };
}

/** Carry out exactly the plan: the pause record first, then each resource, recorded as it is done. */
export async function applyPause(session: StackSession, plan: PausePlan, opts: PauseOptions): Promise<PauseResult> {
  const store = ManifestStore.over(session.manifestPath, session.recorded, { config: plan.config });
  store.setPaused(plan.record);
  const run = new Run(opts, store, plan.config);
  const all = new Map(buildStackGraph(plan.config).map((n) => [n.id, n]));
  const stepOf = new Map(plan.steps.map((s) => [s.id, s]));
  const specs = SPECS.filter((s) => stepOf.has(s.id));
  const graph = specs.flatMap((s) => {
    const node = all.get(s.id);
    return node ? [{ ...node, dependsOn: s.after.filter((a) => stepOf.has(a)) }] : [];
  });
  const result: PauseResult = { stack: plan.stack, deep: plan.deep, since: plan.record.since, stopped: [], deleted: [], elapsedMs: 0 };
  for (const node of graph) run.emit(node, 'planned', { detail: `${stepOf.get(node.id)?.action ?? 'none'}: ${node.title}` });

  await run.execute(graph, 'create', 'pause', async (node, ctx, since) => {
    const step = stepOf.get(node.id);
    const spec = SPECS.find((s) => s.id === node.id);
    if (!step || !spec || step.action === 'none') {
      run.emit(node, 'unchanged', { detail: step?.reason ?? 'nothing to pause', since });
      return;
    }
    if (step.action === 'stop' && spec.stop) {
      const target = step.targets[0];
      if (!target) return;
      run.emit(node, 'waiting', { detail: `${spec.stop.verb}: ${target.state ?? ''}`, awsId: awsIdOf(target.identity) ?? '', since });
      const done = await spec.stop.pause(ctx, target.identity);
      if (node.id === 'database' && done.restartsAt !== undefined) store.setPaused({ ...plan.record, ...store.manifest.paused, dbRestartsAt: done.restartsAt });
      result.stopped.push(node.id);
      run.emit(node, 'stopped', { detail: done.state, awsId: awsIdOf(target.identity) ?? '', since });
      return;
    }
    await deleteTargets(run, node, ctx, step, plan, since);
    result.deleted.push(node.id);
  });
  const restarts = store.manifest.paused?.dbRestartsAt;
  if (restarts !== undefined) result.dbRestartsAt = restarts;
  result.elapsedMs = Date.now() - run.t0;
  return result;
}

/** Delete what the step found (the cache only once its snapshot is available), then forget it. */
async function deleteTargets(run: Run, node: StackGraphNode, ctx: NodeContext, step: PauseStep, plan: PausePlan, since: number): Promise<void> {
  const { store } = run;
  for (const target of step.targets) {
    // A group already being deleted cannot be snapshotted: an earlier run of this pause took the snapshot first.
    if (node.id === 'cache' && plan.cacheSnapshot && target.state !== undefined && target.state !== 'deleting') {
      await takeCacheSnapshot(ctx, target.identity['id'] ?? '', plan.cacheSnapshot.name);
    }
    store.update(node.id, node.kind.kind, { status: 'deleting' });
    run.emit(node, 'deleting', { awsId: awsIdOf(target.identity) ?? '', since });
    await node.kind.delete(ctx, target.identity);
    await node.kind.waitGone(ctx, target.identity);
  }
  store.forget(node.id);
  run.emit(node, 'gone', { awsId: awsIdOf(step.targets[0]?.identity) ?? '', since });
}
