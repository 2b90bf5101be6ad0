import { applyDestroy, planDestroy, type DestroyOptions, type DestroyResult } from './destroy.js';
import { applyPause, pauseChangesSomething, planPause, type PauseOptions, type PauseResult } from './pause.js';
import { applyResume, planResume, type ResumeResult } from './resume.js';
import { applyUp, planUp, type PlanUpOptions, type UpResult } from './up.js';
import { openStack, type StackSession } from './session.js';

/**
 * The provisioner's entry points. Commands go one way (DESIGN.md "One plan, applied"): open the stack
 * (src/session.ts), plan (src/up.ts, src/destroy.ts, src/pause.ts, src/resume.ts), let the CLI render and confirm,
 * apply exactly that plan. The
 * core never prints, prompts or exits: progress goes to the event sink, results are returned, failures are thrown
 * as ThreeTierError. Every change is in the manifest before the next AWS call, so a failure or an interruption
 * leaves it true, and the next run continues from there.
 *
 * `up`, `pause`, `resume` and `destroy` here do all three steps without asking: for scripts, tests and benchmarks.
 */
export type { ProvisionerOptions } from './run.js';
export type { UpPlan, PlanStep, StepAction, UpResult, NodeObservation } from './up.js';
export type { DestroyPlan, DestroyOptions, DestroyResult, DestroyTarget } from './destroy.js';
export { planUp, applyUp, planChangesSomething } from './up.js';
export { planDestroy, applyDestroy } from './destroy.js';
export type { PausePlan, PauseStep, PauseOptions, PauseResult } from './pause.js';
export { planPause, applyPause, pauseChangesSomething } from './pause.js';
export type { ResumePlan, ResumeResult } from './resume.js';
export { planResume, applyResume } from './resume.js';
export { openStack, type StackSession } from './session.js';

export type UpOptions = PlanUpOptions;

/** Open the stack (its lock, its manifest read once), do the work, release the lock whatever happens. */
async function withStack<T>(manifestPath: string, command: string, work: (session: StackSession) => Promise<T>): Promise<T> {
  const session = openStack(manifestPath, command);
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

export async function up(opts: UpOptions): Promise<UpResult> {
  return withStack(opts.manifestPath, 'up', async (session) => applyUp(session, await planUp(session, opts), opts));
}

export async function destroy(opts: DestroyOptions): Promise<DestroyResult> {
  return withStack(opts.manifestPath, 'destroy', async (session) => applyDestroy(session, await planDestroy(session, opts), opts));
}

/** A pause that changes nothing (the stack is paused already) writes nothing either. */
export async function pause(opts: PauseOptions): Promise<PauseResult> {
  return withStack(opts.manifestPath, 'pause', async (session) => {
    const plan = await planPause(session, opts);
    if (!pauseChangesSomething(plan)) return { stack: plan.stack, deep: plan.deep, since: plan.record.since, stopped: [], deleted: [], elapsedMs: 0 };
    return applyPause(session, plan, opts);
  });
}

export async function resume(opts: PlanUpOptions): Promise<ResumeResult> {
  return withStack(opts.manifestPath, 'resume', async (session) => applyResume(session, await planResume(session, opts), opts));
}
