import { billedResources, costStateOf, estimateCost, type CostEstimate } from './cost.js';
import type { PauseRecord } from './engine/manifest.js';
import { deleteCacheSnapshot, describeCacheSnapshot } from './resources/cache-snapshot.js';
import { readOnlyContext } from './run.js';
import { recordedStack, type StackSession } from './session.js';
import { buildStackGraph } from './stack.js';
import { applyUp, planUp, type PlanUpOptions, type UpPlan, type UpResult } from './up.js';

/**
 * `resume` is `up` on a paused stack (DESIGN.md "One plan, applied"): the same observation and plan over the same
 * graph, where what pause deleted is created again (the NAT gateway and its address; with --deep the load balancer,
 * its listener and the cache, from the snapshot pause took), and what it stopped converges back the way `up`
 * converges anything (the route to the new NAT gateway, the database started, the service scaled back to the count
 * it had, until its targets are healthy). The pause record is cleared only once all of it is done, so a resume that
 * stops halfway is resumed by running it again.
 */
export interface ResumePlan {
  command: 'resume';
  stack: string;
  region: string;
  /** The pause being undone; undefined when the stack is not paused (nothing to do). */
  paused?: PauseRecord;
  /** The plan over the graph (absent when not paused). */
  up?: UpPlan;
  /** What the stack costs now, and once resumed. */
  cost: { before: CostEstimate; after: CostEstimate };
  /** The URL recorded now (a stack that is not paused), or the one it had before a deep pause. */
  url?: string;
  notes: string[];
}

export interface ResumeResult {
  stack: string;
  resumed: boolean;
  url: string;
  up?: UpResult;
  elapsedMs: number;
}

/** What resume does for what pause kept, in the plan's words (up would say "waited for until it is ready"). */
const RESUMED: Record<string, (plan: UpPlan) => string> = {
  'ecs-service': (plan) => `scaled back to ${plan.config.desiredCount} task(s), until its targets are healthy`,
  database: () => 'started (the same instance, its data and endpoint)',
  'route-table-private': () => 'its default route points at the new NAT gateway again',
};

/** Compute what `resume` will do. Reads AWS, changes nothing. */
export async function planResume(session: StackSession, opts: PlanUpOptions): Promise<ResumePlan> {
  const recorded = recordedStack(session, opts.config.stack, 'resume');
  const paused = recorded.paused;
  const present = billedResources(recorded);
  const now = estimateCost(recorded.config, { state: costStateOf(paused), present });
  if (!paused) {
    const url = recorded.resources['load-balancer']?.outputs?.['url'];
    return { command: 'resume', stack: recorded.stack, region: recorded.region, cost: { before: now, after: now }, ...(url ? { url } : {}), notes: [] };
  }
  // The count the service had when it was paused.
  const config = { ...recorded.config, desiredCount: paused.desiredCount };
  const notes: string[] = [];
  const restore: Record<string, string> = {};
  const cacheNode = buildStackGraph(config).find((n) => n.id === 'cache');
  if (paused.cacheSnapshot !== undefined && cacheNode) {
    const snap = await describeCacheSnapshot(readOnlyContext(opts, config, cacheNode, () => ({})), paused.cacheSnapshot);
    if (snap) restore['cache'] = paused.cacheSnapshot;
    else notes.push(`the cache snapshot ${paused.cacheSnapshot} is gone: the cache comes back empty (the API fills it again from the database)`);
  }
  const up = await planUp(session, { ...opts, config }, { resume: true, restore });
  for (const step of up.steps) {
    const words = RESUMED[step.id];
    if (words && step.action === 'resume') step.reason = `${step.reason.split(':')[0] ?? ''}: ${words(up)}`;
  }
  if (paused.deep) notes.push(`the load balancer is created again, at a new address: the stack's URL changes${paused.url ? ` (it was ${paused.url})` : ''}`);
  if (restore['cache']) notes.push(`the cache is created again from the snapshot ${restore['cache']}, which is then deleted`);
  return {
    command: 'resume',
    stack: recorded.stack,
    region: recorded.region,
    paused,
    up,
    cost: { before: now, after: estimateCost(config) },
    ...(paused.url ? { url: paused.url } : {}),
    notes,
  };
}

/** Carry out exactly the plan; the pause record is cleared (and the cache snapshot deleted) once every step is done. */
export async function applyResume(session: StackSession, plan: ResumePlan, opts: PlanUpOptions): Promise<ResumeResult> {
  const t0 = Date.now();
  const { paused, up } = plan;
  if (!paused || !up) return { stack: plan.stack, resumed: false, url: plan.url ?? '', elapsedMs: 0 };
  const result = await applyUp(session, up, { ...opts, config: up.config }, async (run) => {
    const cacheNode = buildStackGraph(up.config).find((n) => n.id === 'cache');
    // The cache holds its data again (or was never deleted): the snapshot would only be billed.
    if (paused.cacheSnapshot !== undefined && cacheNode) await deleteCacheSnapshot(run.context(cacheNode, Date.now()), paused.cacheSnapshot);
    run.store.setPaused(undefined);
  });
  return { stack: plan.stack, resumed: true, url: result.url, up: result, elapsedMs: Date.now() - t0 };
}
