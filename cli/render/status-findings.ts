import type { StackStatus } from '../../src/status/model.js';
import type { Paint } from './color.js';

/** The second half of the status text: what is wrong with its fix, drift, leaks, the cost, the lock. */
const money = (n: number, digits = 2): string => `$${n.toFixed(digits)}`;

function diagnosisLines(s: StackStatus): string[] {
  if (!s.diagnoses.length) return [];
  return ['What is wrong and how to fix it:', ...s.diagnoses.flatMap((d) => [`  - ${d.cause}`, `    fix: ${d.fix}`])];
}

function driftLines(s: StackStatus): string[] {
  if (!s.drift.length) return [];
  return ['Drift (changed outside three-tier):', ...s.drift.flatMap((d) => [`  - ${d.what}`, `    fix: ${d.fix}`])];
}

function leakLines(s: StackStatus): string[] {
  if (!s.leaks.length) return [];
  return [
    'Leaks (tagged with the stack, unknown to the manifest):',
    ...s.leaks.flatMap((l) => [
      `  - ${l.type} ${l.awsId}${l.resource ? ` (${l.resource})` : ''}: ${l.hourly === undefined ? 'cost unknown' : `${money(l.hourly, 4)}/hour, ${money(l.monthly ?? 0)}/month`}`,
      `    fix: ${l.fix}`,
    ]),
  ];
}

function costLines(s: StackStatus): string[] {
  const c = s.cost;
  const out = [`Cost now: ${money(c.hourly, 4)}/hour, about ${money(c.monthly)}/month (on-demand ${c.pricesRegion} prices as of ${c.pricesAsOf})`];
  if (c.partial) {
    const off = c.lines.filter((l) => l.note).map((l) => `${l.item}: ${l.note}`);
    out.push(`  less than the whole stack (${money(c.fullHourly, 4)}/hour, ${money(c.fullMonthly)}/month): ${off.join('; ')}`);
  }
  if (c.leaksHourly > 0) out.push(`  plus leaks: ${money(c.leaksHourly, 4)}/hour, ${money(c.leaksMonthly)}/month`);
  for (const n of c.notes) out.push(`  ${n}`);
  out.push(`  not included: ${c.excludes.join('; ')}`);
  return out;
}

function errorLines(s: StackStatus): string[] {
  if (!s.errors.length) return [];
  return ['Could not read (the status above is incomplete):', ...s.errors.map((e) => `  - ${e.service}:${e.operation}: ${e.code}: ${e.message}`)];
}

export function formatFindings(s: StackStatus, p: Paint): string[] {
  const lines: string[] = [];
  for (const block of [diagnosisLines(s), driftLines(s), leakLines(s), costLines(s), errorLines(s)]) if (block.length) lines.push(...block, '');
  if (s.lock) lines.push(p.bold(`A change is in progress: a three-tier ${s.lock.command} (pid ${s.lock.pid} on ${s.lock.host}, since ${s.lock.since}) holds the lock.`));
  while (lines.at(-1) === '') lines.pop();
  return lines;
}
