import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Schema } from '@smithy/types';
import { AwsError } from './errors.js';
import { parseQueryInput } from './protocol/query.js';
import { parseJsonInput } from './protocol/json.js';
import { route, serviceOfHeaders, type Routed } from './protocol/route.js';
import { send, sendError, sendOutput } from './protocol/answer.js';
import type { SandboxService } from './service.js';
import { services } from './services/index.js';
import { World, type WorldConfig } from './world.js';
import { installEnis } from './enis.js';
import { handleControl } from './control.js';
import { StateFile } from './state-file.js';
import { readBody } from './request-body.js';
import { refuseControlBody, refuseRequest, type Refusal } from './request-guard.js';
import { notModelledMessage } from './unmodelled.js';
import { DataPlane } from './dataplane/index.js';
import type { DataPlaneConfig } from './dataplane/config.js';

export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  world?: Partial<WorldConfig>;
  /** Persist the simulated cloud to this file (and load it at start), so separate processes share one cloud. */
  stateFile?: string;
  /** How long a client may take to send a whole request (headers and body) before it is answered 408; default 60 s. */
  requestTimeoutMs?: number;
  /** Run tasks of the bundled API as local processes against this PostgreSQL and Redis (docs/sandbox/ecs.md). */
  dataPlane?: DataPlaneConfig;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  world: World;
  /** Set when the data plane is on. */
  dataPlane: DataPlane | undefined;
  close(): Promise<void>;
}

/** The simulator only ever listens on loopback. */
const HOST = '127.0.0.1';
/** The largest body the sandbox reads: above any modelled call (PutLogEvents takes 1 MiB of events). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

type OperationSchema = [number, string, string, unknown, Schema, Schema];

/**
 * Operations that only read, by AWS's naming rule. Any other operation may change a resource's data in place,
 * so the world counts as changed after it (and `--state` saves); a read saves only what World itself saw change.
 */
const READ_OPERATION = /^(?:Describe|List|Get|BatchGet)[A-Z]/;

/** Build a world with every service's listeners installed. */
export function createWorld(config: Partial<WorldConfig> = {}): World {
  const world = new World(config);
  installEnis(world);
  for (const s of services) s.install?.(world);
  return world;
}

function throttleError(service: SandboxService): AwsError {
  if (service.protocol === 'ec2') return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
  if (service.protocol === 'query') return new AwsError('Throttling', 'Rate exceeded', 400);
  return new AwsError('ThrottlingException', 'Rate exceeded', 400);
}

function serverError(service: SandboxService): AwsError {
  if (service.protocol === 'ec2') return new AwsError('InternalError', 'An internal error has occurred', 500);
  return new AwsError('InternalFailure', 'An internal error has occurred', 500);
}

/** A refused request in the words its client understands: each protocol's access-denied code. */
function refusalError(service: SandboxService | undefined, refusal: Refusal): AwsError {
  const code = !service || service.protocol === 'json' ? 'AccessDeniedException' : service.protocol === 'ec2' ? 'UnauthorizedOperation' : 'AccessDenied';
  return new AwsError(code, refusal.message, refusal.status);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

export class SandboxServer {
  readonly world: World;
  readonly dataPlane: DataPlane | undefined;
  private readonly state: StateFile | undefined;
  private readonly requestTimeoutMs: number;
  private server: Server | undefined;
  private port = 0;
  /**
   * State changes happen one at a time, in the order requests finished arriving: simple, and like one AWS account's
   * view. Only the serving is queued; bodies are read as they come, so a slow or vanished client holds up nobody.
   */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: SandboxOptions = {}) {
    this.world = createWorld(options.world);
    this.state = options.stateFile ? new StateFile(options.stateFile) : undefined;
    this.state?.loadInto(this.world);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (options.dataPlane) {
      this.dataPlane = new DataPlane(options.dataPlane, (fn) => this.inOrder(fn));
      this.dataPlane.install(this.world);
    }
  }

  /** Run `fn` in the order of changes, as a call would be served: the state refreshed and ticked first, saved after. */
  private inOrder<T>(fn: (world: World) => T): Promise<T> {
    const run = this.queue.then(() => {
      this.state?.refresh(this.world);
      this.world.tick();
      try {
        return fn(this.world);
      } finally {
        this.state?.save(this.world);
      }
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  get endpoint(): string {
    return `http://${HOST}:${this.port}`;
  }

  async listen(port = 0): Promise<number> {
    const timeout = this.requestTimeoutMs;
    const server = createServer(
      {
        // A client that has not sent its whole request by then is answered 408 and disconnected.
        requestTimeout: timeout,
        headersTimeout: timeout,
        // How often Node looks for such clients (its default, 30 s, would let a short timeout run long).
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(timeout / 4))),
      },
      (req, res) => this.accept(req, res),
    );
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    if (this.dataPlane) this.dataPlane.endpoint = this.endpoint;
    return this.port;
  }

  async close(): Promise<void> {
    await this.dataPlane?.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Check who is asking, read the body, then queue the serving. */
  private accept(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox');
    } catch {
      sendJson(res, 400, { error: `The request target ${JSON.stringify(req.url ?? '')} is not a path.` });
      return;
    }
    const control = url.pathname.startsWith('/_sandbox/');
    const hint = control ? undefined : serviceOfHeaders(req);
    const refusal = refuseRequest(req, this.port) ?? (control ? refuseControlBody(req) : undefined);
    if (refusal) {
      if (control) sendJson(res, refusal.status, { error: refusal.message });
      else sendError(res, hint, refusalError(hint, refusal), requestId);
      return;
    }
    void readBody(req, MAX_BODY_BYTES).then((body) => {
      if (body.kind === 'closed') return;
      if (body.kind === 'too-large') {
        const message = `Request body of ${body.bytes} bytes is larger than the ${MAX_BODY_BYTES} bytes the sandbox reads.`;
        if (control) sendJson(res, 413, { error: message });
        else sendError(res, hint, new AwsError('RequestEntityTooLarge', message, 413), requestId);
        return;
      }
      const job = control ? () => this.serveControl(req, res, url, body.text) : () => this.serveAws(req, res, body.text, hint, requestId);
      const enqueue = (): void => {
        const run = this.queue.then(() => (res.destroyed || req.socket.destroyed ? undefined : job()));
        this.queue = run.catch(() => undefined);
      };
      // The latency fault delays an AWS call before it joins the queue, so concurrent calls wait side by side, as
      // they would on AWS; control routes are not AWS calls and are never delayed.
      const latency = this.world.config.faults.latencyMs;
      if (latency > 0 && !control) setTimeout(enqueue, latency);
      else enqueue();
    });
  }

  private async serveControl(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    try {
      this.state?.refresh(this.world);
      this.world.tick();
      const answer =
        url.pathname === '/_sandbox/data-plane' && req.method === 'GET'
          ? {
              status: 200,
              body: {
                enabled: this.dataPlane !== undefined,
                loadBalancers: (await this.dataPlane?.loadBalancers(this.world)) ?? [],
                ...(this.dataPlane?.config.cacheKeyPrefix === undefined ? {} : { cacheKeyPrefix: this.dataPlane.config.cacheKeyPrefix }),
              },
            }
          : await handleControl(this.world, req.method ?? 'GET', url, body, this.endpoint);
      // A POST that succeeded changed something (reset, faults, a staged image may move a tag in place).
      if (req.method === 'POST' && answer.status < 300) this.world.markChanged();
      this.state?.save(this.world);
      sendJson(res, answer.status, answer.body);
    } catch (e) {
      sendJson(res, 500, { error: `sandbox error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async serveAws(req: IncomingMessage, res: ServerResponse, body: string, hint: SandboxService | undefined, requestId: string): Promise<void> {
    let service = hint;
    try {
      this.state?.refresh(this.world);
      if (req.method !== 'POST') throw new AwsError('InvalidAction', `The sandbox serves AWS APIs with POST; got ${req.method ?? ''} ${req.url ?? ''}`);
      const routed = route(req, body);
      service = routed.service;
      this.world.countCall(service.name, routed.operation);
      const faults = this.world.config.faults;
      if (faults.throttleRate > 0 && this.world.random.next() < faults.throttleRate) throw throttleError(service);
      if (faults.errorRate > 0 && this.world.random.next() < faults.errorRate) throw serverError(service);
      await this.dispatch(res, routed, requestId);
    } catch (e) {
      const error = e instanceof AwsError ? e : new AwsError('InternalFailure', `sandbox error: ${e instanceof Error ? e.message : String(e)}`, 500);
      sendError(res, service, error, requestId);
    }
  }

  private async dispatch(res: ServerResponse, routed: Routed, requestId: string): Promise<void> {
    const { service, operation } = routed;
    const handler = service.handlers[operation];
    const client = await service.loadClient();
    const schema = client[`${operation}$`] as OperationSchema | undefined;
    if (!handler || !schema) {
      const code = service.protocol === 'json' ? 'UnknownOperationException' : 'InvalidAction';
      throw new AwsError(code, notModelledMessage(service.name, operation));
    }
    const [, , , , inputSchema, outputSchema] = schema;
    const input =
      service.protocol === 'json'
        ? parseJsonInput(inputSchema, routed.jsonBody ?? '')
        : parseQueryInput(inputSchema, routed.params ?? new Map(), { ec2: service.protocol === 'ec2' });
    this.world.tick();
    let output: Record<string, unknown>;
    try {
      output = ((await (handler as (i: unknown, c: unknown) => unknown)(input, { world: this.world, service: service.name, operation, requestId, endpoint: this.endpoint })) ?? {}) as Record<string, unknown>;
    } finally {
      // A handler may have changed state before failing; persist what is true either way.
      if (!READ_OPERATION.test(operation)) this.world.markChanged();
      this.state?.save(this.world);
    }
    sendOutput(res, service, operation, outputSchema, output, requestId);
  }
}

/** Start a sandbox on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = new SandboxServer(options);
  const port = await server.listen(options.port ?? 0);
  return { endpoint: server.endpoint, port, world: server.world, dataPlane: server.dataPlane, close: () => server.close() };
}
