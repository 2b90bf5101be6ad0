import { checkImage } from '../../src/config.js';
import { applyDeploy, deployChangesSomething, deployNodes, planDeploy, type DeployPlan, type DeployResult } from '../../src/deploy.js';
import { usageError } from '../../src/errors.js';
import type { ImageSource } from '../../src/image.js';
import { ensureCanBuild } from '../../src/image-build.js';
import type { CommonOptions } from '../aws-context.js';
import { askConfirm, isInteractive } from '../prompts.js';
import { withRecordedStack } from '../recorded-stack.js';
import { outputMode, withProgress } from '../render/progress.js';
import { revisionOf } from '../../src/ecs-deployments.js';
import { readDataPlane } from '../../src/sandbox-data-plane.js';
import { formatVerdict } from './verify.js';
import { imageSourceFor, verifyAtEnd, verifyJson, type Checked } from './up.js';

export interface DeployCliOptions extends CommonOptions {
  image?: string;
  force?: boolean;
  /** false with --no-verify. */
  verify?: boolean;
}


/**
 * `three-tier deploy`: open the stack (lock, manifest), connect where it lives, plan (the image checked before
 * anything changes), show the plan, confirm, apply with the rollout's progress. A deploy with nothing new says so
 * and calls nothing that changes the stack.
 */
export async function runDeploy(opts: DeployCliOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  if (opts.image !== undefined && opts.force === true) {
    throw usageError('DEPLOY_IMAGE_AND_FORCE', `--image and --force do not go together: --force redeploys the revision the service runs now, --image deploys ${opts.image}. Nothing was changed.`, [
      'three-tier deploy --image URI (a new image), or three-tier deploy --force (the current one again)',
    ]);
  }
  // The image reference is checked on its own before anything is touched (no lock, no AWS call).
  if (opts.image !== undefined) checkImage(opts.image);
  await withRecordedStack(opts, 'deploy', interactive, async (open, { target, region, flags }, signal) => {
    const { stack, session } = open;
    const config = { ...open.recorded.config, ...(opts.image !== undefined ? { image: opts.image } : {}) };
    // A sandbox that runs the API for real takes the stand-in push, as up and resume do (its tasks run api/ from here).
    const image: ImageSource = imageSourceFor(config, target, !target.sandbox && (await readDataPlane(target.endpoint)) !== undefined);
    const base = { config, clients: target.clients, manifestPath: open.manifestPath, signal, timing: target.timing, image, imageAsked: opts.image !== undefined, force: opts.force === true };
    const plan = await planDeploy(session, { ...base, events: () => undefined });
    if (mode === 'json') process.stderr.write(`${JSON.stringify({ type: 'plan', at: Date.now(), plan: planSummary(plan) })}\n`);
    else process.stderr.write(formatDeployPlan(plan));
    if (!deployChangesSomething(plan)) {
      report(opts, plan, undefined, flags);
      return;
    }
    if (!opts.yes && plan.action !== 'continue' && !(await confirm(plan, interactive))) return;
    if (image.kind === 'build' && plan.action === 'deploy') await ensureCanBuild(image.contextDir);
    const title = `three-tier deploy: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`;
    const nodes = deployNodes(plan.config, image).map((n) => ({ id: n.id, kind: n.kind.kind }));
    const result = await withProgress(mode, nodes, title, undefined, (events) => applyDeploy(session, plan, { ...base, events }));
    // The new revision is running: prove the tiers through the URL (exit 3 when one fails), as up does.
    const checked = result.changed && result.url ? await verifyAtEnd(opts, target, open.manifestPath, result.url) : undefined;
    report(opts, plan, result, flags, checked);
  });
}

export function planSummary(plan: DeployPlan): Record<string, unknown> {
  return {
    command: plan.command,
    stack: plan.stack,
    region: plan.region,
    action: plan.action,
    reason: plan.reason,
    current: plan.current,
    ...(plan.previous ? { previous: plan.previous } : {}),
    ...(plan.image ? { image: plan.image } : {}),
    ...(plan.reuse ? { reuse: plan.reuse } : {}),
    notes: plan.notes,
  };
}

export function formatDeployPlan(plan: DeployPlan): string {
  const lines = [`Deploy to stack "${plan.stack}" (${plan.region}):`];
  lines.push(`  now:       ${revisionOf(plan.current.taskDefinitionArn)} running ${plan.current.image ?? '?'}${plan.current.rolloutState ? ` (rollout ${plan.current.rolloutState})` : ''}`);
  const verb = { deploy: 'deploy', force: 'redeploy', continue: 'continue', none: 'nothing to do' }[plan.action];
  lines.push(`  ${`${verb}:`.padEnd(10)} ${plan.reason}`);
  if (plan.action !== 'none') lines.push(`  on failure: ${plan.previous && plan.previous !== plan.reuse ? `rolled back to ${revisionOf(plan.previous)} as soon as stopped tasks show a cause retries cannot fix` : 'no earlier completed revision to roll back to'}`);
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

async function confirm(plan: DeployPlan, interactive: boolean): Promise<boolean> {
  if (!interactive) {
    throw usageError('CONFIRMATION_NEEDED', `deploy changes the running service of stack "${plan.stack}" and there is no terminal to confirm it: add --yes.`);
  }
  if (await askConfirm(`Deploy to stack "${plan.stack}"?`, true)) return true;
  process.stderr.write('Nothing was changed.\n');
  return false;
}

function report(opts: DeployCliOptions, plan: DeployPlan, result: DeployResult | undefined, flags: string, checked?: Checked): void {
  if (opts.json) {
    const r = result ?? { changed: false, taskDefinitionArn: plan.current.taskDefinitionArn, image: plan.image ?? plan.current.image ?? '', polls: 0, elapsedMs: 0 };
    process.stdout.write(
      `${JSON.stringify({ stack: plan.stack, region: plan.region, action: plan.action, changed: r.changed, taskDefinition: r.taskDefinitionArn, image: r.image, ...(result?.deploymentId ? { deploymentId: result.deploymentId } : {}), ...(checked ? verifyJson(checked) : {}), polls: r.polls, elapsedMs: r.elapsedMs })}\n`,
    );
    return;
  }
  if (!result || !result.changed) {
    process.stderr.write(`Nothing new to deploy: the service already runs ${result?.image || plan.image || plan.current.image || 'this image'} (${revisionOf(result?.taskDefinitionArn ?? plan.current.taskDefinitionArn)}). Nothing was changed.\n`);
    return;
  }
  process.stderr.write(`Deployed ${revisionOf(result.taskDefinitionArn)} (${result.image}) to stack "${plan.stack}" in ${(result.elapsedMs / 1000).toFixed(1)} s.\nStatus: npx three-tier status ${flags}\n`);
  if (checked?.report) process.stderr.write(formatVerdict(checked.report));
  else if (checked?.skipped) process.stderr.write(`Verify skipped: ${checked.skipped}.\n`);
  if (result.url) process.stdout.write(`${checked?.localUrl ?? result.url}\n`);
}
