import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type Service, type Task } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../aws/clients.js';
import { isAwsError, isNotFound } from '../aws/errors.js';
import { logStreamOf, type StackNames } from '../names.js';
import { gone, seen, valueOf, type Reads, type Seen } from './read.js';

/**
 * The service side: DescribeServices (deployments, counts, events, tags) and ListTasks of the stopped tasks at
 * once, then DescribeTasks for their reasons. Only when some stopped for a reason that is not routine, one
 * FilterLogEvents reads what their containers last wrote: "exec format error" is only there.
 */
export interface EcsObservation {
  /** The cluster exists (DescribeServices answered rather than ClusterNotFoundException). */
  cluster: Seen<true>;
  service: Seen<Service>;
  /** The last stopped tasks of the service, newest first. */
  stoppedTasks: Seen<Task[]>;
  /** Log lines of those tasks, by task id. */
  logLines: Map<string, string[]>;
}

/** How many stopped tasks status shows, and how many of them it reads the logs of. */
export const STOPPED_SHOWN = 5;
const LOGS_READ = 3;

const clusterGone = (err: unknown): boolean => isAwsError(err, 'ClusterNotFoundException') || isNotFound(err);
const serviceGone = (err: unknown): boolean => clusterGone(err) || isAwsError(err, 'ServiceNotFoundException');

/** Stops ECS makes in normal operation: an old deployment scaled in, a StopTask by someone. */
export function routineStop(task: Task): boolean {
  return /Scaling activity initiated|Task stopped by user/i.test(task.stoppedReason ?? '') || task.stopCode === 'UserInitiated';
}

export function taskIdOf(task: Task): string {
  return task.taskArn?.split('/').pop() ?? '';
}

async function stopped(reads: Reads, clients: AwsClients, names: StackNames): Promise<Seen<Task[]>> {
  const list = await reads.read(
    'ecs',
    'ListTasks',
    async () => (await clients.ecs.send(new ListTasksCommand({ cluster: names.cluster, serviceName: names.service, desiredStatus: 'STOPPED' }))).taskArns ?? [],
    serviceGone,
  );
  const arns = (valueOf(list) ?? []).slice(0, 100);
  if (list.state !== 'seen') return list.state === 'failed' ? list : seen([]);
  if (arns.length === 0) return seen([]);
  const tasks = await reads.read('ecs', 'DescribeTasks', async () => (await clients.ecs.send(new DescribeTasksCommand({ cluster: names.cluster, tasks: arns }))).tasks ?? [], serviceGone);
  if (tasks.state !== 'seen') return tasks.state === 'failed' ? tasks : seen([]);
  const newest = [...tasks.value].sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
  return seen(newest.slice(0, STOPPED_SHOWN));
}

async function logLines(reads: Reads, clients: AwsClients, logGroup: string, tasks: Task[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const ids = tasks.filter((t) => !routineStop(t)).slice(0, LOGS_READ).map(taskIdOf).filter(Boolean);
  if (ids.length === 0) return out;
  const streams = new Map(ids.map((id) => [logStreamOf(id), id]));
  const events = await reads.read('logs', 'FilterLogEvents', async () =>
    (await clients.logs.send(new FilterLogEventsCommand({ logGroupName: logGroup, logStreamNames: [...streams.keys()], limit: 500 }))).events ?? [],
  );
  for (const e of valueOf(events) ?? []) {
    const id = streams.get(e.logStreamName ?? '');
    if (!id || !e.message) continue;
    out.set(id, [...(out.get(id) ?? []), e.message].slice(-20));
  }
  return out;
}

export async function observeEcs(reads: Reads, clients: AwsClients, names: StackNames): Promise<EcsObservation> {
  let clusterFound = true;
  const [service, stoppedTasks] = await Promise.all([
    reads.read(
      'ecs',
      'DescribeServices',
      async () => {
        const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: names.cluster, services: [names.service], include: ['TAGS'] }));
        // A missing service is a `failures` entry, not an error.
        const svc = out.services?.find((s) => s.serviceName === names.service);
        return svc && svc.status !== 'INACTIVE' ? svc : undefined;
      },
      (err) => {
        if (!clusterGone(err)) return false;
        clusterFound = false;
        return true;
      },
    ),
    stopped(reads, clients, names),
  ]);
  const cluster: Seen<true> = service.state === 'failed' ? service : clusterFound ? seen(true) : gone;
  const logs = await logLines(reads, clients, names.logGroup, valueOf(stoppedTasks) ?? []);
  return { cluster, service, stoppedTasks, logLines: logs };
}
