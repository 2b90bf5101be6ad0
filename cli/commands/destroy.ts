import { rmSync } from 'node:fs';
import { resolveConfig } from '../../src/config.js';
import { usageError } from '../../src/errors.js';
import { readManifest } from '../../src/engine/manifest.js';
import { destroy } from '../../src/provisioner.js';
import { buildStackGraph } from '../../src/stack.js';
import { checkCredentials, connect, defaultRegion, manifestPathFor, sandboxStatePath, type CommonOptions } from '../aws-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { askText, isInteractive } from '../prompts.js';
import { outputMode, progressView } from '../render/progress.js';

/**
 * `three-tier destroy`: everything the manifest knows and everything tagged with the stack, in reverse order. The
 * region and the endpoint (sandbox or custom) come from the manifest when it exists, so a sandbox stack is never
 * "destroyed" against real AWS by mistake.
 */
export async function runDestroy(opts: CommonOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  let stack = opts.stack;
  if (stack === undefined && interactive) stack = await askText('Stack to destroy');
  if (stack === undefined) throw usageError('MISSING_STACK', 'no stack name given: pass --stack NAME.');
  const manifestPath = manifestPathFor(stack, opts.manifest);
  const recorded = readManifest(manifestPath);
  // The manifest names the stack it records: destroying it under another name would delete the wrong stack.
  if (recorded && recorded.stack !== stack) {
    throw usageError('MANIFEST_MISMATCH', `the manifest ${manifestPath} belongs to stack "${recorded.stack}", not "${stack}": nothing was deleted.`, [
      `to destroy "${recorded.stack}": three-tier destroy --stack ${recorded.stack} --manifest ${manifestPath}`,
      `to destroy "${stack}": pass the manifest of that stack with --manifest (or leave --manifest out to use .three-tier/${stack}.json)`,
    ]);
  }
  const sandbox = opts.sandbox === true || recorded?.endpoint === 'sandbox';
  const region = recorded?.region ?? (await defaultRegion(opts.region, sandbox));
  if (region === undefined) throw usageError('MISSING_REGION', 'no AWS region given and no manifest to read it from: pass --region.');
  if (recorded && opts.region !== undefined && opts.region !== recorded.region) {
    throw usageError('REGION_MISMATCH', `--region ${opts.region} does not match the manifest's region ${recorded.region} (${manifestPath}).`);
  }
  const config = recorded?.config ?? resolveConfig({ stack, region });
  const endpointUrl = opts.endpointUrl ?? (recorded?.endpoint !== undefined && recorded.endpoint !== 'sandbox' ? recorded.endpoint : undefined);

  if (!opts.yes) {
    if (!interactive) {
      throw usageError('CONFIRMATION_NEEDED', `destroy deletes every resource of stack "${stack}" and there is no terminal to confirm it: add --yes.`);
    }
    const typed = await askText(`This deletes every resource of stack "${stack}" in ${sandbox ? 'the sandbox' : region}. Type the stack name to confirm`);
    if (typed !== stack) {
      process.stderr.write(`"${typed}" is not "${stack}": nothing was deleted.\n`);
      return;
    }
  }

  const target = await connect({ ...opts, ...(endpointUrl === undefined ? {} : { endpointUrl }), sandbox, stack, region, manifestPath });
  const interrupt = interruptOnSignals();
  try {
    await checkCredentials(target);
    const nodes = buildStackGraph(config);
    const view = progressView(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), `three-tier destroy: ${stack} (${region}${sandbox ? ', sandbox' : ''})`);
    let result;
    try {
      result = await destroy({ config, clients: target.clients, manifestPath, events: view.sink, signal: interrupt.signal, timing: target.timing });
    } finally {
      await view.stop();
    }
    // The rehearsal's simulated cloud goes with the stack.
    if (target.sandbox) rmSync(sandboxStatePath(manifestPath, stack), { force: true });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ stack, region, sandbox, deleted: result.deleted, leftovers: result.leftovers, elapsedMs: result.elapsedMs })}\n`);
      return;
    }
    process.stderr.write(
      `Stack "${stack}" is destroyed: ${result.deleted.length} resources deleted in ${(result.elapsedMs / 1000).toFixed(1)} s; a sweep by tag found nothing left. The manifest is removed.\n`,
    );
  } finally {
    interrupt.dispose();
    await target.close();
  }
}
