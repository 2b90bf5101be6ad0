import type { StackConfig } from '../config.js';
import { estimateMonthlyCost, type CostEstimate, type CostLine } from '../cost.js';
import type { BurnLine, BurnRate, Health } from './model.js';

/**
 * The burn rate of what runs now: the cost table's estimate for the whole stack (src/cost.ts, its public function
 * only), each line billed or not according to what exists. A half-built or paused stack costs less and says so;
 * tasks count in proportion to those running. A resource whose state could not be read counts as billed, so the
 * figure never reads lower than it may be.
 */
export type Meter = 'nat' | 'nat-ip' | 'alb' | 'tasks' | 'db-instance' | 'db-storage' | 'secret' | 'cache' | 'other';

/** Which part of the stack a line of the estimate bills, read from its item. */
export function meterOf(line: CostLine): Meter {
  const item = line.item;
  if (/IPv4 address of the NAT/i.test(item)) return 'nat-ip';
  if (/NAT gateway/i.test(item)) return 'nat';
  if (/Load Balancer/i.test(item)) return 'alb';
  if (/Fargate/i.test(item)) return 'tasks';
  // Before the RDS rules: the secret's item names the RDS master password.
  if (/Secrets Manager/i.test(item)) return 'secret';
  if (/RDS.*storage|gp3/i.test(item)) return 'db-storage';
  if (/RDS/i.test(item)) return 'db-instance';
  if (/ElastiCache/i.test(item)) return 'cache';
  return 'other';
}

export function estimateFor(config: StackConfig): CostEstimate {
  return estimateMonthlyCost(config);
}

/** The hourly price of one of each metered thing (one task, one NAT gateway, ...), for leaks, and hours per month. */
export function unitPrices(config: StackConfig): { hourly: Partial<Record<Meter, number>>; perMonth: number } {
  const estimate = estimateFor(config);
  const hourly: Partial<Record<Meter, number>> = {};
  for (const l of estimate.lines) {
    const m = meterOf(l);
    const per = m === 'tasks' ? l.hourly / Math.max(1, config.desiredCount) : l.hourly;
    hourly[m] = (hourly[m] ?? 0) + per;
  }
  return { hourly, perMonth: monthFactor(estimate) };
}

/** Hours in a month as the table counts them. */
function monthFactor(estimate: CostEstimate): number {
  return estimate.hourly > 0 ? estimate.monthly / estimate.hourly : 730;
}

const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;

export interface BilledNow {
  /** Health of a node by logical id. */
  health(id: string): Health;
  /** The database's AWS state (a stopped instance bills its storage only). */
  databaseState?: string | undefined;
  /** Tasks running now. */
  running: number;
}

function billed(m: Meter, now: BilledNow, config: StackConfig, anything: boolean): { share: number; note?: string } {
  const exists = (id: string): boolean => !['missing', 'absent', 'paused'].includes(now.health(id));
  const why = (id: string): string => (now.health(id) === 'paused' ? 'paused' : 'not there');
  const whole = (id: string, ok = exists(id)): { share: number; note?: string } => (ok ? { share: 1 } : { share: 0, note: why(id) });
  switch (m) {
    case 'nat':
      return whole('nat-gateway', exists('nat-gateway') && now.health('nat-gateway') !== 'failed');
    case 'nat-ip':
      return whole('nat-eip');
    case 'alb':
      return whole('load-balancer');
    case 'tasks': {
      const running = now.running;
      const share = running / Math.max(1, config.desiredCount);
      if (share === 1) return { share };
      return { share, note: now.health('ecs-service') === 'paused' ? 'paused' : `${running} of ${config.desiredCount} task(s) running` };
    }
    case 'db-instance':
      if (exists('database') && now.databaseState !== 'stopped') return { share: 1 };
      return { share: 0, note: now.health('database') !== 'paused' && now.databaseState === 'stopped' ? 'stopped' : why('database') };
    case 'db-storage':
    case 'secret':
      return exists('database') || now.databaseState === 'stopped' ? { share: 1 } : { share: 0, note: why('database') };
    case 'cache':
      return whole('cache');
    case 'other':
      return anything ? { share: 1 } : { share: 0, note: 'nothing runs' };
  }
}

export function burnRate(config: StackConfig, now: BilledNow, anything: boolean, leaksHourly: number): BurnRate {
  const estimate = estimateFor(config);
  const lines: BurnLine[] = estimate.lines.map((l) => {
    const b = billed(meterOf(l), now, config, anything);
    const line: BurnLine = { item: l.item, hourly: round(l.hourly * b.share, 4), monthly: round(l.monthly * b.share, 2), billed: b.share > 0 };
    if (b.note) line.note = b.note;
    return line;
  });
  const hourly = round(lines.reduce((s, l) => s + l.hourly, 0), 4);
  const perMonth = monthFactor(estimate);
  return {
    hourly,
    // In proportion to the table's own monthly figure, so that the whole stack reads exactly what `up` quoted.
    monthly: estimate.hourly > 0 ? round((estimate.monthly * hourly) / estimate.hourly, 2) : 0,
    fullHourly: estimate.hourly,
    fullMonthly: estimate.monthly,
    partial: hourly < estimate.hourly - 1e-9,
    lines,
    leaksHourly: round(leaksHourly, 4),
    leaksMonthly: round(leaksHourly * perMonth, 2),
    pricesAsOf: estimate.pricesAsOf,
    pricesRegion: estimate.pricesRegion,
    excludes: estimate.excludes,
  };
}
