import type { Manifest, ResourceStatus } from '../engine/manifest.js';
import type { Health, LockView, StackStatus } from './model.js';
import { expectedShape } from './expected.js';
import { burnRate, costState } from './burn.js';

/**
 * One line of `three-tier list`: a stack's place, state, URL and burn rate. From its manifest alone (no AWS call):
 * what the manifest recorded as ready is taken as running; or from a live status (`list --live`).
 */
export type SummaryState = 'up' | 'partial' | 'failed' | 'empty' | StackStatus['verdict'];

export interface StackSummary {
  stack: string;
  region: string;
  /** sandbox, AWS, or the endpoint URL. */
  where: string;
  state: SummaryState;
  url?: string;
  hourly: number;
  monthly: number;
  manifestPath: string;
  /** From the manifest only, or observed live. */
  source: 'manifest' | 'live';
  lock?: LockView;
}

const RECORDED_HEALTH: Record<ResourceStatus, Health> = { creating: 'absent', created: 'pending', ready: 'ok', deleting: 'missing', deleted: 'missing', failed: 'failed' };

function whereOf(endpoint: string | undefined): string {
  return endpoint === 'sandbox' ? 'sandbox' : (endpoint ?? 'AWS');
}

export function manifestSummary(manifest: Manifest, manifestPath: string, lock: LockView | undefined): StackSummary {
  const e = expectedShape(manifest.stack, manifest.region, manifest);
  const health = (id: string): Health => {
    if (e.paused.has(id)) return 'paused';
    const r = manifest.resources[id];
    if (!r) return 'absent';
    // A create whose answer never came holds no identity: nothing is known to exist.
    if (r.status === 'creating' && !r.identity) return 'absent';
    return RECORDED_HEALTH[r.status];
  };
  const healths = e.nodes.map((n) => health(n.id));
  const running = health('ecs-service') === 'ok' ? e.config.desiredCount : 0;
  const anything = healths.some((h) => h !== 'absent' && h !== 'missing');
  const cost = burnRate(e.config, costState(manifest), { health, running }, 0);
  let state: SummaryState;
  if (lock) state = 'changing';
  else if (manifest.paused) state = 'paused';
  else if (healths.includes('failed')) state = 'failed';
  else if (healths.every((h) => h === 'ok')) state = 'up';
  else state = anything ? 'partial' : 'empty';
  const out: StackSummary = { stack: manifest.stack, region: manifest.region, where: whereOf(manifest.endpoint), state, hourly: cost.hourly, monthly: cost.monthly, manifestPath, source: 'manifest' };
  const url = manifest.resources['load-balancer']?.outputs?.['url'];
  if (url) out.url = url;
  if (lock) out.lock = lock;
  return out;
}

export function liveSummary(s: StackStatus): StackSummary {
  const out: StackSummary = {
    stack: s.stack,
    region: s.region,
    where: whereOf(s.endpoint),
    state: s.verdict,
    hourly: s.cost.hourly + s.cost.leaksHourly,
    monthly: Math.round((s.cost.monthly + s.cost.leaksMonthly) * 100) / 100,
    manifestPath: s.manifestPath,
    source: 'live',
  };
  if (s.url) out.url = s.url;
  if (s.lock) out.lock = s.lock;
  return out;
}
