/**
 * The sandbox's data plane, on loopback only: a task of the bundled API runs as a real process (processes.ts) and
 * an internet-facing load balancer with an HTTP listener listens on a local port and forwards to its target group's
 * healthy targets (round robin; 503 when there is no target to send to; fail-open to unhealthy ones when no target
 * is healthy, as an ALB does). The world stays the one truth: the data plane reads it at each tick (a reconciler)
 * to start and stop processes and load balancer ports, and writes back what happened in real time (log lines, an
 * exit, health verdicts through `health`). Without a data plane, tasks are simulated as before.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ResourceType, type TargetGroupData } from '../model.js';
import type { Resource, World } from '../world.js';
import { resolveImage } from '../images.js';
import { forwardedGroups, listeners, type LoadBalancerData } from '../services/elbv2/model.js';
import type { TaskData } from '../services/ecs/model.js';
import { stopTask, taskDefinitionOf } from '../services/ecs/tasks.js';
import { appendLogEvent, createLogGroup, logGroup } from '../services/logs/store.js';
import { targetGroup } from '../targets.js';
import type { DataPlaneConfig } from './config.js';
import { processEnvironment } from './env.js';
import { attachDataPlane } from './registry.js';
import { freePort, TaskProcess } from './processes.js';

/** Run `fn` against the world in the sandbox's order of changes (after pending transitions), then persist. */
export type WorldRunner = <T>(fn: (world: World) => T) => Promise<T>;

/** Fargate's default stop timeout (ECS agent: SIGTERM, then SIGKILL 30 s later); a container may set 2-120 s. */
const DEFAULT_STOP_TIMEOUT_S = 30;
/**
 * How often the data plane ticks the world while it runs processes. The simulated cloud otherwise advances only
 * when a call comes in; real processes must get their SIGTERM, and their exits must be seen, when they are due.
 */
const HEARTBEAT_MS = 200;
/** How long the sandbox's close waits after SIGTERM before it kills what is left. */
const CLOSE_GRACE_MS = 5_000;

const GONE = new Set(['STOPPING', 'DEPROVISIONING', 'STOPPED']);

const ALB_PAGE = (code: number, text: string): string =>
  `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;

interface LoadBalancerPort {
  server: Server;
  ready: Promise<number>;
  port?: number;
  dnsName: string;
  listenerPort: number;
  next: number;
}

export interface DataPlaneLoadBalancer {
  loadBalancerArn: string;
  dnsName: string;
  /** http://127.0.0.1:PORT: where this load balancer answers on this machine. */
  url: string;
}

export class DataPlane {
  endpoint = '';
  private readonly processes = new Map<string, TaskProcess>();
  private readonly balancers = new Map<string, LoadBalancerPort>();
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onExit = (): void => {
    for (const p of this.processes.values()) p.killNow();
  };

  constructor(
    readonly config: DataPlaneConfig,
    private readonly run: WorldRunner,
  ) {
    process.on('exit', this.onExit);
  }

  /** Hook into a world: its reconciler runs the data plane, and ECS asks it for real health. */
  install(world: World): void {
    attachDataPlane(world, { runs: (arn) => this.processes.has(arn), checks: (arn) => this.processes.get(arn)?.takeChecks() });
    world.addReconciler((w) => this.reconcile(w));
    this.heartbeat = setInterval(() => {
      if (this.processes.size > 0) void this.run(() => undefined).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** The processes alive now (for tests and `close`). */
  pids(): number[] {
    return [...this.processes.values()].filter((p) => p.alive && p.pid !== undefined).map((p) => p.pid ?? 0);
  }

  /** Whether a task runs the bundled API: its essential container's image is one in the sandbox's own registry. */
  private runsApi(world: World, task: TaskData): boolean {
    const td = taskDefinitionOf(world, task.taskDefinitionArn);
    const essential = td?.data.containerDefinitions.find((c) => c.essential !== false);
    if (!essential?.image) return false;
    const image = resolveImage(world, essential.image);
    return image.pullable && image.digest !== undefined;
  }

  reconcile(world: World): void {
    if (this.closed) return;
    const tasks = new Map(world.list<TaskData>(ResourceType.ecsTask).map((t) => [t.id, t]));
    for (const task of tasks.values()) {
      const p = this.processes.get(task.id);
      if (!p && task.state === 'RUNNING' && task.data.desiredStatus === 'RUNNING' && this.runsApi(world, task.data)) this.launch(world, task);
    }
    for (const [arn, p] of this.processes) {
      const task = tasks.get(arn);
      if (task) this.apply(world, task, p);
      if (p.alive && (!task || GONE.has(task.state))) p.terminate();
      if (!task && !p.alive) this.processes.delete(arn);
    }
    this.reconcileBalancers(world);
  }

  private launch(world: World, task: Resource<TaskData>): void {
    const td = taskDefinitionOf(world, task.data.taskDefinitionArn);
    const container = td?.data.containerDefinitions.find((c) => c.essential !== false);
    if (!td || !container) return;
    const ref = task.data.targets[0];
    const tg = ref ? targetGroup(world, ref.targetGroupArn) : undefined;
    const health = tg
      ? TaskProcess.settings({
          path: tg.data.healthCheckPath,
          intervalSeconds: tg.data.healthCheckIntervalSeconds,
          matcher: tg.data.matcher,
          timeScale: world.config.timeScale,
        })
      : undefined;
    const log = task.data.containers.find((c) => c.name === container.name)?.log;
    const p = new TaskProcess(task.id, task.data.privateIp, log, health, (container.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S) * 1000);
    this.processes.set(task.id, p);
    const env = processEnvironment({ world, container, config: this.config, port: 0, endpoint: this.endpoint });
    void freePort().then(
      (port) => {
        if (this.closed || p.stopping) p.failToStart('the sandbox closed before the process started');
        else p.start(env, port);
      },
      (e: unknown) => p.failToStart(`no free port on 127.0.0.1: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Write what the process did since the last tick into the world: its lines, then its exit. */
  private apply(world: World, task: Resource<TaskData>, p: TaskProcess): void {
    if (p.lines.length > 0) {
      const lines = p.lines.splice(0);
      if (p.log) {
        if (!logGroup(world, p.log.group) && p.log.createGroup) createLogGroup(world, p.log.group);
        for (const l of lines) appendLogEvent(world, p.log.group, p.log.stream, l.text, l.at);
      }
      world.markChanged();
    }
    if (!p.exit || p.exitApplied) return;
    p.exitApplied = true;
    const exitCode = p.exit.code;
    for (const c of task.data.containers) {
      if (!c.essential) continue;
      c.exitCode = exitCode;
      c.lastStatus = 'STOPPED';
    }
    if (task.data.desiredStatus === 'RUNNING') {
      // The container ended on its own: ECS stops the task (and the service replaces it).
      stopTask(world, task, { reason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', failed: true });
    }
    task.data.version++;
    world.markChanged();
  }

  private reconcileBalancers(world: World): void {
    const wanted = new Map<string, { dnsName: string; listenerPort: number }>();
    for (const lb of world.list<LoadBalancerData>(ResourceType.loadBalancer)) {
      if (lb.state !== 'active' || lb.data.scheme !== 'internet-facing') continue;
      const http = listeners(world)
        .filter((l) => l.data.loadBalancerArn === lb.id && l.data.protocol === 'HTTP')
        .sort((a, b) => a.data.port - b.data.port)[0];
      if (http) wanted.set(lb.id, { dnsName: lb.data.dnsName, listenerPort: http.data.port });
    }
    for (const [arn, b] of this.balancers) {
      if (wanted.has(arn)) continue;
      this.balancers.delete(arn);
      b.server.close();
      b.server.closeAllConnections();
    }
    for (const [arn, w] of wanted) if (!this.balancers.has(arn)) this.openBalancer(arn, w.dnsName, w.listenerPort);
  }

  private openBalancer(arn: string, dnsName: string, listenerPort: number): void {
    const server = createServer((req, res) => void this.forward(arn, req, res));
    const entry: LoadBalancerPort = { server, dnsName, listenerPort, next: 0, ready: Promise.resolve(0) };
    entry.ready = new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        entry.port = (server.address() as AddressInfo).port;
        resolve(entry.port);
      });
    });
    entry.ready.catch(() => undefined);
    this.balancers.set(arn, entry);
  }

  /** The process a request goes to: a healthy target, round robin; with none healthy, the unhealthy ones (fail-open). */
  private pick(world: World, lbArn: string): { port: number; listenerPort: number } | undefined {
    const b = this.balancers.get(lbArn);
    if (!b) return undefined;
    const listener = listeners(world)
      .filter((l) => l.data.loadBalancerArn === lbArn && l.data.protocol === 'HTTP')
      .sort((x, y) => x.data.port - y.data.port)[0];
    const groups = listener ? forwardedGroups(listener.data.defaultActions) : [];
    const targets = groups.flatMap((arn) => world.get<TargetGroupData>(ResourceType.targetGroup, arn)?.data.targets ?? []);
    const healthy = targets.filter((t) => t.state === 'healthy');
    const pool = healthy.length > 0 ? healthy : targets.filter((t) => t.state === 'unhealthy');
    const ports: number[] = [];
    for (const t of pool) {
      const p = [...this.processes.values()].find((x) => x.privateIp === t.id && x.alive && x.port !== undefined);
      if (p?.port !== undefined) ports.push(p.port);
    }
    if (ports.length === 0) return undefined;
    const port = ports[b.next % ports.length] ?? ports[0] ?? 0;
    b.next++;
    return { port, listenerPort: listener?.data.port ?? b.listenerPort };
  }

  private async forward(lbArn: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let target: { port: number; listenerPort: number } | undefined;
    try {
      target = await this.run((world) => this.pick(world, lbArn));
    } catch {
      target = undefined;
    }
    if (!target) {
      req.resume();
      albError(res, 503, 'Service Temporarily Unavailable');
      return;
    }
    const headers = { ...req.headers };
    const client = req.socket.remoteAddress ?? '127.0.0.1';
    const forwardedFor = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = String(target.listenerPort);
    headers['x-amzn-trace-id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const upstream = request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) albError(res, 502, 'Bad Gateway');
      else res.destroy();
    });
    req.pipe(upstream);
  }

  /** The load balancers that answer on this machine, once their ports are open. */
  async loadBalancers(world: World): Promise<DataPlaneLoadBalancer[]> {
    const out: DataPlaneLoadBalancer[] = [];
    for (const [arn, b] of this.balancers) {
      if (!world.get(ResourceType.loadBalancer, arn)) continue;
      try {
        out.push({ loadBalancerArn: arn, dnsName: b.dnsName, url: `http://127.0.0.1:${await b.ready}` });
      } catch {
        // A port that could not be opened is not listed.
      }
    }
    return out;
  }

  /** Stop every process (SIGTERM, SIGKILL after a grace) and close every load balancer port. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const b of this.balancers.values()) {
      b.server.close();
      b.server.closeAllConnections();
    }
    this.balancers.clear();
    await Promise.all([...this.processes.values()].map((p) => p.stop(CLOSE_GRACE_MS)));
    process.off('exit', this.onExit);
  }
}

function albError(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = ALB_PAGE(status, text);
  res.writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
