import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Schema } from '@smithy/types';
import { AwsError } from './errors.js';
import { ec2ErrorXml, ec2ResponseXml, parseQueryInput, queryErrorXml, queryResponseXml } from './protocol/query.js';
import { jsonErrorBody, jsonResponseBody, parseJsonInput } from './protocol/json.js';
import type { SandboxService } from './service.js';
import { services } from './services/index.js';
import { World, type WorldConfig } from './world.js';
import { installEnis } from './enis.js';
import { handleControl } from './control.js';
import { StateFile } from './state-file.js';

export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  world?: Partial<WorldConfig>;
  /** Persist the simulated cloud to this file (and load it at start), so separate processes share one cloud. */
  stateFile?: string;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  world: World;
  close(): Promise<void>;
}

/** The simulator only ever listens on loopback. */
const HOST = '127.0.0.1';
const MAX_BODY = 8 * 1024 * 1024;

type OperationSchema = [number, string, string, unknown, Schema, Schema];

/** Build a world with every service's listeners installed. */
export function createWorld(config: Partial<WorldConfig> = {}): World {
  const world = new World(config);
  installEnis(world);
  for (const s of services) s.install?.(world);
  return world;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AwsError('RequestEntityTooLarge', 'request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

interface Routed {
  service: SandboxService;
  operation: string;
  /** Raw input: form params (query protocols) or the JSON body text. */
  params?: Map<string, string>;
  jsonBody?: string;
}

function route(req: IncomingMessage, body: string): Routed | AwsError {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const service = services.find((s) => s.protocol === 'json' && s.targetPrefix === prefix);
    if (!service) return new AwsError('UnknownOperationException', `The sandbox does not serve ${target}`);
    return { service, operation, jsonBody: body };
  }
  const params = new Map<string, string>(new URLSearchParams(body));
  const action = params.get('Action');
  const version = params.get('Version');
  if (!action || !version) return new AwsError('MissingAction', 'Request has no Action and Version, and no X-Amz-Target header');
  const service = services.find((s) => s.protocol !== 'json' && s.version === version);
  if (!service) return new AwsError('InvalidAction', `The sandbox serves no API with Version=${version}`);
  return { service, operation: action, params };
}

function throttleError(service: SandboxService): AwsError {
  if (service.protocol === 'ec2') return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
  if (service.protocol === 'query') return new AwsError('Throttling', 'Rate exceeded', 400);
  return new AwsError('ThrottlingException', 'Rate exceeded', 400);
}

function serverError(service: SandboxService): AwsError {
  if (service.protocol === 'ec2') return new AwsError('InternalError', 'An internal error has occurred', 500);
  if (service.protocol === 'query') return new AwsError('InternalFailure', 'An internal error has occurred', 500);
  return new AwsError('InternalFailure', 'An internal error has occurred', 500);
}

function sendError(res: ServerResponse, service: SandboxService | undefined, error: AwsError, requestId: string): void {
  const headers = { 'x-amzn-requestid': requestId };
  if (!service || service.protocol === 'json') {
    send(res, error.status, 'application/x-amz-json-1.1', jsonErrorBody(error.code, error.message), { ...headers, 'x-amzn-errortype': error.code });
  } else if (service.protocol === 'ec2') {
    send(res, error.status, 'text/xml;charset=UTF-8', ec2ErrorXml(error.code, error.message, requestId), headers);
  } else {
    send(res, error.status, 'text/xml', queryErrorXml(service.xmlns ?? '', error.fault, error.code, error.message, requestId), headers);
  }
}

export class SandboxServer {
  readonly world: World;
  private readonly state: StateFile | undefined;
  private server: Server | undefined;
  private port = 0;
  /** Requests are served one at a time, as a sequence of state changes: simple, and like one AWS account's view. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: SandboxOptions = {}) {
    this.world = createWorld(options.world);
    this.state = options.stateFile ? new StateFile(options.stateFile) : undefined;
    this.state?.loadInto(this.world);
  }

  get endpoint(): string {
    return `http://${HOST}:${this.port}`;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((req, res) => {
      const run = this.queue.then(() => this.handle(req, res));
      this.queue = run.catch(() => undefined);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let service: SandboxService | undefined;
    try {
      const body = await readBody(req);
      this.state?.refresh(this.world);
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname.startsWith('/_sandbox/')) {
        this.world.tick();
        const answer = await handleControl(this.world, req.method ?? 'GET', url, body, this.endpoint);
        this.state?.save(this.world);
        send(res, answer.status, 'application/json', JSON.stringify(answer.body));
        return;
      }
      if (req.method !== 'POST') throw new AwsError('InvalidAction', `The sandbox serves AWS APIs with POST; got ${req.method} ${url.pathname}`);
      const routed = route(req, body);
      if (routed instanceof AwsError) throw routed;
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
      throw new AwsError(code, `The sandbox does not implement ${service.name}:${operation}`);
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
      this.state?.save(this.world);
    }
    const headers = { 'x-amzn-requestid': requestId };
    if (service.protocol === 'json') {
      send(res, 200, 'application/x-amz-json-1.1', jsonResponseBody(output), headers);
    } else if (service.protocol === 'ec2') {
      send(res, 200, 'text/xml;charset=UTF-8', ec2ResponseXml(operation, service.xmlns ?? '', outputSchema, output, requestId), headers);
    } else {
      send(res, 200, 'text/xml', queryResponseXml(operation, service.xmlns ?? '', outputSchema, output, requestId), headers);
    }
  }
}

/** Start a sandbox on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = new SandboxServer(options);
  const port = await server.listen(options.port ?? 0);
  return { endpoint: server.endpoint, port, world: server.world, close: () => server.close() };
}
