import type { StackConfig } from '../config.js';
import { costStateOf, estimateCost, type CostItemId, type CostState } from '../cost.js';
import type { Manifest } from '../engine/manifest.js';
import type { BurnLine, BurnRate, Health } from './model.js';

/**
 * The burn rate of what runs now, from the cost model (src/cost.ts `estimateCost`, the one `cost`, `pause` and
 * `resume` use): in the stack's state (running, paused, paused deep), each line billed only when its resource is
 * there. Tasks count in proportion to those running, and a database stopped outside a pause bills its storage only.
 * A resource whose state could not be read counts as there, so the figure never reads lower than it may be.
 */
export interface BilledNow {
  /** Health of a node by logical id. */
  health(id: string): Health;
  /** The database's AWS state. */
  databaseState?: string | undefined;
  /** Tasks running now. */
  running: number;
}

export function costState(manifest: Manifest | undefined): CostState {
  return costStateOf(manifest?.paused);
}

const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;

/** Hours in a month as the table counts them: its own ratio of monthly to hourly figures. */
function perMonthOf(line: { hourly: number; monthly: number }): number {
  return line.hourly > 0 ? line.monthly / line.hourly : 730;
}

/** What one of each billed thing costs per hour while it exists (one task, one NAT gateway, ...), for leaks. */
export function unitPrices(config: StackConfig): { hourly: Partial<Record<CostItemId, number>>; perMonth: number } {
  const lines = estimateCost(config).lines;
  const hourly: Partial<Record<CostItemId, number>> = {};
  for (const l of lines) hourly[l.id] = l.id === 'tasks' ? l.whenBilled.hourly / Math.max(1, config.desiredCount) : l.whenBilled.hourly;
  return { hourly, perMonth: perMonthOf(lines[0]?.whenBilled ?? { hourly: 0, monthly: 0 }) };
}

export function burnRate(config: StackConfig, state: CostState, now: BilledNow, leaksHourly: number): BurnRate {
  // The resources whose existence bills a line, as the cost model names them (logical ids of the stack graph).
  const billing = new Set(estimateCost(config).lines.map((l) => l.resource));
  // What a pause took down stays "present": the state says why it is not billed ("deleted by pause", ...).
  const present = new Set([...billing].filter((id) => !['absent', 'missing'].includes(now.health(id))));
  const estimate = estimateCost(config, { state, present });
  const full = estimateCost(config, { state: 'running' });
  // What the estimate bills that is not burning now (tasks not running, a stopped database), taken off its totals:
  // the estimate's own totals are exact, where a sum of rounded line figures drifts by a rounding step per line.
  let offHourly = 0;
  let offMonthly = 0;
  const lines: BurnLine[] = estimate.lines.map((l) => {
    let share = l.billed ? 1 : 0;
    let note = l.reason;
    if (l.billed && l.id === 'tasks' && now.running !== config.desiredCount) {
      share = now.running / Math.max(1, config.desiredCount);
      note = `${now.running} of ${config.desiredCount} task(s) running`;
    }
    if (l.billed && l.id === 'database-instance' && now.databaseState === 'stopped') {
      share = 0;
      note = 'stopped';
    }
    if (l.billed) {
      offHourly += l.whenBilled.hourly * (1 - share);
      offMonthly += l.whenBilled.monthly * (1 - share);
    }
    const line: BurnLine = { item: l.item, hourly: round(l.whenBilled.hourly * share, 4), monthly: round(l.whenBilled.monthly * share, 2), billed: share > 0 };
    if (note !== undefined && share < 1) line.note = note;
    return line;
  });
  const hourly = round(estimate.hourly - offHourly, 4);
  const perMonth = perMonthOf(full);
  return {
    hourly,
    monthly: round(estimate.monthly - offMonthly, 2),
    fullHourly: full.hourly,
    fullMonthly: full.monthly,
    partial: hourly < full.hourly - 1e-9,
    lines,
    leaksHourly: round(leaksHourly, 4),
    leaksMonthly: round(leaksHourly * perMonth, 2),
    pricesAsOf: estimate.pricesAsOf,
    pricesRegion: estimate.pricesRegion,
    excludes: estimate.excludes,
    notes: estimate.notes,
  };
}
