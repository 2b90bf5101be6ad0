import { ThreeTierError } from '../../src/errors.js';
import { foundAnything, stackStatus } from '../../src/status/index.js';
import type { StackStatus } from '../../src/status/model.js';
import { checkCredentials, connect, type AwsTarget, type CommonOptions } from '../aws-context.js';
import { ExitCode, exitWith } from '../exit-codes.js';
import { paint, wantsColor } from '../render/color.js';
import { formatStatus } from '../render/status.js';
import { chooseStack, describeStacks, knownStacks, readingTarget, stackFlags, type ReadingTarget } from '../stacks.js';

/**
 * `three-tier status`: the live state of a stack, read-only (never the lock, never a change). Exit 0 when healthy,
 * 3 when degraded, drifted or partial, 1 when AWS could not be read, 2 for bad input or no such stack.
 * `--watch` redraws in place every `--interval` seconds until Ctrl-C and exits with the last verdict.
 */
export interface StatusOptions extends CommonOptions {
  watch?: boolean;
  interval?: number;
}

/** The flags another command needs to reach this stack, as every command's hints say them. */
function flagsFor(t: ReadingTarget, opts: StatusOptions): string {
  return stackFlags(t.stack, opts, { sandbox: t.sandbox, endpoint: t.sandbox ? undefined : t.endpointUrl, region: t.region });
}

async function observeOnce(t: ReadingTarget, aws: AwsTarget, opts: StatusOptions): Promise<StackStatus> {
  const status = await stackStatus({ clients: aws.clients, stack: t.stack, region: t.region, manifestPath: t.manifestPath, manifest: t.manifest, endpoint: t.endpoint, stackFlags: flagsFor(t, opts) });
  // Reads failed: a login or endpoint problem says so precisely (checkCredentials throws it); others stay unknown.
  if (status.errors.length) await checkCredentials(aws);
  if (!t.manifest && !foundAnything(status)) {
    if (!status.errors.length) {
      const known = knownStacks();
      throw new ThreeTierError(
        'NO_SUCH_STACK',
        `no stack "${t.stack}": no manifest at ${t.manifestPath}, and nothing tagged three-tier:stack=${t.stack} in ${t.sandbox ? 'the sandbox' : `region ${t.region}`}.`,
        { kind: 'usage', hints: [known.length ? `stacks in .three-tier/: ${describeStacks(known)}` : 'there is no stack in .three-tier/', t.sandbox ? 'a sandbox stack lives beside its manifest' : 'if it lives in another region, pass --region'] },
      );
    }
  }
  return status;
}

/** 0 healthy (or paused on purpose), 1 when AWS could not be read, 3 otherwise (degraded, drifted, partial, changing). */
function exitCodeOf(s: StackStatus): number {
  if (s.verdict === 'healthy' || s.verdict === 'paused') return ExitCode.ok;
  return s.verdict === 'unknown' ? ExitCode.failure : ExitCode.unhealthy;
}

function render(s: StackStatus, json: boolean): string {
  return json ? `${JSON.stringify(s)}\n` : formatStatus(s, paint(wantsColor(process.stdout)));
}

/** Redraw in place on a terminal (the alternate screen, left on Ctrl-C with the last frame printed); append elsewhere. */
async function watch(t: ReadingTarget, aws: AwsTarget, opts: StatusOptions): Promise<StackStatus> {
  const tty = Boolean(process.stdout.isTTY) && !opts.json;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (tty) process.stdout.write('\x1b[?1049h');
  let last: StackStatus | undefined;
  try {
    while (!stop.signal.aborted) {
      last = await observeOnce(t, aws, opts);
      const frame = render(last, Boolean(opts.json));
      process.stdout.write(tty ? `\x1b[H\x1b[2J${frame}(refreshing every ${opts.interval ?? 5} s; Ctrl-C to stop)\n` : opts.json ? frame : `${frame}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, (opts.interval ?? 5) * 1000);
        stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty) {
      process.stdout.write('\x1b[?1049l');
      if (last) process.stdout.write(render(last, false));
    }
  }
  if (!last) throw new ThreeTierError('INTERRUPTED', 'stopped before the first observation', { kind: 'interrupted' });
  return last;
}

export async function runStatus(opts: StatusOptions): Promise<void> {
  const chosen = await chooseStack(opts, 'three-tier status');
  const t = await readingTarget(chosen, opts);
  const aws = await connect({ ...opts, ...(t.endpointUrl === undefined ? {} : { endpointUrl: t.endpointUrl }), sandbox: t.sandbox, stack: t.stack, region: t.region, manifestPath: t.manifestPath });
  let status: StackStatus;
  try {
    if (opts.watch) status = await watch(t, aws, opts);
    else {
      status = await observeOnce(t, aws, opts);
      process.stdout.write(render(status, Boolean(opts.json)));
    }
  } finally {
    await aws.close();
  }
  // The report is the result, whatever the verdict: the exit code says it, no error is printed on top.
  exitWith(exitCodeOf(status));
}
