import type { CostReport, Money } from '../../src/cost-report.js';
import type { CostEstimate, CostLine } from '../../src/cost.js';
import type { PauseRecord } from '../../src/engine/manifest.js';
import { utc } from './when.js';

const perHour = (n: number): string => `$${n.toFixed(4)}`;
const perMonth = (n: number): string => `$${n.toFixed(2)}`;

/** The items a state stops billing, in words, for the savings sentences. */
function stopped(from: CostEstimate, to: CostEstimate): string {
  const gone = to.lines.filter((l, i) => from.lines[i]?.billed === true && !l.billed).map((l) => l.item);
  return gone.length > 0 ? gone.join(', ') : 'nothing more';
}

function billedNow(l: CostLine): string {
  return l.billed ? 'yes' : `no (${l.reason ?? 'not billed'})`;
}

function savingsLine(label: string, report: CostReport, to: CostEstimate, save: Money): string {
  const from = report.recorded ? report.now : report.running;
  return `${label} would leave ${perMonth(to.monthly)}/month billed (${perHour(to.hourly)}/hour), saving ${perMonth(save.monthly)}/month: it stops ${stopped(from, to)}.`;
}

/**
 * The report as a table a person reads: each resource per hour and per month while it runs, whether it is billed
 * now, the totals, what pause and deep pause would save, the final snapshot, and every note on guessed figures.
 */
export function formatCostReport(report: CostReport, where: { manifestPath?: string | undefined; endpoint?: string | undefined; paused?: PauseRecord | undefined }): string {
  const { running, now } = report;
  const out: string[] = [];
  const what = report.recorded ? `recorded in ${where.manifestPath ?? 'its manifest'}` : 'planned, not created';
  const prices = running.fallback ? `${running.pricesRegion} prices (no figures for ${report.region})` : `${running.pricesRegion} prices`;
  out.push(`Stack "${report.stack}" in ${report.region} (${what}): on-demand ${prices} as of ${running.pricesAsOf}.`);
  if (where.endpoint !== undefined) {
    out.push(`It lives in ${where.endpoint === 'sandbox' ? 'the sandbox' : `a simulator at ${where.endpoint}`}: nothing is billed there; these are the figures it would have on AWS.`);
  }
  const itemWidth = Math.max('Total while running'.length, ...running.lines.map((l) => l.item.length + (l.estimated ? 2 : 0)));
  const row = (item: string, hourly: string, monthly: string, billed: string): string => `  ${item.padEnd(itemWidth)}  ${hourly.padStart(9)}  ${monthly.padStart(9)}${billed === '' ? '' : `  ${billed}`}`;
  out.push(row('item', 'per hour', 'per month', report.recorded ? 'billed now' : ''));
  running.lines.forEach((l, i) => {
    const current = now.lines[i] ?? l;
    out.push(row(`${l.item}${l.estimated ? ' *' : ''}`, perHour(l.whenBilled.hourly), perMonth(l.whenBilled.monthly), report.recorded ? billedNow(current) : ''));
  });
  out.push(row('Total while running', perHour(running.hourly), perMonth(running.monthly), ''));
  if (report.recorded) out.push(`Billed now: ${perHour(now.hourly)}/hour, about ${perMonth(now.monthly)}/month.`);
  else out.push('Billed now: nothing; the stack does not exist yet.');
  const paused = where.paused;
  if (paused) {
    out.push(`It is paused${paused.deep ? ' (deep)' : ''} since ${utc(paused.since)}: resume brings it back to ${perMonth(running.monthly)}/month.`);
    if (paused.dbRestartsAt) out.push(`AWS starts its stopped database again on its own on ${utc(paused.dbRestartsAt)}; its instance hours are billed from then until it is stopped again (three-tier pause).`);
  }
  if (report.state === 'running') out.push(savingsLine('Pause (three-tier pause)', report, report.paused, report.savings.pause));
  if (report.state !== 'paused-deep') out.push(`${savingsLine('Deep pause (three-tier pause --deep)', report, report.pausedDeep, report.savings.deep)} The URL changes on resume.`);
  const snap = report.finalSnapshot;
  out.push(`The final database snapshot that destroy keeps: ${snap.basis}, about ${perMonth(snap.monthly)}/month${snap.estimated ? ' (estimate)' : ''}.`);
  const notes = new Set([...running.notes, ...report.paused.notes.filter((n) => !running.notes.includes(n))]);
  if (running.lines.some((l) => l.estimated)) out.push('* estimate: not a confirmed price for this region.');
  for (const n of notes) out.push(`Note: ${n}`);
  out.push(`Not included: ${running.excludes.join('; ')}.`);
  return `${out.join('\n')}\n`;
}
