import http from 'node:http';
import net from 'node:net';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Plain HTTP requests to a sandbox, for what an SDK never sends: malformed bodies, wrong types, foreign Host and
 * Origin headers, bodies that stop half-way. Nothing here imitates the sandbox; it only talks to it.
 */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The headers a signed SDK request carries that the sandbox reads: the SigV4 scope names the service. */
export function signedHeaders(service: string): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIASANDBOX/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
    'x-amz-date': '20260101T000000Z',
  };
}

export function rawRequest(sb: Sandbox, req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      `${sb.endpoint}${req.path ?? '/'}`,
      { method: req.method ?? 'POST', headers: req.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A query (EC2 or awsQuery) request as the SDK sends it, with any form body. */
export function queryRequest(sb: Sandbox, service: string, form: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawRequest(sb, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(service), ...headers },
    body: form,
  });
}

/** A JSON 1.1 request as the SDK sends it, with any body text. */
export function jsonRequest(sb: Sandbox, service: string, target: string, body: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawRequest(sb, {
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...signedHeaders(service), ...headers },
    body,
  });
}

/** The <Code> of an XML error answer, or the __type of a JSON one. */
export function errorCode(answer: RawAnswer): string | undefined {
  const xml = /<Code>([^<]*)<\/Code>/.exec(answer.body);
  if (xml) return xml[1];
  try {
    return (JSON.parse(answer.body) as { __type?: string }).__type;
  } catch {
    return undefined;
  }
}

export interface PartialRequest {
  /** Resolves once what was written so far has left for the server. */
  sent: Promise<void>;
  /** What the server answered (possibly nothing), once the connection closes. */
  answered: Promise<string>;
  /** Write more of the body. */
  send: (more: string) => void;
  /** Hang up. */
  destroy: () => void;
}

/** A client that sends a request's head and only part of its body, then waits: a slow body. */
export function partialRequest(sb: Sandbox, head: string, partBody: string): PartialRequest {
  const socket = net.connect(sb.port, '127.0.0.1');
  let received = '';
  socket.on('data', (d: Buffer) => {
    received += d.toString('utf8');
  });
  socket.on('error', () => undefined);
  const answered = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  const sent = new Promise<void>((resolve) => socket.write(`${head}\r\n\r\n${partBody}`, () => resolve()));
  return { sent, answered, send: (more) => socket.write(more), destroy: () => socket.destroy() };
}
