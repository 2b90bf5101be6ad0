import { sleep } from './aws/wait.js';
import type { StackConfig } from './config.js';
import { billedResources, costStateOf, estimateCost } from './cost.js';
import { ThreeTierError } from './errors.js';
import type { Identity, NodeContext } from './engine/kind.js';
import { ManifestStore, manifestMismatch } from './engine/manifest.js';
import { consistencyWindowWallMs } from './resources/budgets.js';
import { deleteCacheSnapshot, describeCacheSnapshot, findPauseSnapshots } from './resources/cache-snapshot.js';
import { settleFinalSnapshots, type KeptSnapshot } from './resources/db-snapshot.js';
import { asThreeTierError, awsIdOf, hasIdentity, readOnlyContext, Run, type ProvisionerOptions } from './run.js';
import type { StackSession } from './session.js';
import { buildStackGraph, type StackGraphNode } from './stack.js';
import { findStrays, sweepStackTagged, type Stray } from './sweep.js';
import { securityGroupKind } from './resources/security-group.js';
import { endpointsInVpc, refuseForeignEndpoints, vpcEndpointKind, type ForeignEndpoint } from './resources/vpc-endpoint.js';

/**
 * `destroy` as a plan, applied: the plan lists what exists of the stack (what the manifest knows, what carries its
 * tags or derived names, and EC2 strays tagged with the stack), the CLI confirms it, and the deletion runs in
 * reverse dependency order (docs/aws-facts.md "Deletion order and its traps"). The database is kept as a final
 * snapshot unless the user says otherwise. Afterwards a sweep by tag checks that nothing of the stack remains; the
 * manifest is removed only then.
 */
export interface DestroyTarget {
  id: string;
  kind: string;
  title: string;
  identities: Identity[];
}

export interface DestroyPlan {
  command: 'destroy';
  stack: string;
  region: string;
  config: StackConfig;
  /** Whether a manifest records the stack. */
  existing: boolean;
  /** What will be deleted, in the graph's terms. */
  targets: DestroyTarget[];
  /** EC2 resources tagged with the stack that no node accounts for: deleted before what they sit in. */
  strays: Stray[];
  /** The database is kept as a final snapshot (the default). */
  finalSnapshot: boolean;
  /** What the stack costs now (paused or not), and so what destroying it stops. */
  monthlySaving: number;
  /** Snapshots `pause --deep` took of the cache: a cache's data, deleted with the stack. */
  cacheSnapshots: string[];
  /**
   * What GuardDuty Runtime Monitoring added to the stack's VPC without the stack's tags (its VPC endpoint and
   * security group): they exist only because the VPC does, and are deleted before it (src/resources/vpc-endpoint.ts).
   */
  foreign: Stray[];
}

export interface DestroyOptions extends ProvisionerOptions {
  /** Keep the database as a final snapshot (default true). */
  finalSnapshot?: boolean;
}

export interface DestroyResult {
  stack: string;
  /** What was deleted: logical ids, and `sweep:<type>:<id>` for what only the tag sweep found. */
  deleted: string[];
  /** What is still there (empty on success; otherwise a ThreeTierError is thrown naming them). */
  leftovers: string[];
  /** The database's kept snapshots (the final one of this destroy, and earlier ones of the stack). */
  snapshots: KeptSnapshot[];
  elapsedMs: number;
}

function sameResource(a: Identity, b: Identity): boolean {
  const key = Object.keys(a)[0];
  return key !== undefined && a[key] !== undefined && a[key] === b[key];
}

/** The stack's config: the manifest's, or (a lost manifest) what the user named. A manifest of another stack is refused. */
function configOf(session: StackSession, wanted: StackConfig): StackConfig {
  const recorded = session.recorded;
  if (recorded && recorded.stack !== wanted.stack) throw manifestMismatch(session.manifestPath, recorded.stack, wanted.stack);
  return recorded ? { ...recorded.config } : wanted;
}

/** What exists of the stack. Reads AWS, changes nothing. */
export async function planDestroy(session: StackSession, opts: DestroyOptions): Promise<DestroyPlan> {
  const config = configOf(session, opts.config);
  const nodes = buildStackGraph(config);
  const targets: DestroyTarget[] = [];
  const recorded = session.recorded;
  await Promise.all(
    nodes.map(async (node) => {
      const ctx = readOnlyContext(opts, config, node, (id) => recorded?.resources[id]?.outputs ?? {});
      const rec = recorded?.resources[node.id];
      const identities: Identity[] = hasIdentity(rec) ? [rec.identity] : [];
      try {
        for (const f of await node.kind.findAll(ctx)) if (!identities.some((t) => sameResource(f, t))) identities.push(f);
      } catch (err) {
        throw asThreeTierError(node, 'read', err);
      }
      if (identities.length > 0 || rec) targets.push({ id: node.id, kind: node.kind.kind, title: node.title, identities });
    }),
  );
  const strays = await findStrays(readOnlyContext(opts, config, { id: 'sweep' }, () => ({})), nodes);
  const cacheSnapshots = await pauseSnapshotsOf(opts, config, recorded?.paused?.cacheSnapshot);
  const vpcIds = [...(targets.find((t) => t.id === 'vpc')?.identities ?? []), ...strays.filter((s) => s.type === 'vpc').map((s) => s.identity)].map((i) => i['vpcId'] ?? '');
  const foreign = await foreignInVpcs(opts, config, [...new Set(vpcIds.filter(Boolean))], nodes);
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  targets.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  if (!recorded && targets.every((t) => t.identities.length === 0) && strays.length === 0 && cacheSnapshots.length === 0) {
    throw new ThreeTierError('NO_SUCH_STACK', `there is no stack named "${config.stack}" in ${config.region}: no manifest at ${session.manifestPath} and nothing tagged three-tier:stack=${config.stack}. Nothing was deleted.`, {
      kind: 'usage',
      hints: ['check the stack name and the region (--region); three-tier list shows the stacks this folder knows'],
    });
  }
  return {
    command: 'destroy',
    stack: config.stack,
    region: config.region,
    config,
    existing: recorded !== undefined,
    targets,
    strays,
    finalSnapshot: opts.finalSnapshot !== false && targets.some((t) => t.id === 'database' && t.identities.length > 0),
    monthlySaving: estimateCost(config, recorded ? { state: costStateOf(recorded.paused), present: billedResources(recorded) } : {}).monthly,
    cacheSnapshots,
    foreign,
  };
}

/**
 * VPC endpoints in the stack's VPCs that three-tier did not make. GuardDuty's (and their security groups) become
 * nodes of the delete graph, deleted after the service (whose tasks made GuardDuty add them) and before the subnets,
 * groups and VPC they block; any other stops destroy here, before anything is deleted.
 */
async function foreignInVpcs(opts: DestroyOptions, config: StackConfig, vpcIds: readonly string[], nodes: readonly StackGraphNode[]): Promise<Stray[]> {
  const ctx = readOnlyContext(opts, config, { id: 'vpc-endpoints' }, () => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  const out: Stray[] = [];
  for (const vpcId of vpcIds) {
    let endpoints: ForeignEndpoint[];
    try {
      endpoints = await endpointsInVpc(ctx, vpcId);
    } catch (err) {
      throw asThreeTierError({ id: 'vpc', kind: { kind: 'vpc-endpoint' } }, 'read', err);
    }
    refuseForeignEndpoints(config.stack, config.region, vpcId, endpoints);
    for (const e of endpoints) {
      const groups = e.guardDutyGroups.map((groupId) => ({
        id: `guardduty:security-group:${groupId}`,
        type: 'security-group',
        kind: securityGroupKind('alb'), // only its delete and waitGone are used, by group id (as the sweep does)
        identity: { groupId },
        label: `security group ${groupId} (GuardDuty's, for its VPC endpoint ${e.id})`,
        dependsOn: ['vpc'].filter((d) => ids.has(d)),
      }));
      out.push(...groups, {
        id: `guardduty:vpc-endpoint:${e.id}`,
        type: 'vpc-endpoint',
        kind: vpcEndpointKind,
        identity: { vpcEndpointId: e.id },
        label: `VPC endpoint ${e.id} (${e.serviceName}, added by GuardDuty Runtime Monitoring)`,
        dependsOn: [...groups.map((g) => g.id), ...['vpc', 'subnet-public-a', 'subnet-public-b', 'subnet-private-a', 'subnet-private-b'].filter((d) => ids.has(d))],
      });
    }
  }
  return out;
}

/** The cache snapshots of the stack's pauses: the one the manifest records, and any other found by name and tag. */
async function pauseSnapshotsOf(opts: DestroyOptions, config: StackConfig, recordedName: string | undefined): Promise<string[]> {
  const ctx = readOnlyContext(opts, config, { id: 'cache' }, () => ({}));
  try {
    const names = await findPauseSnapshots(ctx);
    if (recordedName !== undefined && !names.includes(recordedName) && (await describeCacheSnapshot(ctx, recordedName))) names.push(recordedName);
    return names;
  } catch (err) {
    throw asThreeTierError({ id: 'cache', kind: { kind: 'cache-snapshot' } }, 'read', err);
  }
}

/**
 * A stand-in node for the sweep's context: its tags and outputs are not used, but the waits and retries of the
 * kinds it calls report progress through it, so it needs a kind name.
 */
const sweepNode = { id: 'sweep', kind: { kind: 'sweep' }, dependsOn: [], estimateMs: 0, title: 'sweep by tag' } as unknown as StackGraphNode;

/** Delete what the plan found, in reverse order; then sweep by tag, settle the kept snapshots, remove the manifest. */
export async function applyDestroy(session: StackSession, plan: DestroyPlan, opts: DestroyOptions): Promise<DestroyResult> {
  const store = ManifestStore.over(session.manifestPath, session.recorded, { config: plan.config });
  const run = new Run(opts, store, plan.config, { finalSnapshot: plan.finalSnapshot });
  const nodes = buildStackGraph(plan.config);
  const deleted: string[] = [];
  const planned = new Map(plan.targets.map((t) => [t.id, t.identities]));
  for (const s of plan.strays) {
    planned.set(s.id, [s.identity]);
    run.message('warn', `${s.label} carries the stack's tag but is not one of its resources: deleting it too`);
  }
  const endpoints = plan.foreign.filter((f) => f.type === 'vpc-endpoint');
  for (const f of plan.foreign) {
    planned.set(f.id, [f.identity]);
    if (f.type === 'vpc-endpoint') {
      run.message('warn', `${f.label} is in the stack's VPC without the stack's tags; it exists only because the VPC does: deleting it and its security group after the service`);
    }
  }
  // GuardDuty's endpoint goes after the service whose tasks made GuardDuty add it: the service depends on it.
  const withEndpoints = nodes.map((n) => (n.id === 'ecs-service' && endpoints.length > 0 ? { ...n, dependsOn: [...n.dependsOn, ...endpoints.map((e) => e.id)] } : n));
  const graph: StackGraphNode[] = [
    ...withEndpoints,
    ...[...plan.strays, ...plan.foreign].map((s) => ({ id: s.id, kind: s.kind, dependsOn: s.dependsOn, estimateMs: 0, title: s.label })),
  ];

  const deleteNode = async (node: StackGraphNode, ctx: NodeContext, since: number): Promise<void> => {
    const rec = store.resource(node.id);
    const targets = planned.get(node.id) ?? [];
    if (targets.length === 0) {
      if (rec) store.forget(node.id);
      run.emit(node, 'gone', { detail: 'nothing to delete', since });
      return;
    }
    if (hasIdentity(rec)) await settleBeforeDelete(run, node, rec.createdAt, ctx.signal);
    store.update(node.id, node.kind.kind, { status: 'deleting' });
    for (const identity of targets) {
      run.emit(node, 'deleting', { awsId: awsIdOf(identity) ?? '', since });
      await node.kind.delete(ctx, identity);
      await node.kind.waitGone(ctx, identity);
    }
    store.forget(node.id);
    deleted.push(node.id);
    run.emit(node, 'gone', { awsId: awsIdOf(targets[0]) ?? '', since });
  };
  // What each node's delete failed with: waits that ran out mean AWS is still releasing something (exit 3).
  const failures: unknown[] = [];
  try {
    await run.execute(graph, 'delete', 'delete', async (node, ctx, since) => {
      try {
        await deleteNode(node, ctx, since);
      } catch (err) {
        failures.push(err);
        throw err;
      }
    });
  } catch (err) {
    throw stillReleasing(plan.stack, failures, err) ?? err;
  }

  for (const name of plan.cacheSnapshots) {
    const id = `cache-snapshot:${name}`;
    run.emit({ id, kind: { kind: 'cache-snapshot' } }, 'deleting', { detail: 'the snapshot pause --deep took of the cache' });
    await deleteCacheSnapshot(run.context(sweepNode, Date.now()), name);
    deleted.push(id);
    run.emit({ id, kind: { kind: 'cache-snapshot' } }, 'gone');
  }
  const sweep = await sweepStackTagged(run.context(sweepNode, Date.now()), (phase, id, detail) =>
    run.emit({ id, kind: { kind: 'sweep' } }, phase, detail === undefined ? {} : { detail }),
  );
  deleted.push(...sweep.deleted);
  const leftovers = [...sweep.leftovers];
  for (const node of nodes) {
    const ctx = run.context(node, Date.now());
    for (const f of await node.kind.findAll(ctx)) leftovers.push(`${node.id} (${awsIdOf(f) ?? '?'})`);
  }
  const snapshots = await settleFinalSnapshots(opts.clients, plan.stack);
  const result: DestroyResult = { stack: plan.stack, deleted, leftovers, snapshots, elapsedMs: Date.now() - run.t0 };
  if (leftovers.length > 0) {
    throw new ThreeTierError('DESTROY_INCOMPLETE', `the stack ${plan.stack} is not fully deleted; still there: ${leftovers.join(', ')}`, {
      kind: 'unhealthy',
      hints: ['run three-tier destroy again: it continues, and waits for lingering network interfaces', 'delete what remains in the AWS console if it persists'],
    });
  }
  store.remove();
  return result;
}

/**
 * A delete that failed only because its waits ran out (RETRY_BUDGET_SPENT, WAIT_TIMEOUT: AWS is still releasing
 * something, usually network interfaces) leaves the stack partly deleted: DESTROY_INCOMPLETE, exit 3, as the README
 * says; run destroy again later. Any other failure stays what it is.
 */
function stillReleasing(stack: string, failures: readonly unknown[], err: unknown): ThreeTierError | undefined {
  if (err instanceof ThreeTierError && err.code === 'INTERRUPTED') return undefined;
  const ranOut = (f: unknown): f is ThreeTierError => f instanceof ThreeTierError && (f.code === 'RETRY_BUDGET_SPENT' || f.code === 'WAIT_TIMEOUT');
  if (failures.length === 0 || !failures.every(ranOut)) return undefined;
  return new ThreeTierError('DESTROY_INCOMPLETE', `the stack ${stack} is not fully deleted yet: ${failures.map((f) => (f as ThreeTierError).message).join('; ')}`, {
    kind: 'unhealthy',
    cause: err,
    hints: ['AWS is still releasing resources (network interfaces can take 20 minutes): run three-tier destroy again later; it continues'],
  });
}

/**
 * A resource created moments ago (an `up` interrupted and a `destroy` run at once) can still answer NotFound to
 * its describe and its delete, which would pass for "already gone" and leave it behind: wait out the consistency
 * window since its record was made before deleting it.
 */
async function settleBeforeDelete(run: Run, node: StackGraphNode, createdAt: string, signal: AbortSignal): Promise<void> {
  const windowMs = consistencyWindowWallMs(run.opts.timing.scale);
  const left = windowMs - (Date.now() - Date.parse(createdAt));
  if (left <= 0) return;
  run.emit(node, 'waiting', { detail: 'created moments ago: waiting until AWS shows it everywhere before deleting it' });
  await sleep(left, signal);
}
