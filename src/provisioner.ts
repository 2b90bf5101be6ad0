import type { AwsClients } from './aws/clients.js';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws/errors.js';
import { interrupted, sleep, type Timing } from './aws/wait.js';
import type { StackConfig } from './config.js';
import { estimateMonthlyCost, type CostEstimate } from './cost.js';
import { ThreeTierError } from './errors.js';
import type { EngineEvent, EventSink, ResourcePhase } from './engine/events.js';
import { executeGraph } from './engine/executor.js';
import { RESOURCE_TAG, STACK_TAG, type Identity, type NodeContext, type Observed, type Outputs } from './engine/kind.js';
import { ManifestStore, readManifest, StackLock, type Manifest, type ManifestResource } from './engine/manifest.js';
import type { ImageSource } from './image.js';
import { consistencyWindowWallMs } from './resources/budgets.js';
import { namesTaken } from './resources/ownership.js';
import { buildStackGraph, stackCriticalPath, type StackGraphNode } from './stack.js';
import { findStrays, sweepStackTagged } from './sweep.js';
import { chooseAvailabilityZones } from './zones.js';

/**
 * The provisioner: `up` creates or resumes the stack, `destroy` tears it down, `plan` says what `up` would do.
 * It never prints, prompts or exits: progress goes to the event sink, results are returned, failures are thrown as
 * ThreeTierError. Every change is in the manifest before the next AWS call, so a failure or an interruption leaves
 * it true, and the next run continues from there.
 */
export interface ProvisionerOptions {
  config: StackConfig;
  clients: AwsClients;
  manifestPath: string;
  events: EventSink;
  signal: AbortSignal;
  timing: Timing;
  /** Nodes worked on at once (default 8). */
  concurrency?: number;
  /** Where the stack lives when it is not real AWS (the sandbox endpoint), recorded in the manifest. */
  endpoint?: string;
}

export interface UpOptions extends ProvisionerOptions {
  image: ImageSource;
}

export interface UpResult {
  stack: string;
  url: string;
  /** Outputs of every resource, by logical id. */
  outputs: Record<string, Outputs>;
  created: string[];
  adopted: string[];
  unchanged: string[];
  elapsedMs: number;
}

export interface DestroyResult {
  stack: string;
  /** What was deleted: logical ids, and `sweep:<type>:<id>` for what only the tag sweep found. */
  deleted: string[];
  /** What is still there (empty on success; otherwise a ThreeTierError is thrown naming them). */
  leftovers: string[];
  elapsedMs: number;
}

const DEFAULT_CONCURRENCY = 8;

function hasIdentity(r: Readonly<ManifestResource> | undefined): r is Readonly<ManifestResource> & { identity: Identity } {
  return !!r?.identity && Object.values(r.identity).some((v) => v !== '');
}

function awsIdOf(identity: Identity | undefined): string | undefined {
  if (!identity) return undefined;
  return Object.values(identity).find((v) => v !== '');
}

function isInterruption(err: unknown): boolean {
  return (err instanceof ThreeTierError && err.code === 'INTERRUPTED') || (err instanceof Error && err.name === 'AbortError');
}

/** Every error leaves the core typed: an AWS error is named with the resource it hit and what to try. */
function asThreeTierError(node: { id: string; kind: { kind: string } }, action: 'create' | 'delete', err: unknown): ThreeTierError {
  if (err instanceof ThreeTierError) return err;
  const code = awsErrorCode(err) ?? 'Error';
  if (isCredentialsError(err)) {
    return new ThreeTierError('AWS_CREDENTIALS', `AWS refused the credentials while working on ${node.id}: ${code}: ${errorMessage(err)}`, {
      cause: err,
      hints: ['check the profile or the environment variables (aws sts get-caller-identity), then run the same command again'],
    });
  }
  return new ThreeTierError('AWS_ERROR', `${action === 'create' ? 'creating' : 'deleting'} ${node.id} (${node.kind.kind}) failed: ${code}: ${errorMessage(err)}`, {
    cause: err,
    hints: ['run the same command again: it continues from where it stopped', 'if it fails the same way, the message above names what AWS refused'],
  });
}

/** The immutable parts of a stack: changing them means a new stack. */
function checkCompatible(recorded: Manifest | undefined, config: StackConfig, path: string): void {
  if (!recorded) return;
  const problems: string[] = [];
  if (recorded.region !== config.region) problems.push(`region ${recorded.region} (now ${config.region})`);
  if (recorded.config.vpcCidr !== config.vpcCidr) problems.push(`VPC CIDR ${recorded.config.vpcCidr} (now ${config.vpcCidr})`);
  if (problems.length) {
    throw new ThreeTierError('STACK_CONFIG_CONFLICT', `the stack ${config.stack} was created with ${problems.join(' and ')}; these cannot change in place`, {
      kind: 'usage',
      hints: ['run up with the original values', `or destroy the stack first (three-tier destroy --stack ${config.stack} --manifest ${path})`],
    });
  }
}

class Run {
  readonly t0 = Date.now();
  /** Aborted on the first failure of `up`, so that other nodes stop waiting (what they made is recorded). */
  readonly stop = new AbortController();
  readonly signal: AbortSignal;

  constructor(
    readonly opts: ProvisionerOptions,
    readonly store: ManifestStore,
    readonly config: StackConfig,
  ) {
    this.signal = AbortSignal.any([opts.signal, this.stop.signal]);
  }

  emit(node: { id: string; kind: { kind: string } }, phase: ResourcePhase, extra: { detail?: string; awsId?: string; since?: number } = {}): void {
    const event: EngineEvent = { type: 'resource', id: node.id, kind: node.kind.kind, phase, at: Date.now() };
    if (extra.detail !== undefined) event.detail = extra.detail;
    if (extra.awsId !== undefined) event.awsId = extra.awsId;
    if (extra.since !== undefined) event.elapsedMs = Date.now() - extra.since;
    this.opts.events(event);
  }

  message(level: 'info' | 'warn', text: string): void {
    this.opts.events({ type: 'message', level, text, at: Date.now() });
  }

  context(node: StackGraphNode, since: number): NodeContext {
    const { store, config, opts } = this;
    return {
      id: node.id,
      config,
      clients: opts.clients,
      timing: opts.timing,
      signal: this.signal,
      outputsOf: (id) => store.resource(id)?.outputs ?? {},
      recorded: () => store.resource(node.id),
      record: (change) => store.update(node.id, node.kind.kind, change),
      tags: () => [
        { Key: STACK_TAG, Value: config.stack },
        { Key: RESOURCE_TAG, Value: node.id },
      ],
      progress: (phase, detail) => this.emit(node, phase, { detail, since }),
      events: opts.events,
    };
  }
}

// ---------------------------------------------------------------- up

async function converge(run: Run, node: StackGraphNode, ctx: NodeContext, since: number, tally: UpResult): Promise<void> {
  const { store } = run;
  const kind = node.kind;
  const rec = store.resource(node.id);

  const finish = async (identity: Identity): Promise<void> => {
    run.emit(node, 'waiting', { detail: 'waiting until it is ready', awsId: awsIdOf(identity) ?? '', since });
    const outputs = await kind.waitReady(ctx, identity);
    store.update(node.id, kind.kind, { status: 'ready', outputs });
    run.emit(node, 'ready', { awsId: awsIdOf(store.resource(node.id)?.identity) ?? '', since });
  };

  if (hasIdentity(rec)) {
    const observed = await readSettled(run, node, ctx, rec);
    if (observed) {
      if (observed.ready) {
        const wasReady = rec.status === 'ready';
        store.update(node.id, kind.kind, { status: 'ready', outputs: observed.outputs });
        run.emit(node, wasReady ? 'unchanged' : 'adopted', { detail: observed.state, awsId: awsIdOf(rec.identity) ?? '', since });
        (wasReady ? tally.unchanged : tally.adopted).push(node.id);
        return;
      }
      run.emit(node, 'adopted', { detail: `recorded, ${observed.state}`, awsId: awsIdOf(rec.identity) ?? '', since });
      tally.adopted.push(node.id);
      await finish(rec.identity);
      return;
    }
    // Gone since the last run: forget it (and its idempotency token, which would name the old one) and make anew.
    run.message('warn', `${node.id}: the recorded ${kind.kind} ${awsIdOf(rec.identity) ?? ''} no longer exists; creating it again`);
    store.update(node.id, kind.kind, { status: 'creating', identity: undefined, token: undefined, outputs: undefined });
  }

  const found = await kind.find?.(ctx);
  if (found) {
    store.update(node.id, kind.kind, { status: 'created', identity: found });
    const observed = await kind.read(ctx, found);
    if (observed?.ready) {
      store.update(node.id, kind.kind, { status: 'ready', outputs: observed.outputs });
      run.emit(node, 'adopted', { detail: `found by its tags or name: ${observed.state}`, awsId: awsIdOf(found) ?? '', since });
      tally.adopted.push(node.id);
      return;
    }
    run.emit(node, 'adopted', { detail: `found by its tags or name${observed ? `: ${observed.state}` : ''}`, awsId: awsIdOf(found) ?? '', since });
    tally.adopted.push(node.id);
    await finish(found);
    return;
  }

  store.update(node.id, kind.kind, { status: 'creating' });
  run.emit(node, 'creating', { detail: node.title, since });
  const identity = await kind.create(ctx);
  store.update(node.id, kind.kind, { status: 'created' });
  tally.created.push(node.id);
  await finish(identity);
}

/**
 * Read a recorded resource. Right after a create, AWS can answer NotFound to every describe, by id or by tag
 * (eventual consistency): a resource recorded moments ago (an interrupted run, re-run at once) that reads as gone
 * is read again until the consistency budget since it was recorded has passed. Only then is it gone, and made anew.
 */
async function readSettled(run: Run, node: StackGraphNode, ctx: NodeContext, rec: Readonly<ManifestResource> & { identity: Identity }): Promise<Observed | undefined> {
  const recordedAt = Date.parse(rec.updatedAt);
  const windowMs = consistencyWindowWallMs(run.opts.timing.scale);
  for (;;) {
    const observed = await node.kind.read(ctx, rec.identity);
    if (observed || !(Date.now() - recordedAt < windowMs)) return observed;
    run.emit(node, 'waiting', { detail: `${awsIdOf(rec.identity) ?? node.id} was recorded moments ago and is not visible yet` });
    await sleep(run.opts.timing.pollMs, ctx.signal);
  }
}

/**
 * A resource created moments ago (an `up` interrupted and a `destroy` run at once) can still answer NotFound to
 * its describe and its delete, which would pass for "already gone" and leave it behind: wait out the consistency
 * window since its record was made before deleting it.
 */
async function settleBeforeDelete(run: Run, node: StackGraphNode, ctx: NodeContext, rec: Readonly<ManifestResource>): Promise<void> {
  const windowMs = consistencyWindowWallMs(run.opts.timing.scale);
  const left = windowMs - (Date.now() - Date.parse(rec.createdAt));
  if (left <= 0) return;
  run.emit(node, 'waiting', { detail: 'created moments ago: waiting until AWS shows it everywhere before deleting it' });
  await sleep(left, ctx.signal);
}

/**
 * Before anything is created: a resource that holds one of the stack's derived names but is not the stack's (no
 * stack tag) would make `up` fail halfway, or worse, be adopted. Say so first, and create nothing.
 */
async function refuseTakenNames(opts: UpOptions, recorded: Manifest | undefined): Promise<void> {
  const taken: { kind: string; identity: Identity }[] = [];
  const unknown = buildStackGraph(opts.config, opts.image).filter((node) => node.kind.foreign && !hasIdentity(recorded?.resources[node.id]));
  await Promise.all(
    unknown.map(async (node) => {
      const ctx: NodeContext = {
        id: node.id,
        config: opts.config,
        clients: opts.clients,
        timing: opts.timing,
        signal: opts.signal,
        outputsOf: () => ({}),
        recorded: () => undefined,
        record: () => undefined,
        tags: () => [
          { Key: STACK_TAG, Value: opts.config.stack },
          { Key: RESOURCE_TAG, Value: node.id },
        ],
        progress: () => undefined,
        events: opts.events,
      };
      for (const identity of (await node.kind.foreign?.(ctx)) ?? []) taken.push({ kind: node.kind.kind, identity });
    }),
  );
  if (taken.length > 0) throw namesTaken(opts.config.stack, taken);
}

/**
 * Create the stack, or continue it: each resource the manifest knows is read and adopted if it still exists;
 * one it does not know is looked for by tags or derived name; only then is it created. Returns the URL.
 */
export async function up(opts: UpOptions): Promise<UpResult> {
  const lock = StackLock.acquire(opts.manifestPath, 'up');
  try {
    const recorded = readManifest(opts.manifestPath);
    checkCompatible(recorded, opts.config, opts.manifestPath);
    await refuseTakenNames(opts, recorded);
    const store = ManifestStore.open(opts.manifestPath, opts.endpoint === undefined ? { config: opts.config } : { config: opts.config, endpoint: opts.endpoint });
    const zones =
      recorded?.config.availabilityZones ??
      opts.config.availabilityZones ??
      (await chooseAvailabilityZones(opts.clients).catch((err: unknown) => {
        throw asThreeTierError({ id: 'availability-zones', kind: { kind: 'zones' } }, 'create', err);
      }));
    const config: StackConfig = { ...opts.config, availabilityZones: zones };
    store.setConfig(config);

    const run = new Run(opts, store, config);
    const nodes = buildStackGraph(config, opts.image);
    const tally: UpResult = { stack: config.stack, url: '', outputs: {}, created: [], adopted: [], unchanged: [], elapsedMs: 0 };
    for (const node of nodes) run.emit(node, 'planned', { detail: node.title });
    const priority = new Map(nodes.map((x) => [x.id, x.priority ?? 0]));

    try {
      await executeGraph(
        nodes,
        async (node) => {
          const since = Date.now();
          const ctx = run.context(node, since);
          try {
            await converge(run, node, ctx, since, tally);
          } catch (err) {
            if (opts.signal.aborted && isInterruption(err)) {
              run.emit(node, 'failed', { detail: 'interrupted', since });
              throw err;
            }
            if (run.stop.signal.aborted && isInterruption(err)) {
              // Another resource failed: stop waiting here; what this node made is recorded for the next run.
              run.emit(node, 'skipped', { detail: 'stopped waiting: another resource failed', since });
              return;
            }
            const error = asThreeTierError(node, 'create', err);
            store.update(node.id, node.kind.kind, { status: 'failed', error: error.message.slice(0, 2000) });
            run.emit(node, 'failed', { detail: error.message, since });
            run.stop.abort();
            throw error;
          }
        },
        { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY, direction: 'create', signal: opts.signal, priority: (id) => priority.get(id) ?? 0 },
      );
    } catch (err) {
      if (opts.signal.aborted) throw interrupted();
      throw err;
    }
    if (opts.signal.aborted) throw interrupted();

    for (const node of nodes) tally.outputs[node.id] = { ...(store.resource(node.id)?.outputs ?? {}) };
    tally.url = tally.outputs['load-balancer']?.['url'] ?? '';
    tally.elapsedMs = Date.now() - run.t0;
    return tally;
  } finally {
    lock.release();
  }
}

// ---------------------------------------------------------------- destroy

function sameResource(a: Identity, b: Identity): boolean {
  const key = Object.keys(a)[0];
  return key !== undefined && a[key] !== undefined && a[key] === b[key];
}

/**
 * Tear the stack down in reverse dependency order (docs/aws-facts.md "Deletion order and its traps"), deleting for
 * each resource what the manifest knows and whatever else carries its tags or derived name; then sweep EC2 by the
 * stack tag for anything left, and check that nothing of the stack remains. The manifest is removed only then.
 */
export async function destroy(opts: ProvisionerOptions): Promise<DestroyResult> {
  const lock = StackLock.acquire(opts.manifestPath, 'destroy');
  try {
    // An existing manifest (of this stack: open checks) brings the config the stack was made with.
    const store = ManifestStore.open(opts.manifestPath, { config: opts.config });
    const config: StackConfig = { ...store.manifest.config };
    const run = new Run(opts, store, config);
    const nodes = buildStackGraph(config);
    const deleted: string[] = [];
    // EC2 resources with the stack tag that no node accounts for join the graph, deleted before what they sit in.
    const strays = await findStrays(run.context(sweepNode, Date.now()), nodes);
    const preset = new Map<string, Identity[]>();
    for (const s of strays) {
      preset.set(s.id, [s.identity]);
      run.message('warn', `${s.label} carries the stack's tag but is not one of its resources: deleting it too`);
    }
    const graph: StackGraphNode[] = [...nodes, ...strays.map((s) => ({ id: s.id, kind: s.kind, dependsOn: s.dependsOn, estimateMs: 0, title: s.label }))];

    try {
      await executeGraph(
        graph,
        async (node) => {
          const since = Date.now();
          const ctx = run.context(node, since);
          try {
            const rec = store.resource(node.id);
            if (hasIdentity(rec)) await settleBeforeDelete(run, node, ctx, rec);
            const targets: Identity[] = hasIdentity(rec) ? [rec.identity] : [];
            for (const f of [...(preset.get(node.id) ?? []), ...(await node.kind.findAll(ctx))]) if (!targets.some((t) => sameResource(f, t))) targets.push(f);
            if (targets.length === 0) {
              if (rec) store.forget(node.id);
              run.emit(node, 'gone', { detail: 'nothing to delete', since });
              return;
            }
            store.update(node.id, node.kind.kind, { status: 'deleting' });
            for (const identity of targets) {
              run.emit(node, 'deleting', { awsId: awsIdOf(identity) ?? '', since });
              await node.kind.delete(ctx, identity);
              await node.kind.waitGone(ctx, identity);
            }
            store.forget(node.id);
            deleted.push(node.id);
            run.emit(node, 'gone', { awsId: awsIdOf(targets[0]) ?? '', since });
          } catch (err) {
            if (opts.signal.aborted && isInterruption(err)) {
              run.emit(node, 'failed', { detail: 'interrupted', since });
              throw err;
            }
            const error = asThreeTierError(node, 'delete', err);
            store.update(node.id, node.kind.kind, { status: 'failed', error: error.message.slice(0, 2000) });
            run.emit(node, 'failed', { detail: error.message, since });
            throw error;
          }
        },
        { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY, direction: 'delete', signal: opts.signal },
      );
    } catch (err) {
      if (opts.signal.aborted) throw interrupted();
      throw err;
    }
    if (opts.signal.aborted) throw interrupted();

    const sweep = await sweepStackTagged(run.context(sweepNode, Date.now()), (phase, id, detail) =>
      run.emit({ id, kind: { kind: 'sweep' } }, phase, detail === undefined ? {} : { detail }),
    );
    deleted.push(...sweep.deleted);
    const leftovers = [...sweep.leftovers];
    for (const node of nodes) {
      const ctx = run.context(node, Date.now());
      for (const f of await node.kind.findAll(ctx)) leftovers.push(`${node.id} (${awsIdOf(f) ?? '?'})`);
    }
    const result: DestroyResult = { stack: config.stack, deleted, leftovers, elapsedMs: Date.now() - run.t0 };
    if (leftovers.length > 0) {
      throw new ThreeTierError('DESTROY_INCOMPLETE', `the stack ${config.stack} is not fully deleted; still there: ${leftovers.join(', ')}`, {
        kind: 'unhealthy',
        hints: ['run three-tier destroy again: it continues, and waits for lingering network interfaces', 'delete what remains in the AWS console if it persists'],
      });
    }
    store.remove();
    return result;
  } finally {
    lock.release();
  }
}

/**
 * A stand-in node for the sweep's context: its tags and outputs are not used, but the waits and retries of the
 * kinds it calls report progress through it, so it needs a kind name.
 */
const sweepNode = { id: 'sweep', kind: { kind: 'sweep' }, dependsOn: [], estimateMs: 0, title: 'sweep by tag' } as unknown as StackGraphNode;

// ---------------------------------------------------------------- plan

export type PlanAction = 'create' | 'resume' | 'verify';

export interface PlanStep {
  id: string;
  kind: string;
  title: string;
  action: PlanAction;
  /** Why this action: what the manifest says. */
  reason: string;
  estimateMs: number;
  billable: boolean;
}

export interface StackPlan {
  stack: string;
  region: string;
  steps: PlanStep[];
  /** Wall time on real AWS with unbounded concurrency for what is left to do, and the path that sets it. */
  criticalPath: { totalMs: number; path: string[] };
  cost: CostEstimate;
  /** Whether a manifest already records part of the stack. */
  existing: boolean;
}

/** Decide the steps from the desired graph and the manifest (pure: no AWS call). */
export function planSteps(nodes: readonly StackGraphNode[], manifest: Pick<Manifest, 'resources'> | undefined): PlanStep[] {
  return nodes.map((node) => {
    const rec = manifest?.resources[node.id];
    let action: PlanAction;
    let reason: string;
    if (!rec || !hasIdentity(rec)) {
      action = 'create';
      reason = rec ? `${rec.status} without an AWS identity: looked for by tags or name, else created` : 'not in the manifest: looked for by tags or name, else created';
    } else if (rec.status === 'ready') {
      action = 'verify';
      reason = `ready since ${rec.updatedAt}: read, and left alone if it is still there`;
    } else {
      action = 'resume';
      reason = `${rec.status} (${awsIdOf(rec.identity)}): adopted and waited for`;
    }
    return { id: node.id, kind: node.kind.kind, title: node.title, action, reason, estimateMs: node.estimateMs, billable: node.billable === true };
  });
}

/** What `up` would do, its remaining time on real AWS and the monthly cost, from the config and the manifest. */
export function plan(opts: { config: StackConfig; manifestPath: string; image?: ImageSource }): StackPlan {
  const recorded = readManifest(opts.manifestPath);
  checkCompatible(recorded, opts.config, opts.manifestPath);
  const nodes = buildStackGraph(opts.config, opts.image);
  const steps = planSteps(nodes, recorded);
  const remaining = new Map(steps.map((s) => [s.id, s.action === 'verify' ? 0 : s.estimateMs]));
  const path = stackCriticalPath(nodes.map((x) => ({ ...x, estimateMs: remaining.get(x.id) ?? 0 })));
  return { stack: opts.config.stack, region: opts.config.region, steps, criticalPath: path, cost: estimateMonthlyCost(opts.config), existing: recorded !== undefined };
}
