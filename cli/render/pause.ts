import type { CostEstimate } from '../../src/cost.js';
import type { PausePlan, PauseResult, ResumePlan } from '../../src/provisioner.js';
import { formatPlan, money } from './plan.js';
import { utc } from './when.js';

/** How pause and resume plans and results read: what changes, what it costs now and after, what is still billed. */
const MARK: Record<string, string> = { stop: '~', delete: '-', none: '=' };

function since(record: { since: string; deep: boolean }): string {
  return `since ${utc(record.since)}${record.deep ? ', deep' : ''}`;
}

function prices(cost: CostEstimate): string {
  return `${cost.pricesRegion} prices as of ${cost.pricesAsOf}${cost.estimated ? '; some figures are estimates' : ''}`;
}

/** What a paused stack still costs, line by line: every billed item with its monthly figure. */
export function stillBilled(cost: CostEstimate): string[] {
  const billed = cost.lines.filter((l) => l.billed);
  const width = Math.max(0, ...billed.map((l) => l.item.length));
  return [
    `Still billed while it is paused: about ${money(cost.monthly)}/month ($${cost.hourly.toFixed(4)}/hour, ${prices(cost)}):`,
    ...billed.map((l) => `    ${l.item.padEnd(width)} ${money(l.monthly).padStart(9)}/month${l.estimated ? ' (estimate)' : ''}`),
  ];
}

export function formatPausePlan(plan: PausePlan): string {
  const changing = plan.steps.filter((s) => s.action !== 'none');
  const lines: string[] = [];
  if (changing.length === 0 && plan.already && plan.already.deep === plan.deep) {
    lines.push(`Stack "${plan.stack}" in ${plan.region} is already paused (${since(plan.already)}); nothing to change.`);
  } else {
    const kept = plan.steps.length - changing.length;
    lines.push(`Pause stack "${plan.stack}" in ${plan.region}${plan.deep ? ' (deep)' : ''}: ${changing.length} to stop or delete${kept ? `, ${kept} already as pause leaves them` : ''}.`);
    const width = Math.max(...plan.steps.map((s) => s.id.length));
    for (const s of plan.steps) lines.push(`  ${MARK[s.action] ?? '?'} ${s.id.padEnd(width)}  ${s.title}  (${s.reason})`);
    lines.push(`Cost: ${money(plan.cost.before.monthly)}/month now, about ${money(plan.cost.after.monthly)}/month once paused (${prices(plan.cost.after)}).`);
  }
  for (const n of plan.notes) lines.push(`Note: ${n}.`);
  return `${lines.join('\n')}\n`;
}

/** The plan for scripts (`--json`): the steps and the cost, without the raw identities. */
export function pausePlanSummary(plan: PausePlan): Record<string, unknown> {
  return {
    command: plan.command,
    stack: plan.stack,
    region: plan.region,
    deep: plan.deep,
    already: plan.already ?? null,
    steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, action: s.action, reason: s.reason })),
    record: plan.record,
    cost: { before: { hourly: plan.cost.before.hourly, monthly: plan.cost.before.monthly }, after: { hourly: plan.cost.after.hourly, monthly: plan.cost.after.monthly } },
    cacheSnapshot: plan.cacheSnapshot ?? null,
    notes: plan.notes,
  };
}

/** After a pause (or a second pause that changed nothing): what is paused, what still costs money, how to come back. */
export function formatPauseResult(plan: PausePlan, result: PauseResult | undefined, where: { flags: string; simulated: boolean }): string {
  const lines: string[] = [];
  if (result) {
    const did = [result.stopped.length ? `stopped ${result.stopped.join(', ')}` : '', result.deleted.length ? `deleted ${result.deleted.join(', ')}` : ''].filter(Boolean).join('; ');
    lines.push(`Stack "${plan.stack}" is paused (${since(plan.record)}): ${did || 'nothing else to stop'} in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
  } else {
    lines.push(`Stack "${plan.stack}" is already paused (${since(plan.record)}); nothing changed.`);
  }
  lines.push(...stillBilled(plan.cost.after));
  const saved = plan.cost.before.monthly - plan.cost.after.monthly;
  if (result && saved > 0) lines.push(`Pause saves about ${money(saved)}/month (${money(plan.cost.before.monthly)}/month before).`);
  const restarts = result?.dbRestartsAt ?? plan.record.dbRestartsAt;
  if (restarts) {
    const clock = where.simulated ? "; the simulator's time scale shortens the week" : '';
    lines.push(`AWS starts the stopped database again on its own on ${utc(restarts)} (7 days after the stop${clock}): run three-tier pause again then to stop it again.`);
  }
  if (plan.deep && plan.record.url) lines.push(`The URL ${plan.record.url} no longer answers; resume gives the stack a new one.`);
  lines.push(`Bring it back:  npx three-tier resume ${where.flags}`);
  return `${lines.join('\n')}\n`;
}

export function formatResumePlan(plan: ResumePlan): string {
  if (!plan.paused || !plan.up) return `Stack "${plan.stack}" in ${plan.region} is not paused; nothing to resume.\n`;
  const lines = [`Resume stack "${plan.stack}" (paused ${since(plan.paused)}):`, formatPlan(plan.up).trimEnd()];
  lines.push(`Cost: about ${money(plan.cost.before.monthly)}/month while paused, ${money(plan.cost.after.monthly)}/month once resumed (${prices(plan.cost.after)}).`);
  for (const n of plan.notes) lines.push(`Note: ${n}.`);
  return `${lines.join('\n')}\n`;
}
