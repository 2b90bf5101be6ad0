import { errorMessage } from '../../src/aws/errors.js';
import { stackStatus } from '../../src/status/index.js';
import { readLock } from '../../src/status/lock.js';
import { liveSummary, manifestSummary, type StackSummary } from '../../src/status/summary.js';
import { connect, type CommonOptions } from '../aws-context.js';
import { knownStacks, readingTarget, stacksDir, type KnownStack } from '../stacks.js';

/**
 * `three-tier list`: the stacks in `.three-tier/` with their region, place (sandbox or AWS), state, URL and burn
 * rate, from the manifests alone: no AWS call. `--live` observes each stack instead (as `status` does, in parallel).
 */
export interface ListOptions extends Pick<CommonOptions, 'json'> {
  live?: boolean;
}

type Row = StackSummary | { stack: string; manifestPath: string; state: 'unreadable' | 'unknown'; problem: string };

async function live(k: KnownStack): Promise<Row> {
  try {
    const t = await readingTarget({ stack: k.stack, manifestPath: k.manifestPath }, {});
    const aws = await connect({ ...(t.endpointUrl === undefined ? {} : { endpointUrl: t.endpointUrl }), sandbox: t.sandbox, stack: t.stack, region: t.region, manifestPath: t.manifestPath });
    try {
      return liveSummary(await stackStatus({ clients: aws.clients, stack: t.stack, region: t.region, manifestPath: t.manifestPath, manifest: t.manifest, endpoint: t.endpoint }));
    } finally {
      await aws.close();
    }
  } catch (err) {
    return { stack: k.stack, manifestPath: k.manifestPath, state: 'unknown', problem: errorMessage(err) };
  }
}

function table(rows: Row[]): string {
  const cells = rows.map((r) =>
    'problem' in r
      ? [r.stack, '-', '-', r.state, r.problem, '-', '-']
      : [r.stack, r.region, r.where, r.state, r.url ?? '-', `$${r.hourly.toFixed(4)}`, `$${r.monthly.toFixed(2)}`],
  );
  const all = [['STACK', 'REGION', 'WHERE', 'STATE', 'URL', 'PER HOUR', 'PER MONTH'], ...cells];
  const widths = all[0]?.map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length))) ?? [];
  return `${all.map((c) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

export async function runList(opts: ListOptions): Promise<void> {
  const stacks = knownStacks();
  const rows: Row[] = opts.live
    ? await Promise.all(stacks.map(live))
    : stacks.map((k) => (k.manifest ? manifestSummary(k.manifest, k.manifestPath, readLock(k.manifestPath)) : { stack: k.stack, manifestPath: k.manifestPath, state: 'unreadable' as const, problem: k.problem ?? 'unreadable' }));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ directory: stacksDir(), stacks: rows })}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stderr.write(`No stacks in ${stacksDir()}. Create one with three-tier up, or find one by its tags with three-tier status --stack NAME.\n`);
    return;
  }
  process.stdout.write(table(rows));
  if (!opts.live) process.stderr.write('From the manifests (no AWS call); --live reads each stack.\n');
}
