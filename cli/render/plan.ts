import type { StackPlan } from '../../src/provisioner.js';

function minutes(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

/** The plan as the user sees it before confirming: what will be created or resumed, how long, what it costs. */
export function formatPlan(plan: StackPlan): string {
  const lines: string[] = [];
  const counts = { create: 0, resume: 0, verify: 0 };
  for (const s of plan.steps) counts[s.action]++;
  lines.push(`Stack "${plan.stack}" in ${plan.region}: ${counts.create} to create, ${counts.resume} to resume, ${counts.verify} to verify.`);
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  for (const s of plan.steps) {
    const mark = s.action === 'create' ? '+' : s.action === 'resume' ? '~' : '=';
    lines.push(`  ${mark} ${s.id.padEnd(width)}  ${s.title}${s.billable ? '  [billed]' : ''}`);
  }
  if (plan.criticalPath.totalMs > 0) {
    lines.push(`Expected time on AWS: about ${minutes(plan.criticalPath.totalMs)} (longest chain: ${plan.criticalPath.path.join(' -> ')}).`);
  }
  lines.push(`Estimated cost while it runs: ${money(plan.cost.hourly)}/hour, about ${money(plan.cost.monthly)}/month (on-demand ${plan.cost.pricesRegion} prices as of ${plan.cost.pricesAsOf}):`);
  const itemWidth = Math.max(...plan.cost.lines.map((l) => l.item.length));
  for (const l of plan.cost.lines) lines.push(`    ${l.item.padEnd(itemWidth)} ${money(l.monthly).padStart(9)}/month${l.estimated ? ' (estimate)' : ''}`);
  if (plan.cost.excludes.length > 0) lines.push(`  Not included: ${plan.cost.excludes.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}
