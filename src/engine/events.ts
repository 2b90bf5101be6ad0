/**
 * The core never prints: it reports typed events to a sink. The CLI renders them (listr2 on a TTY, plain lines
 * without one, JSON lines with --json); tests record them.
 */
export type ResourcePhase = 'planned' | 'creating' | 'waiting' | 'ready' | 'adopted' | 'unchanged' | 'stopped' | 'deleting' | 'gone' | 'retrying' | 'failed' | 'skipped';

export interface ResourceEvent {
  type: 'resource';
  /** Logical id in the graph (vpc, subnet-public-a, nat, ...). */
  id: string;
  kind: string;
  phase: ResourcePhase;
  /** What it waits for, why it retries, why it was skipped, or the error. */
  detail?: string;
  /** The AWS identity once known (vpc-..., an ARN, a name). */
  awsId?: string;
  /** Wall ms since the resource's work started. */
  elapsedMs?: number;
  at: number;
}

export interface MessageEvent {
  type: 'message';
  level: 'info' | 'warn';
  text: string;
  at: number;
}

export type EngineEvent = ResourceEvent | MessageEvent;

export type EventSink = (event: EngineEvent) => void;

/** A sink that keeps every event, for tests and for summaries. */
export function recordingSink(): EventSink & { events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  const sink = ((e: EngineEvent) => {
    events.push(e);
  }) as EventSink & { events: EngineEvent[] };
  sink.events = events;
  return sink;
}

export const nullSink: EventSink = () => undefined;
