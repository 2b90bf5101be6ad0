/**
 * CloudWatch Logs data: log groups (resource type `log-group`, id = the group name) with their streams and events.
 * ECS writes what a task's containers print here (awslogs driver), so `three-tier status` can read why a task died.
 */
import { ResourceType } from '../../model.js';
import type { Resource, World } from '../../world.js';

export interface LogEventData {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStreamData {
  creationTime: number;
  events: LogEventData[];
}

export interface LogGroupData {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  streams: Record<string, LogStreamData>;
}

/** Streams keep at most this many events (the oldest go first), so a crash-looping task cannot grow the world. */
const MAX_EVENTS_PER_STREAM = 1000;

export function logGroupArn(world: World, name: string): string {
  return world.arn('logs', `log-group:${name}`);
}

export function createLogGroup(world: World, name: string, tags: Record<string, string> = {}): Resource<LogGroupData> {
  return world.create<LogGroupData>('logs', ResourceType.logGroup, name, {
    state: 'active',
    tags,
    data: { logGroupName: name, creationTime: world.now(), logGroupClass: 'STANDARD', streams: {} },
  });
}

export function logGroup(world: World, name: string): Resource<LogGroupData> | undefined {
  return world.get<LogGroupData>(ResourceType.logGroup, name);
}

/** Append a line to a stream (creating the stream); false when the group does not exist. `timestamp`: when it was written. */
export function appendLogEvent(world: World, groupName: string, streamName: string, message: string, timestamp?: number): boolean {
  const group = logGroup(world, groupName);
  if (!group) return false;
  const now = world.now();
  const stream = (group.data.streams[streamName] ??= { creationTime: now, events: [] });
  stream.events.push({ timestamp: timestamp ?? now, message, ingestionTime: now });
  if (stream.events.length > MAX_EVENTS_PER_STREAM) stream.events.splice(0, stream.events.length - MAX_EVENTS_PER_STREAM);
  return true;
}
