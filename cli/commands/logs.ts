import { followLogLines, formatLogLine, jsonLogLine, parseSince, readLogLines, checkTaskId, type LogLine, type LogQuery } from '../../src/logs.js';
import { isThreeTierError } from '../../src/errors.js';
import { stackNames } from '../../src/names.js';
import { connect, type CommonOptions } from '../aws-context.js';
import { ExitCode, exitWith } from '../exit-codes.js';
import { interruptOnSignals } from '../interrupt.js';
import { chooseStack, readingTarget } from '../stacks.js';

export interface LogsOptions extends CommonOptions {
  follow?: boolean;
  since?: string;
  task?: string;
}

/** How often --follow asks for new lines: often enough to feel live, not more than CloudWatch needs. */
const FOLLOW_POLL_MS = { min: 200, max: 2_000 };

/**
 * `three-tier logs`: read-only (no lock, like status). The stack's log group comes from its manifest (or its
 * derived name when the manifest is lost); each line on stdout, readable or as JSON; --follow until Ctrl-C, which
 * ends it quietly with exit 130.
 */
export async function runLogs(opts: LogsOptions): Promise<void> {
  // Every flag is checked before anything is read.
  const startTime = parseSince(opts.since ?? '10m');
  const task = opts.task === undefined ? undefined : checkTaskId(opts.task);
  const chosen = await chooseStack(opts, 'three-tier logs');
  const t = await readingTarget(chosen, opts);
  const aws = await connect({ ...opts, ...(t.endpointUrl === undefined ? {} : { endpointUrl: t.endpointUrl }), sandbox: t.sandbox, stack: t.stack, region: t.region, manifestPath: t.manifestPath });
  const interrupt = interruptOnSignals();
  const print = (line: LogLine): void => {
    process.stdout.write(`${opts.json ? jsonLogLine(line) : formatLogLine(line)}\n`);
  };
  try {
    const group = t.manifest?.resources['log-group']?.outputs?.['name'] ?? stackNames(t.stack).logGroup;
    const query: LogQuery = { group, startTime, signal: interrupt.signal, ...(task ? { task } : {}) };
    if (!opts.follow) {
      const lines = await readLogLines(aws.clients, query);
      for (const line of lines) print(line);
      if (lines.length === 0 && !opts.json) process.stderr.write(`No log lines in ${group} since ${new Date(startTime).toISOString()}${task ? ` for task ${task}` : ''}.\n`);
      return;
    }
    const pollMs = Math.min(FOLLOW_POLL_MS.max, Math.max(FOLLOW_POLL_MS.min, aws.timing.pollMs));
    if (!opts.json) process.stderr.write(`Following ${group}${task ? ` (task ${task})` : ''} from ${new Date(startTime).toISOString()}; Ctrl-C to stop.\n`);
    await followLogLines(aws.clients, query, { pollMs, onLine: print });
  } catch (err) {
    // Ctrl-C is how --follow ends: quietly, with the interrupted exit code.
    if (isThreeTierError(err) && err.code === 'INTERRUPTED') {
      exitWith(ExitCode.interrupted);
      return;
    }
    throw err;
  } finally {
    interrupt.dispose();
    await aws.close();
  }
}
