import { usageError } from '../../src/errors.js';
import type { Manifest } from '../../src/engine/manifest.js';
import { ensureCanBuild } from '../../src/image-build.js';
import { applyResume, planResume, type ResumePlan } from '../../src/provisioner.js';
import { buildStackGraph } from '../../src/stack.js';
import { imageSourceFor } from './up.js';
import { stackFlags } from '../stacks.js';
import { readDataPlane } from '../../src/sandbox-data-plane.js';
import type { CommonOptions } from '../aws-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { askConfirm, isInteractive } from '../prompts.js';
import { connectRecorded, openRecordedStack, type RecordedStack } from '../recorded-stack.js';
import { formatResumePlan } from '../render/pause.js';
import { money, planSummary } from '../render/plan.js';
import { outputMode, withProgress } from '../render/progress.js';

/** `three-tier resume`: bring back what pause stopped or deleted, and end with the stack's URL. */
export async function runResume(opts: CommonOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const open = await openRecordedStack(opts, 'resume', interactive);
  try {
    await resumeOpened(opts, open, interactive);
  } finally {
    open.session.close();
  }
}

/**
 * `up` on a paused stack: at a terminal, offer to resume it (true: go on with resume); otherwise a usage error that
 * names the command.
 */
export async function offerResume(
  opts: CommonOptions,
  stack: { stack: string; manifestPath: string; recorded: Manifest; location: { sandbox: boolean; endpointUrl: string | undefined } },
  interactive: boolean,
): Promise<boolean> {
  const paused = stack.recorded.paused;
  if (!paused) return true;
  const flags = stackFlags(stack.stack, opts, { sandbox: stack.location.sandbox, endpoint: stack.location.sandbox ? undefined : stack.location.endpointUrl, region: stack.recorded.region });
  const what = `stack "${stack.stack}" is paused (since ${paused.since}${paused.deep ? ', deep' : ''})`;
  if (!interactive) {
    throw usageError('STACK_PAUSED', `${what}: up does not change a paused stack. Nothing was changed.`, [`bring it back with: npx three-tier resume ${flags}`, 'then run up again to change its settings']);
  }
  if (await askConfirm(`The ${what}. Resume it now?`, true)) return true;
  process.stderr.write(`Nothing was changed. To bring it back later: npx three-tier resume ${flags}\n`);
  return false;
}

/**
 * Resume a stack whose lock is held and whose manifest is read (by resume itself, or by up on a paused stack, whose
 * offer the person has accepted already: `confirmed`).
 */
export async function resumeOpened(opts: CommonOptions, open: RecordedStack, interactive: boolean, confirmed = false): Promise<void> {
  const mode = outputMode(opts);
  const { stack, session, recorded } = open;
  const { target, region, flags } = await connectRecorded(opts, open);
  const interrupt = interruptOnSignals();
  try {
    const image = imageSourceFor(recorded.config, target, !target.sandbox && (await readDataPlane(target.endpoint)) !== undefined);
    const base = {
      config: recorded.config,
      clients: target.clients,
      manifestPath: open.manifestPath,
      signal: interrupt.signal,
      timing: target.timing,
      image,
      ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    };
    const plan = await planResume(session, { ...base, events: () => undefined });
    if (mode === 'json') process.stderr.write(`${JSON.stringify({ type: 'plan', at: Date.now(), plan: { command: 'resume', stack, region, paused: plan.paused ?? null, up: plan.up ? planSummary(plan.up) : null, notes: plan.notes } })}\n`);
    else process.stderr.write(formatResumePlan(plan));
    if (!plan.paused || !plan.up) {
      finish(opts, plan, { region, flags, url: plan.url ?? '', resumed: false, elapsedMs: 0 });
      return;
    }
    if (!opts.yes && !confirmed && !(await confirm(plan, interactive, Boolean(target.sandbox)))) return;
    if (image.kind === 'build' && plan.up.steps.some((s) => s.id === 'image' && s.action !== 'none')) await ensureCanBuild(image.contextDir);

    const nodes = buildStackGraph(plan.up.config, image);
    const title = `three-tier resume: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`;
    const result = await withProgress(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), title, plan.up.criticalPath.totalMs * target.timing.scale, (events) =>
      applyResume(session, plan, { ...base, events }),
    );
    if (opts.json) {
      const up = result.up;
      process.stdout.write(`${JSON.stringify({ stack, region, url: result.url, resumed: true, created: up?.created ?? [], adopted: up?.adopted ?? [], updated: up?.updated ?? [], unchanged: up?.unchanged ?? [], elapsedMs: result.elapsedMs })}\n`);
      return;
    }
    finish(opts, plan, { region, flags, url: result.url, resumed: true, elapsedMs: result.elapsedMs });
  } finally {
    interrupt.dispose();
    await target.close();
  }
}

async function confirm(plan: ResumePlan, interactive: boolean, sandbox: boolean): Promise<boolean> {
  if (!interactive) {
    throw usageError(
      'CONFIRMATION_NEEDED',
      sandbox
        ? 'resume needs a confirmation and there is no terminal to ask: add --yes.'
        : `resume brings back billed AWS resources of stack "${plan.stack}" (about ${money(plan.cost.after.monthly)}/month) and there is no terminal to confirm it: add --yes.`,
    );
  }
  const billed = sandbox ? '' : ` It is billed about ${money(plan.cost.after.monthly)}/month again.`;
  if (await askConfirm(`Resume stack "${plan.stack}"?${billed}`, true)) return true;
  process.stderr.write('Nothing was changed.\n');
  return false;
}

function finish(opts: CommonOptions, plan: ResumePlan, o: { region: string; flags: string; url: string; resumed: boolean; elapsedMs: number }): void {
  if (opts.json) {
    if (!o.resumed) process.stdout.write(`${JSON.stringify({ stack: plan.stack, region: o.region, url: o.url, resumed: false, created: [], adopted: [], updated: [], unchanged: [], elapsedMs: 0 })}\n`);
    return;
  }
  const lines = [
    o.resumed
      ? `Stack "${plan.stack}" is resumed (${(o.elapsedMs / 1000).toFixed(1)} s); it costs about ${money(plan.cost.after.monthly)}/month again.`
      : `Stack "${plan.stack}" is not paused; nothing changed.`,
  ];
  if (o.resumed && plan.paused?.url && plan.paused.url !== o.url) lines.push(`Its URL changed (it was ${plan.paused.url}).`);
  lines.push(`Status:       npx three-tier status ${o.flags}`, `Pause again:  npx three-tier pause ${o.flags}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  process.stdout.write(`${o.url}\n`);
}
