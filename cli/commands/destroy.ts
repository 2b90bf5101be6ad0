import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { resolveConfig, STACK_NAME_RULE } from '../../src/config.js';
import { snapshotMonthlyCost } from '../../src/cost.js';
import { usageError } from '../../src/errors.js';
import { applyDestroy, openStack, planDestroy } from '../../src/provisioner.js';
import { buildStackGraph } from '../../src/stack.js';
import { checkCredentials, checkTargetOptions, connect, defaultRegion, manifestPathFor, sandboxStatePath, stackLocation, type CommonOptions } from '../aws-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { askText, askValue, isInteractive } from '../prompts.js';
import { askRegion, stackNameQuestion } from '../questions.js';
import { manifestFiles, stacksDir } from '../stack-files.js';
import { chooseStack, knownStacks, type ChosenStack } from '../stacks.js';
import { formatDestroyPlan, money } from '../render/plan.js';
import { outputMode, withProgress } from '../render/progress.js';
import { stackFlags } from '../stacks.js';

export interface DestroyCliOptions extends CommonOptions {
  skipFinalSnapshot?: boolean;
}

/**
 * At the terminal without --stack: the stacks of .three-tier/ (the one there is, or a choice), or, when there are
 * none, a name to find by its tags (checked as it is typed). Never guessed with --yes.
 */
async function pickStack(opts: DestroyCliOptions): Promise<ChosenStack> {
  if (opts.manifest !== undefined || manifestFiles().length > 0) return chooseStack(opts, 'three-tier destroy');
  const stack = await askValue(`Stack to destroy (there is none in ${stacksDir()}: it is looked for by its tags)`, stackNameQuestion({ hint: `type the stack's name: ${STACK_NAME_RULE}` }));
  return { stack, manifestPath: manifestPathFor(stack, undefined) };
}

/**
 * `three-tier destroy`: everything the manifest knows and everything tagged with the stack, in reverse order. The
 * region and the endpoint (sandbox or custom) come from the manifest when it exists, so a sandbox stack is never
 * "destroyed" against real AWS by mistake; a manifest of another stack is refused before anything is asked.
 */
export async function runDestroy(opts: DestroyCliOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  const chosen = opts.stack === undefined && interactive ? await pickStack(opts) : undefined;
  const stack = chosen?.stack ?? opts.stack;
  if (stack === undefined) throw usageError('MISSING_STACK', 'no stack name given: pass --stack NAME.', knownStacks().map((s) => `three-tier destroy --stack ${s.stack}`));
  resolveConfig({ stack, region: opts.region ?? 'us-east-1' });
  checkTargetOptions(opts);
  const manifestPath = chosen?.manifestPath ?? manifestPathFor(stack, opts.manifest);
  const finalSnapshot = opts.skipFinalSnapshot !== true;

  const session = openStack(manifestPath, 'destroy');
  let closeTarget = async (): Promise<void> => undefined;
  try {
    const recorded = session.recorded;
    // The manifest names the stack it records: destroying it under another name would delete the wrong stack.
    if (recorded && recorded.stack !== stack) {
      throw usageError('MANIFEST_MISMATCH', `the manifest ${manifestPath} belongs to stack "${recorded.stack}", not "${stack}": nothing was deleted.`, [
        `to destroy "${recorded.stack}": three-tier destroy --stack ${recorded.stack} --manifest ${manifestPath}`,
        `to destroy "${stack}": pass the manifest of that stack with --manifest (or leave --manifest out to use .three-tier/${stack}.json)`,
      ]);
    }
    const location = stackLocation(opts, recorded, manifestPath);
    let region = recorded?.region ?? (await defaultRegion(opts.region, location.sandbox));
    // No manifest to read it from and none given: the stack is looked for by its tags in the region the user picks.
    if (region === undefined && interactive) region = await askRegion(undefined);
    if (region === undefined) throw usageError('MISSING_REGION', 'no AWS region given and no manifest to read it from: pass --region.');
    if (recorded && opts.region !== undefined && opts.region !== recorded.region) {
      throw usageError('REGION_MISMATCH', `--region ${opts.region} does not match the manifest's region ${recorded.region} (${manifestPath}).`);
    }
    const config = recorded?.config ?? resolveConfig({ stack, region });
    const target = await connect({ ...opts, sandbox: location.sandbox, ...(location.endpointUrl === undefined ? {} : { endpointUrl: location.endpointUrl }), stack, region, manifestPath });
    closeTarget = () => target.close();
    await checkCredentials(target);

    const interrupt = interruptOnSignals();
    try {
      const base = { config, clients: target.clients, manifestPath, signal: interrupt.signal, timing: target.timing, finalSnapshot };
      const plan = await planDestroy(session, { ...base, events: () => undefined });
      if (mode === 'json') process.stderr.write(`${JSON.stringify({ type: 'plan', at: Date.now(), plan: { command: 'destroy', stack, region, targets: plan.targets, strays: plan.strays.map((s) => s.label), foreign: plan.foreign.map((f) => f.label), cacheSnapshots: plan.cacheSnapshots, finalSnapshot: plan.finalSnapshot } })}\n`);
      else process.stderr.write(formatDestroyPlan(plan, plan.finalSnapshot ? snapshotMonthlyCost(plan.config).monthly : undefined));

      if (!opts.yes) {
        if (!interactive) {
          throw usageError('CONFIRMATION_NEEDED', `destroy deletes every resource of stack "${stack}" and there is no terminal to confirm it: add --yes.`);
        }
        const typed = await askText(`This deletes every resource of stack "${stack}" in ${target.sandbox ? 'the sandbox' : region}. Type the stack name to confirm`, {
          // An empty answer is a stray Enter: ask again; a wrong name deletes nothing.
          validate: (v) => (v.trim() === '' ? `type "${stack}" to delete it, or press Ctrl-C to keep it` : true),
        });
        if (typed !== stack) {
          process.stderr.write(`"${typed}" is not "${stack}": nothing was deleted.\n`);
          return;
        }
      }

      const nodes = buildStackGraph(config);
      const title = `three-tier destroy: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`;
      const result = await withProgress(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), title, undefined, (events) => applyDestroy(session, plan, { ...base, events }));
      // The rehearsal's simulated cloud goes with the stack, unless it keeps a snapshot to restore from.
      if (target.sandbox && result.snapshots.length === 0) rmSync(sandboxStatePath(manifestPath, stack), { force: true });
      const snapshots = result.snapshots.map((s) => ({ ...s, monthlyCost: snapshotMonthlyCost(plan.config, { gb: s.allocatedGb }).monthly }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ stack, region, sandbox: Boolean(target.sandbox), deleted: result.deleted, leftovers: result.leftovers, snapshots, elapsedMs: result.elapsedMs })}\n`);
        return;
      }
      const lines = [`Stack "${stack}" is destroyed: ${result.deleted.length} resources deleted in ${(result.elapsedMs / 1000).toFixed(1)} s; a sweep by tag found nothing left. The manifest is removed.`];
      const flags = stackFlags(stack, opts, { sandbox: Boolean(target.sandbox), endpoint: target.sandbox ? undefined : target.endpoint, region });
      for (const s of snapshots) {
        lines.push(`Kept DB snapshot ${s.id} (${s.allocatedGb} GB, up to ${money(s.monthlyCost)}/month until you delete it${target.sandbox ? ', on AWS' : ''}).`);
        lines.push(`  Restore it:   npx three-tier up ${flags} --from-snapshot ${s.id}`);
        lines.push(`  Delete it:    ${deleteSnapshotHint(s.id, region, target.sandbox ? { sandboxState: relative(process.cwd(), sandboxStatePath(manifestPath, stack)) } : { endpoint: target.endpoint })}`);
      }
      process.stderr.write(`${lines.join('\n')}\n`);
    } finally {
      interrupt.dispose();
    }
  } finally {
    session.close();
    await closeTarget();
  }
}

/**
 * How to delete a kept snapshot where it is: an AWS CLI command for AWS or a custom endpoint (with --endpoint-url, so
 * it never reaches a real account by mistake); for a rehearsal, the simulated cloud's file, which holds nothing but
 * kept snapshots once the stack is destroyed (no AWS command: there is no such snapshot on AWS).
 */
function deleteSnapshotHint(id: string, region: string, where: { sandboxState: string } | { endpoint: string | undefined }): string {
  if ('sandboxState' in where) return `rm ${where.sandboxState}   (the rehearsal's simulated cloud, with every snapshot it kept)`;
  const endpoint = where.endpoint === undefined ? '' : ` --endpoint-url ${where.endpoint}`;
  return `aws${endpoint} rds delete-db-snapshot --region ${region} --db-snapshot-identifier ${id}`;
}
