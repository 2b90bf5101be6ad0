import type { StackConfig } from './config.js';
import { estimateCost, snapshotMonthlyCost, type CostEstimate, type CostState, type SnapshotCost } from './cost.js';

/**
 * Everything `three-tier cost` tells about one stack, computed without any AWS call: what it costs running, what
 * is billed now, what `pause` and `pause --deep` would leave billed and so save, and what the final snapshot that
 * `destroy` keeps would cost per month.
 */
export interface CostReport {
  stack: string;
  region: string;
  /** The stack has a manifest (its resources say what is billed now); otherwise it is planned. */
  recorded: boolean;
  /** The state the stack is in now (planned stacks: running, once built). */
  state: CostState;
  /** The whole stack running: the figure `up` shows. */
  running: CostEstimate;
  /** What is billed now: for a planned stack nothing; for a recorded one, what exists in its state. */
  now: CostEstimate;
  /** What would still be billed after `pause` / `pause --deep`. */
  paused: CostEstimate;
  pausedDeep: CostEstimate;
  /** What pause and deep pause save against now (against running for a planned stack). */
  savings: { pause: Money; deep: Money };
  finalSnapshot: SnapshotCost;
}

export interface Money {
  hourly: number;
  monthly: number;
}

const saved = (from: CostEstimate, to: CostEstimate): Money => ({
  hourly: Math.max(0, Math.round((from.hourly - to.hourly) * 1e4) / 1e4),
  monthly: Math.max(0, Math.round((from.monthly - to.monthly) * 100) / 100),
});

export interface CostReportInput {
  config: StackConfig;
  /** The logical resources that exist (a recorded stack); undefined for a planned stack. */
  present?: ReadonlySet<string>;
  /** The recorded stack's state (default running). */
  state?: CostState;
}

export function costReport(input: CostReportInput): CostReport {
  const { config, present } = input;
  const state = input.state ?? 'running';
  const recorded = present !== undefined;
  const scope = recorded ? { present } : {};
  const running = estimateCost(config, { state: 'running' });
  const now = recorded ? estimateCost(config, { state, present }) : estimateCost(config, { present: new Set() });
  const paused = estimateCost(config, { ...scope, state: 'paused' });
  const pausedDeep = estimateCost(config, { ...scope, state: 'paused-deep' });
  const base = recorded ? now : running;
  return {
    stack: config.stack,
    region: config.region,
    recorded,
    state,
    running,
    now,
    paused,
    pausedDeep,
    savings: { pause: saved(base, paused), deep: saved(base, pausedDeep) },
    finalSnapshot: snapshotMonthlyCost(config),
  };
}
