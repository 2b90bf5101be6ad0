import { resolveConfig } from '../src/config.js';
import { usageError } from '../src/errors.js';
import type { Manifest } from '../src/engine/manifest.js';
import { openStack, type StackSession } from '../src/provisioner.js';
import { recordedStack } from '../src/session.js';
import { checkCredentials, checkTargetOptions, connect, manifestPathFor, stackLocation, type AwsTarget, type CommonOptions } from './aws-context.js';
import { stackFlags } from './stacks.js';
import { interruptOnSignals } from './interrupt.js';
import { chooseStack, knownStacks } from './stacks.js';

/**
 * What `pause` and `resume` share before they plan: the stack named (or picked among this folder's), its lock
 * taken, its manifest (which must exist: there is nothing to pause or resume without one), and the AWS calls
 * pointed where the manifest says the stack lives, with the credentials checked. Every flag is checked before
 * anything is touched.
 */
export interface RecordedStack {
  stack: string;
  manifestPath: string;
  session: StackSession;
  recorded: Manifest;
}

export interface RecordedTarget {
  target: AwsTarget;
  region: string;
  /** The flags a later command on this stack needs (--stack, --manifest, --sandbox or --endpoint-url or --region). */
  flags: string;
}

export async function openRecordedStack(opts: CommonOptions, command: 'pause' | 'resume' | 'deploy', interactive: boolean): Promise<RecordedStack> {
  // At a terminal without --stack: the stack of --manifest, the only one here, or the one picked among them.
  const chosen = opts.stack === undefined && interactive ? await chooseStack(opts, `three-tier ${command}`) : undefined;
  const stack = chosen?.stack ?? opts.stack;
  if (stack === undefined) {
    throw usageError('MISSING_STACK', `no stack name given: pass --stack NAME (the stack to ${command}).`, knownStacks().map((s) => `three-tier ${command} --stack ${s.stack}`));
  }
  resolveConfig({ stack, region: opts.region ?? 'us-east-1' });
  checkTargetOptions(opts);
  const manifestPath = chosen?.manifestPath ?? manifestPathFor(stack, opts.manifest);
  const session = openStack(manifestPath, command);
  try {
    return { stack, manifestPath, session, recorded: recordedStack(session, stack, command) };
  } catch (err) {
    session.close();
    throw err;
  }
}

/** Connect to where the recorded stack lives (its region and endpoint come from the manifest) and check the credentials. */
export async function connectRecorded(opts: CommonOptions, open: Omit<RecordedStack, 'session'>): Promise<RecordedTarget> {
  const { recorded, stack, manifestPath } = open;
  const location = stackLocation(opts, recorded, manifestPath);
  if (opts.region !== undefined && opts.region !== recorded.region) {
    throw usageError('REGION_MISMATCH', `--region ${opts.region} does not match the region of stack "${stack}", ${recorded.region} (${manifestPath}). Nothing was changed.`, ['leave --region out: the manifest says where the stack is']);
  }
  const region = recorded.region;
  const target = await connect({ ...opts, sandbox: location.sandbox, ...(location.endpointUrl === undefined ? {} : { endpointUrl: location.endpointUrl }), stack, region, manifestPath });
  try {
    await checkCredentials(target);
  } catch (err) {
    await target.close();
    throw err;
  }
  return { target, region, flags: stackFlags(stack, opts, { sandbox: Boolean(target.sandbox), endpoint: target.sandbox ? undefined : target.endpoint, region }) };
}

/**
 * Open the stack, connect where it lives, and run `work` with the Ctrl-C signal; the lock and the connection are
 * released however it ends.
 */
export async function withRecordedStack<T>(
  opts: CommonOptions,
  command: 'pause' | 'resume' | 'deploy',
  interactive: boolean,
  work: (open: RecordedStack, at: RecordedTarget, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const open = await openRecordedStack(opts, command, interactive);
  let closeTarget = async (): Promise<void> => undefined;
  try {
    const at = await connectRecorded(opts, open);
    closeTarget = () => at.target.close();
    const interrupt = interruptOnSignals();
    try {
      return await work(open, at, interrupt.signal);
    } finally {
      interrupt.dispose();
    }
  } finally {
    open.session.close();
    await closeTarget();
  }
}
