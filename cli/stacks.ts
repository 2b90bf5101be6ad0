import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REGION_PATTERN, stackNameProblem, STACK_NAME_RULE } from '../src/config.js';
import { isThreeTierError, usageError } from '../src/errors.js';
import { manifestMismatch, readManifest, type Manifest } from '../src/engine/manifest.js';
import { checkTargetOptions, defaultRegion, manifestPathFor, sandboxStatePath, stackLocation, type CommonOptions } from './aws-context.js';
import { askChoice, isInteractive } from './prompts.js';
import { manifestFiles, stacksDir } from './stack-files.js';

/**
 * The stacks of the current directory (`.three-tier/<stack>.json`) and which one a command means: `--stack`, the
 * stack of `--manifest`, the only one there is, or (several) the one the user picks at the terminal. Shared by the
 * commands that read stacks (status, list).
 */
export interface KnownStack {
  stack: string;
  manifestPath: string;
  manifest?: Manifest;
  /** Why the manifest could not be read (it is still listed: it names a stack). */
  problem?: string;
}

export { stacksDir };

/** Every manifest in `.three-tier/`, sorted by stack name. The sandbox's state files and temp files are not stacks. */
export function knownStacks(dir = stacksDir()): KnownStack[] {
  const out: KnownStack[] = [];
  for (const f of manifestFiles(dir)) {
    const manifestPath = join(dir, f);
    const name = f.slice(0, -'.json'.length);
    try {
      const manifest = readManifest(manifestPath);
      if (manifest) out.push({ stack: manifest.stack, manifestPath, manifest });
    } catch (err) {
      out.push({ stack: name, manifestPath, problem: isThreeTierError(err) ? err.message : String(err) });
    }
  }
  return out;
}

/** "a (us-east-1), b (sandbox)": how the stacks are named in messages. */
export function describeStacks(stacks: readonly KnownStack[]): string {
  return stacks.map((s) => `${s.stack} (${s.manifest ? (s.manifest.endpoint === 'sandbox' ? 'sandbox' : s.manifest.region) : 'unreadable manifest'})`).join(', ');
}

export interface ChosenStack {
  stack: string;
  manifestPath: string;
}

export async function chooseStack(opts: { stack?: string | undefined; manifest?: string | undefined; yes?: boolean | undefined; json?: boolean | undefined }, command: string): Promise<ChosenStack> {
  if (opts.stack !== undefined) {
    const problem = stackNameProblem(opts.stack);
    if (problem) throw usageError('BAD_STACK_NAME', `stack name "${opts.stack}" ${problem}; use ${STACK_NAME_RULE}.`);
    return { stack: opts.stack, manifestPath: manifestPathFor(opts.stack, opts.manifest) };
  }
  if (opts.manifest !== undefined) {
    const manifestPath = resolve(opts.manifest);
    const m = readManifest(manifestPath);
    if (!m) throw usageError('NO_MANIFEST', `there is no manifest at ${manifestPath}.`, ['pass --stack NAME to find the stack by its tags']);
    return { stack: m.stack, manifestPath };
  }
  const stacks = knownStacks();
  if (stacks.length === 1 && stacks[0]) return { stack: stacks[0].stack, manifestPath: stacks[0].manifestPath };
  if (stacks.length === 0) {
    throw usageError('NO_STACK', `there is no stack in ${stacksDir()}: pass --stack NAME.`, [`${command} --stack NAME finds a stack by its tags when its manifest is elsewhere or lost`]);
  }
  if (isInteractive(opts)) {
    const picked = await askChoice(
      'Which stack?',
      stacks.map((s) => ({ name: describeStacks([s]), value: s.manifestPath })),
    );
    const s = stacks.find((x) => x.manifestPath === picked);
    if (s) return { stack: s.stack, manifestPath: s.manifestPath };
  }
  throw usageError('SEVERAL_STACKS', `there are ${stacks.length} stacks in ${stacksDir()}: ${describeStacks(stacks)}; say which with --stack NAME.`, stacks.map((s) => `${command} --stack ${s.stack}`));
}

/** Where a stack is read from: its manifest (if any), region and endpoint, as recorded or given. */
export interface ReadingTarget extends ChosenStack {
  manifest: Manifest | undefined;
  region: string;
  sandbox: boolean;
  /** A custom endpoint to send the calls to (recorded in the manifest or given). */
  endpointUrl: string | undefined;
  /** What the status names as the place: `sandbox`, the endpoint URL, or undefined for AWS. */
  endpoint: string | undefined;
}

export async function readingTarget(chosen: ChosenStack, opts: CommonOptions): Promise<ReadingTarget> {
  checkTargetOptions(opts);
  const manifest = readManifest(chosen.manifestPath);
  if (manifest && manifest.stack !== chosen.stack) throw manifestMismatch(chosen.manifestPath, manifest.stack, chosen.stack);
  if (opts.region !== undefined && !REGION_PATTERN.test(opts.region)) {
    throw usageError('BAD_REGION', `region "${opts.region}" is not an AWS region name; use one like us-east-1 or eu-west-1.`);
  }
  if (manifest && opts.region !== undefined && opts.region !== manifest.region) {
    throw usageError('REGION_MISMATCH', `--region ${opts.region} does not match the manifest's region ${manifest.region} (${chosen.manifestPath}).`);
  }
  const { sandbox, endpointUrl } = stackLocation(opts, manifest, chosen.manifestPath);
  const region = manifest?.region ?? (await defaultRegion(opts.region, sandbox));
  if (region === undefined) throw usageError('MISSING_REGION', 'no AWS region given and no manifest to read it from: pass --region, or set AWS_REGION.');
  // A rehearsal's simulated cloud lives beside its manifest; reading must not create one.
  const state = sandboxStatePath(chosen.manifestPath, chosen.stack);
  if (sandbox && !existsSync(state)) {
    throw usageError('NO_SUCH_STACK', `no sandbox stack "${chosen.stack}": its simulated cloud ${state} does not exist.`, ['rehearse one with three-tier up --sandbox']);
  }
  const envEndpoint = process.env['AWS_ENDPOINT_URL'] || undefined;
  return { ...chosen, manifest, region, sandbox, endpointUrl, endpoint: sandbox ? 'sandbox' : (endpointUrl ?? envEndpoint) };
}

/** The flags a later command on this stack needs to reach it. */
export function stackFlags(stack: string, opts: CommonOptions, where: { sandbox: boolean; endpoint: string | undefined; region: string }): string {
  const parts = [`--stack ${stack}`];
  if (opts.manifest) parts.push(`--manifest ${opts.manifest}`);
  if (where.sandbox) parts.push('--sandbox');
  else if (where.endpoint) parts.push(`--endpoint-url ${where.endpoint}`);
  else parts.push(`--region ${where.region}`);
  if (opts.timeScale !== undefined) parts.push(`--time-scale ${opts.timeScale}`);
  return parts.join(' ');
}
