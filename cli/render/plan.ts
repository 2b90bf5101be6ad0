import type { CostEstimate } from '../../src/cost.js';
import type { DestroyPlan, UpPlan } from '../../src/provisioner.js';

function minutes(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

export function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

const MARK: Record<string, string> = { create: '+', update: '~', resume: '>', adopt: '>', none: '=' };

function costTable(cost: CostEstimate): string[] {
  const lines = [`Estimated cost while it runs: ${money(cost.hourly)}/hour, about ${money(cost.monthly)}/month (on-demand ${cost.pricesRegion} prices as of ${cost.pricesAsOf}):`];
  const itemWidth = Math.max(...cost.lines.map((l) => l.item.length));
  for (const l of cost.lines) lines.push(`    ${l.item.padEnd(itemWidth)} ${money(l.monthly).padStart(9)}/month${l.estimated ? ' (estimate)' : ''}`);
  for (const n of cost.notes) lines.push(`  Note: ${n}`);
  if (cost.excludes.length > 0) lines.push(`  Not included: ${cost.excludes.join('; ')}.`);
  return lines;
}

/**
 * The plan as the user sees it before confirming. A new stack: every resource, the time and the cost table. An
 * existing one: only what changes (old -> new), what it will resume, and the cost before and after; a complete,
 * unchanged stack says so in one line.
 */
export function formatPlan(plan: UpPlan): string {
  const counts: Record<string, number> = { create: 0, update: 0, resume: 0, adopt: 0, none: 0 };
  for (const s of plan.steps) counts[s.action] = (counts[s.action] ?? 0) + 1;
  const lines: string[] = [];
  const zones = plan.zones.chosenNow ? ` (zones ${plan.zones.names.join(', ')})` : '';
  if (counts['none'] === plan.steps.length) {
    return `Stack "${plan.stack}" in ${plan.region} is complete: ${plan.steps.length} resources, nothing to change. It costs about ${money(plan.cost.monthly)}/month while it runs.\n`;
  }
  const parts = [
    counts['create'] ? `${counts['create']} to create` : '',
    counts['update'] ? `${counts['update']} to update` : '',
    (counts['resume'] ?? 0) + (counts['adopt'] ?? 0) ? `${(counts['resume'] ?? 0) + (counts['adopt'] ?? 0)} to resume` : '',
    counts['none'] ? `${counts['none']} unchanged` : '',
  ].filter(Boolean);
  lines.push(`Stack "${plan.stack}" in ${plan.region}${zones}: ${parts.join(', ')}.`);
  if (plan.zones.chosenNow && plan.zones.why) {
    const ids = plan.zones.ids?.length ? ` (${plan.zones.names.map((n, i) => `${n} is ${plan.zones.ids?.[i] ?? '?'}`).join(', ')})` : '';
    lines.push(`  Zones: the first two ${plan.zones.why}${ids}; kept for the life of the stack.`);
    for (const z of plan.zones.skipped ?? []) lines.push(`    skipped ${z.name} (${z.id}): ${z.why}`);
  }
  for (const c of plan.changes) lines.push(`  ${c.flag.padEnd(18)} ${c.from} -> ${c.to}`);
  const shown = plan.existing ? plan.steps.filter((s) => s.action !== 'none') : plan.steps;
  const width = Math.max(...shown.map((s) => s.id.length));
  for (const s of shown) {
    const why = s.action === 'create' && !plan.existing ? '' : `  (${s.reason})`;
    lines.push(`  ${MARK[s.action] ?? '?'} ${s.id.padEnd(width)}  ${s.title}${s.billable && s.action === 'create' ? '  [billed]' : ''}${why}`);
  }
  for (const n of plan.notes) lines.push(`Note: ${n}.`);
  if (plan.criticalPath.totalMs > 0) {
    lines.push(`Expected time on AWS: about ${minutes(plan.criticalPath.totalMs)} (longest chain: ${plan.criticalPath.path.filter((id) => plan.steps.find((s) => s.id === id)?.action !== 'none').join(' -> ')}).`);
  }
  if (plan.costBefore) {
    lines.push(`Cost while it runs: ${money(plan.costBefore.monthly)}/month now, ${money(plan.cost.monthly)}/month after (${plan.cost.pricesRegion} prices as of ${plan.cost.pricesAsOf}${plan.cost.estimated ? '; some figures are estimates' : ''}).`);
  } else if (!plan.existing) {
    lines.push(...costTable(plan.cost));
  }
  return `${lines.join('\n')}\n`;
}

/** The plan for scripts (`--json`): what will happen and why, without the raw observations. */
export function planSummary(plan: UpPlan): Record<string, unknown> {
  return {
    command: plan.command,
    stack: plan.stack,
    region: plan.region,
    existing: plan.existing,
    zones: plan.zones,
    changes: plan.changes,
    steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, action: s.action, reason: s.reason, ...(s.awsId ? { awsId: s.awsId } : {}), ...(s.changes.length ? { changes: s.changes } : {}) })),
    criticalPathMs: plan.criticalPath.totalMs,
    cost: { hourly: plan.cost.hourly, monthly: plan.cost.monthly, pricesRegion: plan.cost.pricesRegion, pricesAsOf: plan.cost.pricesAsOf, estimated: plan.cost.estimated, notes: plan.cost.notes },
    ...(plan.costBefore ? { costBefore: { hourly: plan.costBefore.hourly, monthly: plan.costBefore.monthly } } : {}),
    notes: plan.notes,
  };
}

/** What destroy will delete, and what it keeps. */
export function formatDestroyPlan(plan: DestroyPlan, snapshotMonthly: number | undefined): string {
  const resources = plan.targets.reduce((n, t) => n + t.identities.length, 0) + plan.strays.length + plan.foreign.length + plan.cacheSnapshots.length;
  const lines = [`Stack "${plan.stack}" in ${plan.region}: ${resources} resource${resources === 1 ? '' : 's'} to delete, in reverse order; this stops about ${money(plan.monthlySaving)}/month.`];
  const width = Math.max(0, ...plan.targets.map((t) => t.id.length));
  for (const t of plan.targets) if (t.identities.length > 0) lines.push(`  - ${t.id.padEnd(width)}  ${t.identities.map((i) => Object.values(i)[0]).join(', ')}`);
  for (const s of plan.strays) lines.push(`  - ${s.label}  (tagged with the stack, not one of its resources)`);
  for (const f of plan.foreign) lines.push(`  - ${f.label}  (not tagged with the stack; it exists only because the stack's VPC does)`);
  for (const name of plan.cacheSnapshots) lines.push(`  - cache snapshot ${name}  (taken by pause --deep)`);
  if (plan.finalSnapshot) {
    lines.push(`The database is kept as a final snapshot${snapshotMonthly === undefined ? '' : ` (about ${money(snapshotMonthly)}/month until you delete it)`}; --skip-final-snapshot deletes it for good.`);
  } else if (plan.targets.some((t) => t.id === 'database' && t.identities.length > 0)) {
    lines.push('The database is deleted for good: no final snapshot (--skip-final-snapshot).');
  }
  return `${lines.join('\n')}\n`;
}
