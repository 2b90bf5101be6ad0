import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from './aws/clients.js';
import { isAwsError } from './aws/errors.js';
import { interrupted, sleep } from './aws/wait.js';
import { ThreeTierError, usageError } from './errors.js';
import { logStreamOf } from './names.js';

/**
 * The service's log lines: what the API's containers wrote, read from the stack's log group with FilterLogEvents
 * (one call across every task's stream, events interleaved by time, paginated by nextToken). The awslogs driver
 * names each stream `<prefix>/<container>/<task id>`, so the task id comes from the stream name and `--task` is a
 * stream-name prefix. Following polls from the last time seen, a little before it (CloudWatch can take seconds to
 * ingest an event, which then arrives with an older timestamp), and skips the event ids it has printed.
 */
export interface LogLine {
  /** Epoch ms of the event. */
  timestamp: number;
  taskId: string;
  logStream: string;
  message: string;
  eventId: string;
}

export interface LogQuery {
  group: string;
  /** Epoch ms: from then on (inclusive). */
  startTime: number;
  /** Only tasks whose id starts with this. */
  task?: string;
  signal?: AbortSignal;
}

/** What --since accepts, in words for the error. */
const SINCE_RULE = 'a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time such as 2026-01-30T12:00:00Z';
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --since as epoch ms: a duration back from `now`, or an ISO time (not in the future). */
export function parseSince(value: string, now = Date.now()): number {
  const duration = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] ?? 1_000);
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(iso)) throw usageError('BAD_SINCE', `--since "${value}" is not a time: use ${SINCE_RULE}.`);
  if (iso > now) throw usageError('BAD_SINCE', `--since "${value}" is in the future: use ${SINCE_RULE}.`);
  return iso;
}

/** What --task accepts: a task id (32 hex digits) or the start of one. */
export function checkTaskId(value: string): string {
  const id = value.trim().split('/').pop() ?? '';
  if (!/^[0-9a-f]{1,32}$/.test(id)) throw usageError('BAD_TASK', `--task "${value}" is not an ECS task id: use the task's id (32 hexadecimal digits, or the start of them), as logs and status print it.`);
  return id;
}

function lineOf(e: FilteredLogEvent): LogLine {
  const logStream = e.logStreamName ?? '';
  return { timestamp: e.timestamp ?? 0, taskId: logStream.split('/').pop() ?? logStream, logStream, message: (e.message ?? '').replace(/\n$/, ''), eventId: e.eventId ?? `${e.timestamp ?? 0}:${logStream}` };
}

/** Every event of the query, oldest first, following nextToken to the end. */
export async function readLogLines(clients: AwsClients, q: LogQuery): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let nextToken: string | undefined;
  do {
    if (q.signal?.aborted) throw interrupted();
    let out;
    try {
      out = await clients.logs.send(
        new FilterLogEventsCommand({
          logGroupName: q.group,
          logStreamNamePrefix: logStreamOf(q.task ?? ''),
          startTime: q.startTime,
          ...(nextToken ? { nextToken } : {}),
        }),
        q.signal ? { abortSignal: q.signal } : {},
      );
    } catch (err) {
      if (q.signal?.aborted) throw interrupted();
      if (isAwsError(err, 'ResourceNotFoundException')) {
        throw new ThreeTierError('NO_LOG_GROUP', `the log group ${q.group} does not exist: the stack's service has nowhere to write its lines`, {
          kind: 'usage',
          hints: ['check the stack name (three-tier list), or make the stack whole with three-tier up'],
        });
      }
      throw err;
    }
    for (const e of out.events ?? []) lines.push(lineOf(e));
    nextToken = out.nextToken;
  } while (nextToken);
  // Pages are in order; a stable sort keeps it so for equal times and puts late pages in place.
  return lines.sort((a, b) => a.timestamp - b.timestamp);
}

/** How far back each poll of --follow looks again, for events CloudWatch ingested late. */
const FOLLOW_OVERLAP_MS = 30_000;

/**
 * Print every line from `startTime` on, then keep polling until the signal aborts (Ctrl-C): each line once.
 * Ends with an "interrupted" error when aborted, as every long command does.
 */
export async function followLogLines(clients: AwsClients, q: LogQuery, o: { pollMs: number; onLine: (line: LogLine) => void }): Promise<never> {
  const printed = new Map<string, number>();
  let from = q.startTime;
  for (;;) {
    const lines = await readLogLines(clients, { ...q, startTime: from });
    for (const line of lines) {
      if (printed.has(line.eventId)) continue;
      printed.set(line.eventId, line.timestamp);
      o.onLine(line);
    }
    const newest = lines.reduce((m, l) => Math.max(m, l.timestamp), from);
    from = Math.max(q.startTime, newest - FOLLOW_OVERLAP_MS);
    // Only ids still inside the window can come back.
    for (const [id, ts] of printed) if (ts < from) printed.delete(id);
    await sleep(o.pollMs, q.signal);
  }
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * A line as a person reads it: the event time, the task id's first 8 digits, and for the API's JSON lines the
 * level, the message and the other fields as key=value (the line's own `time` is the event's); any other line as
 * it was written.
 */
export function formatLogLine(line: LogLine): string {
  const head = `${new Date(line.timestamp).toISOString()} ${line.taskId.slice(0, 8)}`;
  let parsed: unknown;
  try {
    parsed = line.message.startsWith('{') ? JSON.parse(line.message) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return `${head} ${line.message}`;
  const { level, msg, time: _time, ...rest } = parsed as Record<string, unknown>;
  const lvl = (typeof level === 'string' && LEVELS.has(level) ? level.toUpperCase() : level === undefined ? '-' : fieldText(level)).padEnd(5);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${fieldText(v)}`);
  return [head, lvl, typeof msg === 'string' ? msg : fieldText(msg ?? ''), ...fields].join(' ').trimEnd();
}

/** A line for --json: one object, the message raw. */
export function jsonLogLine(line: LogLine): string {
  return JSON.stringify({ time: new Date(line.timestamp).toISOString(), timestamp: line.timestamp, taskId: line.taskId, logStream: line.logStream, message: line.message, eventId: line.eventId });
}
