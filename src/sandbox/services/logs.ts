import { createHash } from 'node:crypto';
import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  LogGroup,
  PutRetentionPolicyRequest,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import { op, type SandboxService } from '../service.js';
import { AwsError } from '../errors.js';
import { ResourceType } from '../model.js';
import { pageSize } from '../paging.js';
import type { Resource, World } from '../world.js';
import { createLogGroup, logGroup, logGroupArn, type LogGroupData } from './logs/store.js';
import { checkGroupName, groupOf, invalid, limits, pageOf } from './logs/common.js';
import { logsReadHandlers } from './logs/reads.js';
import { logStreamHandlers } from './logs/streams.js';

/**
 * CloudWatch Logs (JSON 1.1): log groups with retention and tags, and reading the events that simulated ECS tasks
 * write with the awslogs driver (GetLogEvents, FilterLogEvents, DescribeLogStreams).
 */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** A log group from its ARN (with or without the trailing `:*`). */
function groupByArn(world: World, arn: string | undefined): Resource<LogGroupData> {
  const m = /^arn:aws:logs:([^:]*):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn ?? '');
  if (!m?.[3]) throw invalid(`Invalid resource arn: ${arn ?? ''}`);
  const group = logGroup(world, m[3]);
  if (!group || m[1] !== world.config.region || m[2] !== world.config.accountId) throw new AwsError('ResourceNotFoundException', 'The specified resource does not exist.', 400);
  return group;
}

function checkTags(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) {
    if (k.length < 1 || k.length > 128 || k.startsWith('aws:')) throw invalid(`Invalid tag key: ${k}`);
    if (v.length > 256) throw invalid(`Invalid tag value for key ${k}`);
    out[k] = v;
  }
  return out;
}

function toLogGroup(world: World, g: Resource<LogGroupData>): LogGroup {
  const arn = logGroupArn(world, g.id);
  const stored = Object.values(g.data.streams).reduce((n, s) => n + s.events.reduce((m, e) => m + e.message.length, 0), 0);
  const out: LogGroup = {
    logGroupName: g.id,
    creationTime: g.data.creationTime,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: stored,
    logGroupClass: g.data.logGroupClass as LogGroup['logGroupClass'],
    logGroupArn: arn,
  };
  if (g.data.retentionInDays !== undefined) out.retentionInDays = g.data.retentionInDays;
  if (g.data.kmsKeyId !== undefined) out.kmsKeyId = g.data.kmsKeyId;
  return out;
}

/**
 * The subset of the filter pattern syntax the sandbox understands: space-separated terms that must all occur,
 * "quoted phrases" matched whole, and the empty pattern matching everything. Case-sensitive, as on AWS.
 */
function matchesPattern(pattern: string | undefined, message: string): boolean {
  if (!pattern || pattern.trim() === '') return true;
  const terms = [...pattern.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')));
  return terms.every((t) => message.includes(t));
}

/**
 * An event's id, as FilterLogEvents gives it: unique within the group (AWS's are 56 decimal digits) and the same on
 * every call, so a client that polls can skip what it has seen. Time, then the stream (a hash of its name: two
 * streams' events can share a time and a position), then the position in the stream.
 */
function eventIdOf(stream: string, index: number, timestamp: number): string {
  const streamId = BigInt(`0x${createHash('sha256').update(stream).digest('hex').slice(0, 13)}`).toString().padStart(16, '0');
  return `${String(timestamp).padStart(20, '0')}${streamId}${String(index).padStart(20, '0')}`;
}

export const logs: SandboxService = {
  name: 'logs',
  protocol: 'json',
  targetPrefix: 'Logs_20140328',
  loadClient: () => import('@aws-sdk/client-cloudwatch-logs') as Promise<Record<string, unknown>>,
  handlers: {
    ...logsReadHandlers,
    ...logStreamHandlers,
    CreateLogGroup: op<CreateLogGroupRequest, Record<string, never>>((input, { world }) => {
      const name = checkGroupName(input.logGroupName);
      const tags = checkTags(input.tags);
      if (Object.keys(tags).length > 50) throw invalid('Too many tags: a log group can have at most 50 tags.');
      if (logGroup(world, name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists', 400);
      const g = createLogGroup(world, name, tags);
      if (input.logGroupClass !== undefined) g.data.logGroupClass = input.logGroupClass;
      if (input.kmsKeyId !== undefined) g.data.kmsKeyId = input.kmsKeyId;
      return {};
    }),

    DeleteLogGroup: op<DeleteLogGroupRequest, Record<string, never>>((input, { world }) => {
      const g = groupOf(world, input.logGroupName);
      world.remove(ResourceType.logGroup, g.id);
      return {};
    }),

    PutRetentionPolicy: op<PutRetentionPolicyRequest, Record<string, never>>((input, { world }) => {
      const days = input.retentionInDays;
      if (days === undefined || !RETENTION_DAYS.includes(days)) {
        throw invalid(`1 validation error detected: Value '${days ?? 'null'}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
      }
      const g = groupOf(world, input.logGroupName);
      g.data.retentionInDays = days;
      return {};
    }),

    DeleteRetentionPolicy: op<DeleteRetentionPolicyRequest, Record<string, never>>((input, { world }) => {
      const g = groupOf(world, input.logGroupName);
      delete g.data.retentionInDays;
      return {};
    }),

    DescribeLogGroups: op<DescribeLogGroupsRequest, DescribeLogGroupsResponse>((input, { world }) => {
      if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
        throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const pattern = input.logGroupNamePattern?.toLowerCase();
      const all = world
        .list<LogGroupData>(ResourceType.logGroup)
        .filter((g) => input.logGroupNamePrefix === undefined || g.id.startsWith(input.logGroupNamePrefix))
        .filter((g) => pattern === undefined || g.id.toLowerCase().includes(pattern))
        .filter((g) => input.logGroupClass === undefined || g.data.logGroupClass === input.logGroupClass)
        .filter((g) => input.logGroupIdentifiers === undefined || input.logGroupIdentifiers.some((i) => i === g.id || i === logGroupArn(world, g.id)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const p = pageOf(all, input.nextToken, input.limit, 50);
      const out: DescribeLogGroupsResponse = { logGroups: p.items.map((g) => toLogGroup(world, g)) };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    DescribeLogStreams: op<DescribeLogStreamsRequest, DescribeLogStreamsResponse>((input, { world }) => {
      const g = groupOf(world, input.logGroupName, input.logGroupIdentifier);
      const byTime = input.orderBy === 'LastEventTime';
      if (byTime && input.logStreamNamePrefix !== undefined) throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const streams = Object.entries(g.data.streams)
        .filter(([name]) => input.logStreamNamePrefix === undefined || name.startsWith(input.logStreamNamePrefix))
        .map(([name, s]) => {
          const first = s.events[0];
          const last = s.events[s.events.length - 1];
          return {
            logStreamName: name,
            creationTime: s.creationTime,
            ...(first ? { firstEventTimestamp: first.timestamp } : {}),
            ...(last ? { lastEventTimestamp: last.timestamp, lastIngestionTime: last.ingestionTime } : {}),
            arn: `${logGroupArn(world, g.id)}:log-stream:${name}`,
            storedBytes: 0,
          };
        })
        .sort((a, b) => (byTime ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) : a.logStreamName < b.logStreamName ? -1 : 1));
      if (input.descending) streams.reverse();
      const p = pageOf(streams, input.nextToken, input.limit, 50);
      const out: DescribeLogStreamsResponse = { logStreams: p.items };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    GetLogEvents: op<GetLogEventsRequest, GetLogEventsResponse>((input, { world }) => {
      const g = groupOf(world, input.logGroupName, input.logGroupIdentifier);
      const stream = g.data.streams[input.logStreamName ?? ''];
      if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.', 400);
      const limit = pageSize(input.limit, limits(10_000)) ?? 10_000;
      const events = stream.events.filter(
        (e) => (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp < input.endTime),
      );
      // Tokens are positions in the stream: f/N reads forward from N, b/N reads backward from N.
      let from: number;
      let to: number;
      const token = input.nextToken === undefined ? undefined : /^([fb])\/(\d+)$/.exec(input.nextToken);
      if (input.nextToken !== undefined && !token) throw invalid('The specified nextToken is invalid.');
      if (token?.[1] === 'f') {
        from = Math.min(Number(token[2]), events.length);
        to = Math.min(events.length, from + limit);
      } else if (token?.[1] === 'b') {
        to = Math.min(Number(token[2]), events.length);
        from = Math.max(0, to - limit);
      } else if (input.startFromHead) {
        from = 0;
        to = Math.min(events.length, limit);
      } else {
        to = events.length;
        from = Math.max(0, to - limit);
      }
      const pad = (n: number): string => String(n).padStart(20, '0');
      return {
        events: events.slice(from, to).map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${pad(to)}`,
        nextBackwardToken: `b/${pad(from)}`,
      };
    }),

    FilterLogEvents: op<FilterLogEventsRequest, FilterLogEventsResponse>((input, { world }) => {
      const g = groupOf(world, input.logGroupName, input.logGroupIdentifier);
      if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
        throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      }
      const names = Object.keys(g.data.streams)
        .filter((n) => input.logStreamNames === undefined || input.logStreamNames.includes(n))
        .filter((n) => input.logStreamNamePrefix === undefined || n.startsWith(input.logStreamNamePrefix))
        .sort();
      const matched = names
        .flatMap((name) => (g.data.streams[name]?.events ?? []).map((e, i) => ({ name, i, e })))
        .filter(({ e }) => (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp <= input.endTime))
        .filter(({ e }) => matchesPattern(input.filterPattern, e.message))
        .sort((a, b) => a.e.timestamp - b.e.timestamp);
      const p = pageOf(matched, input.nextToken, input.limit, 10_000);
      const out: FilterLogEventsResponse = {
        events: p.items.map(({ name, i, e }) => ({
          logStreamName: name,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: eventIdOf(name, i, e.timestamp),
        })),
        searchedLogStreams: names.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
      };
      if (p.nextToken !== undefined) out.nextToken = p.nextToken;
      return out;
    }),

    TagResource: op<TagResourceRequest, Record<string, never>>((input, { world }) => {
      const g = groupByArn(world, input.resourceArn);
      const tags = { ...g.tags, ...checkTags(input.tags) };
      if (Object.keys(tags).length > 50) throw new AwsError('TooManyTagsException', 'A resource can have no more than 50 tags.', 400);
      g.tags = tags;
      return {};
    }),

    UntagResource: op<UntagResourceRequest, Record<string, never>>((input, { world }) => {
      const g = groupByArn(world, input.resourceArn);
      for (const k of input.tagKeys ?? []) delete g.tags[k];
      return {};
    }),

    ListTagsForResource: op<ListTagsForResourceRequest, ListTagsForResourceResponse>((input, { world }) => ({ tags: { ...groupByArn(world, input.resourceArn).tags } })),

    ListTagsLogGroup: op<ListTagsLogGroupRequest, ListTagsLogGroupResponse>((input, { world }) => ({ tags: { ...groupOf(world, input.logGroupName).tags } })),
  },
};
