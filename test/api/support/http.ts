import http from 'node:http';
import { TEST_API_KEY } from './backing-services.js';

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as is instead of JSON-encoding `body`. */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly agent?: http.Agent | false;
  readonly timeoutMs?: number;
  /** Leaves out the API key the helpers otherwise send (tests of the key itself). */
  readonly withoutKey?: boolean;
}

/** One HTTP request on a fresh connection (no keep-alive unless an agent is given), resolved with the whole body. */
export function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = options.withoutKey ? { ...options.headers } : { 'x-api-key': TEST_API_KEY, ...options.headers };
  if (payload !== undefined && options.rawBody === undefined) headers['content-type'] ??= 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Shorthands bound to one base URL. */
export function client(baseUrl: string) {
  return {
    get: (path: string, options?: RequestOptions) => request(baseUrl, 'GET', path, options),
    post: (path: string, body: unknown, options?: RequestOptions) => request(baseUrl, 'POST', path, { ...options, body }),
    put: (path: string, body: unknown, options?: RequestOptions) => request(baseUrl, 'PUT', path, { ...options, body }),
    delete: (path: string, options?: RequestOptions) => request(baseUrl, 'DELETE', path, options),
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; resolves with the last outcome. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
