import { usageError } from '../../src/errors.js';
import { applyPause, pauseChangesSomething, planPause, type PausePlan } from '../../src/provisioner.js';
import { buildStackGraph } from '../../src/stack.js';
import type { CommonOptions } from '../aws-context.js';
import { askConfirm, isInteractive } from '../prompts.js';
import { withRecordedStack } from '../recorded-stack.js';
import { formatPausePlan, formatPauseResult, pausePlanSummary } from '../render/pause.js';
import { money } from '../render/plan.js';
import { outputMode, withProgress } from '../render/progress.js';

export interface PauseCliOptions extends CommonOptions {
  deep?: boolean;
}

/**
 * `three-tier pause`: open the stack (lock, manifest), connect where it lives, plan, show the plan with the cost
 * now and after, confirm, apply. A stack already paused is said to be so, and nothing is called that changes it.
 */
export async function runPause(opts: PauseCliOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  await withRecordedStack(opts, 'pause', interactive, async (open, { target, region, flags }, signal) => {
    const { stack, session } = open;
    const base = { config: open.recorded.config, clients: target.clients, manifestPath: open.manifestPath, signal, timing: target.timing, deep: opts.deep === true };
    const plan = await planPause(session, { ...base, events: () => undefined });
    if (mode === 'json') process.stderr.write(`${JSON.stringify({ type: 'plan', at: Date.now(), plan: pausePlanSummary(plan) })}\n`);
    else process.stderr.write(formatPausePlan(plan));
    if (!pauseChangesSomething(plan)) {
      report(opts, plan, undefined, { region, flags, simulated: target.endpoint !== undefined });
      return;
    }
    if (!opts.yes && !(await confirm(plan, interactive))) return;

    const nodes = buildStackGraph(plan.config).filter((n) => plan.steps.some((s) => s.id === n.id));
    const title = `three-tier pause: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`;
    const result = await withProgress(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), title, undefined, (events) => applyPause(session, plan, { ...base, events }));
    report(opts, plan, result, { region, flags, simulated: target.endpoint !== undefined });
  });
}

async function confirm(plan: PausePlan, interactive: boolean): Promise<boolean> {
  const deleting = plan.steps.filter((s) => s.action === 'delete').map((s) => s.id);
  if (!interactive) {
    throw usageError('CONFIRMATION_NEEDED', `pause stops and deletes resources of stack "${plan.stack}" (${deleting.join(', ') || 'nothing deleted'}) and there is no terminal to confirm it: add --yes.`);
  }
  const url = plan.deep ? ' The load balancer is deleted: the URL changes when it is resumed.' : '';
  if (await askConfirm(`Pause stack "${plan.stack}" (about ${money(plan.cost.after.monthly)}/month while paused)?${url}`)) return true;
  process.stderr.write('Nothing was changed.\n');
  return false;
}

function report(opts: PauseCliOptions, plan: PausePlan, result: Awaited<ReturnType<typeof applyPause>> | undefined, where: { region: string; flags: string; simulated: boolean }): void {
  if (opts.json) {
    const paused = { ...plan.record, ...(result?.dbRestartsAt ? { dbRestartsAt: result.dbRestartsAt } : {}) };
    const cost = { before: { hourly: plan.cost.before.hourly, monthly: plan.cost.before.monthly }, after: { hourly: plan.cost.after.hourly, monthly: plan.cost.after.monthly } };
    process.stdout.write(`${JSON.stringify({ stack: plan.stack, region: where.region, changed: result !== undefined, paused, stopped: result?.stopped ?? [], deleted: result?.deleted ?? [], cost, elapsedMs: result?.elapsedMs ?? 0 })}\n`);
    return;
  }
  process.stderr.write(formatPauseResult(plan, result, where));
}
