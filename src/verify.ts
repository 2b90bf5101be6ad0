/**
 * `verify`: prove the three tiers work through the stack's public URL, as a person would by hand. In order, each
 * step timed:
 *   1. GET /health answers 200 with the database and the cache connected;
 *   2. GET /items answers (from the database, unless an earlier read left the list in the cache);
 *   3. GET /items again, within the cache's TTL, answers from the cache;
 *   4. POST /items writes a row (with the API key when the stack keeps one);
 *   5. GET /items answers from the database (the write invalidated the cache) and shows the row;
 *   6. DELETE /items/ID removes the row again.
 * The first step that fails names the tier that failed: the load balancer (no answer at the URL), the API (the
 * load balancer has no healthy target, or the API misbehaves), the database or the cache (the API says which
 * dependency it cannot reach, or the cache-aside contract does not hold). Never prints: the CLI renders the report.
 */
import { performance } from 'node:perf_hooks';
import type { AwsClients } from './aws/clients.js';
import { readApiKey } from './api-key.js';
import type { Manifest } from './engine/manifest.js';
import { ThreeTierError } from './errors.js';
import { errorMessage } from './aws/errors.js';

export type Tier = 'load balancer' | 'API' | 'database' | 'cache';

export type StepName = 'health' | 'read' | 'cached read' | 'write' | 'read after write' | 'clean up';

export interface VerifyStep {
  step: StepName;
  /** What was sent: `GET /health`. */
  request: string;
  ok: boolean;
  latencyMs: number;
  status?: number;
  /** What was seen (ok) or what is wrong (failed). */
  detail: string;
  /** The tier that failed, when the step failed. */
  tier?: Tier;
}

export interface VerifyReport {
  url: string;
  ok: boolean;
  steps: VerifyStep[];
  /** The first failed step's tier and why. */
  failed?: { tier: Tier; step: StepName; reason: string };
  /** Whether writes carried the stack's API key. */
  usedApiKey: boolean;
  elapsedMs: number;
}

export interface VerifyOptions {
  /** The stack's public URL (http://DNS-NAME on AWS, the loopback URL of a sandbox's data plane). */
  url: string;
  /** Sent as `x-api-key` with writes; none when the stack keeps no key. */
  apiKey?: string | undefined;
  /** How long to keep asking while the load balancer itself answers 502/503 (targets still starting). Default 20 s. */
  waitMs?: number;
  /** Each request's time budget. Default 10 s. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each step as it finishes (for live rendering). */
  onStep?: (step: VerifyStep) => void;
}

interface Answer {
  status: number;
  body: unknown;
  text: string;
  /** The load balancer answered itself (awselb, no target behind it). */
  fromLoadBalancer: boolean;
  latencyMs: number;
}

type Outcome = { answer: Answer } | { error: string; latencyMs: number };

async function call(o: VerifyOptions, method: string, path: string, body?: unknown): Promise<Outcome> {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && o.apiKey !== undefined) headers['x-api-key'] = o.apiKey;
  const timeout = AbortSignal.timeout(o.requestTimeoutMs ?? 10_000);
  try {
    const res = await fetch(new URL(path, o.url), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const fromLoadBalancer = (res.headers.get('server') ?? '').startsWith('awselb') && res.status >= 500;
    return { answer: { status: res.status, body: parsed, text, fromLoadBalancer, latencyMs: performance.now() - started } };
  } catch (err) {
    if (o.signal?.aborted) throw new ThreeTierError('INTERRUPTED', 'verify was interrupted', { kind: 'interrupted' });
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? `no answer within ${(o.requestTimeoutMs ?? 10_000) / 1000} s` : (cause?.code ?? cause?.message ?? errorMessage(err));
    return { error: why, latencyMs: performance.now() - started };
  }
}

function field(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** Which tier an answer that is not what the step wanted points at. */
function blame(o: Outcome): { tier: Tier; reason: string; status?: number } {
  if ('error' in o) return { tier: 'load balancer', reason: `nothing answers at the URL (${o.error})` };
  const a = o.answer;
  if (a.fromLoadBalancer) {
    const reason =
      a.status === 503
        ? 'the load balancer has no target to send to (503 from the load balancer): no API task is registered and healthy'
        : a.status === 504
          ? 'the API did not answer the load balancer in time (504 from the load balancer)'
          : `the load balancer could not get an answer from the API (${a.status} from the load balancer)`;
    return { tier: 'API', reason, status: a.status };
  }
  const message = String(field(a.body, 'message') ?? '');
  if (a.status === 503 && /^database unavailable/.test(message)) return { tier: 'database', reason: `the API cannot reach the database (${a.status}: ${message})`, status: a.status };
  if (a.status === 503 && /^cache unavailable/.test(message)) return { tier: 'cache', reason: `the API cannot reach the cache (${a.status}: ${message})`, status: a.status };
  if (a.status === 401 || a.status === 403) return { tier: 'API', reason: `the API refused the write (${a.status}: ${message || a.text.slice(0, 200)})`, status: a.status };
  return { tier: 'API', reason: `unexpected answer ${a.status}: ${a.text.slice(0, 200)}`, status: a.status };
}

function latency(o: Outcome): number {
  return Math.round('error' in o ? o.latencyMs : o.answer.latencyMs);
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** The health step, asking again while the load balancer itself answers 502/503 (its targets are still starting). */
async function health(o: VerifyOptions): Promise<Outcome> {
  const deadline = Date.now() + (o.waitMs ?? 20_000);
  for (;;) {
    const out = await call(o, 'GET', '/health');
    const waiting = 'answer' in out && out.answer.fromLoadBalancer && (out.answer.status === 502 || out.answer.status === 503);
    if (!waiting || Date.now() >= deadline || o.signal?.aborted) return out;
    await sleep(500, o.signal);
  }
}

function healthProblem(a: Answer): { tier: Tier; reason: string } | undefined {
  const db = field(a.body, 'services', 'database', 'connected');
  const cache = field(a.body, 'services', 'cache', 'connected');
  if (db === false) return { tier: 'database', reason: `GET /health answers ${a.status}: the API cannot reach the database${cache === false ? ' (nor the cache)' : ''}` };
  if (cache === false) return { tier: 'cache', reason: `GET /health answers ${a.status}: the API cannot reach the cache` };
  if (a.status !== 200 || field(a.body, 'status') !== 'healthy') return { tier: 'API', reason: `GET /health answers ${a.status}: ${a.text.slice(0, 200)}` };
  return undefined;
}

function itemsOf(body: unknown): { id?: unknown }[] {
  const items = field(body, 'items');
  return Array.isArray(items) ? (items as { id?: unknown }[]) : [];
}

export async function verifyStack(o: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const steps: VerifyStep[] = [];
  const report = (): VerifyReport => {
    const bad = steps.find((s) => !s.ok);
    return {
      url: o.url,
      ok: !bad,
      steps,
      ...(bad?.tier ? { failed: { tier: bad.tier, step: bad.step, reason: bad.detail } } : {}),
      usedApiKey: o.apiKey !== undefined,
      elapsedMs: Math.round(performance.now() - started),
    };
  };
  const record = (s: VerifyStep): boolean => {
    steps.push(s);
    o.onStep?.(s);
    return s.ok;
  };
  const fail = (step: StepName, request: string, out: Outcome, problem = blame(out)): boolean =>
    record({ step, request, ok: false, latencyMs: latency(out), ...('answer' in out ? { status: out.answer.status } : {}), detail: problem.reason, tier: problem.tier });
  const pass = (step: StepName, request: string, out: Outcome, detail: string): boolean =>
    record({ step, request, ok: true, latencyMs: latency(out), ...('answer' in out ? { status: out.answer.status } : {}), detail });

  // 1. Health: the API answers through the load balancer, and reaches both dependencies.
  const h = await health(o);
  if ('error' in h || h.answer.fromLoadBalancer) {
    fail('health', 'GET /health', h);
    return report();
  }
  const hp = healthProblem(h.answer);
  if (hp) {
    fail('health', 'GET /health', h, hp);
    return report();
  }
  pass('health', 'GET /health', h, 'healthy: database and cache connected');

  // 2-3. Cache-aside reads.
  const first = await call(o, 'GET', '/items');
  if (!('answer' in first) || first.answer.status !== 200) {
    fail('read', 'GET /items', first);
    return report();
  }
  const firstSource = field(first.answer.body, 'source');
  if (firstSource !== 'database' && firstSource !== 'cache') {
    fail('read', 'GET /items', first, { tier: 'API', reason: `GET /items answers without a source: ${first.answer.text.slice(0, 200)}` });
    return report();
  }
  pass('read', 'GET /items', first, firstSource === 'database' ? `from the database (${itemsOf(first.answer.body).length} items)` : 'from the cache (an earlier read filled it; the write below proves the database)');
  const second = await call(o, 'GET', '/items');
  if (!('answer' in second) || second.answer.status !== 200) {
    fail('cached read', 'GET /items', second);
    return report();
  }
  if (field(second.answer.body, 'source') !== 'cache') {
    fail('cached read', 'GET /items', second, { tier: 'cache', reason: 'a second read within the cache TTL came from the database: the cache does not keep the list' });
    return report();
  }
  pass('cached read', 'GET /items', second, 'from the cache, within the TTL');

  // 4-6. A write invalidates; the row is removed again whatever the read after it shows.
  const name = `three-tier verify ${new Date().toISOString()}`;
  const write = await call(o, 'POST', '/items', { name, description: 'written by three-tier verify and deleted right after' });
  const id = 'answer' in write ? field(write.answer.body, 'id') : undefined;
  if (!('answer' in write) || write.answer.status !== 201 || (typeof id !== 'number' && typeof id !== 'string')) {
    const problem = blame(write);
    if ('answer' in write && write.answer.status === 401) {
      problem.reason += o.apiKey === undefined ? '; the stack records no API key for verify to send' : "; the key in Secrets Manager is not the one the tasks started with (tasks read it only when they start: deploy again)";
    }
    fail('write', 'POST /items', write, problem);
    return report();
  }
  pass('write', 'POST /items', write, `item ${String(id)} written`);
  const after = await call(o, 'GET', '/items');
  if (!('answer' in after) || after.answer.status !== 200) fail('read after write', 'GET /items', after);
  else if (field(after.answer.body, 'source') !== 'database') {
    fail('read after write', 'GET /items', after, { tier: 'cache', reason: 'the read after a write came from the cache: the write did not invalidate it' });
  } else if (!itemsOf(after.answer.body).some((i) => String(i.id) === String(id))) {
    fail('read after write', 'GET /items', after, { tier: 'database', reason: `the list read from the database does not show item ${String(id)} just written` });
  } else pass('read after write', 'GET /items', after, `from the database, with item ${String(id)}`);
  const removed = await call(o, 'DELETE', `/items/${String(id)}`);
  if ('answer' in removed && removed.answer.status === 204) pass('clean up', `DELETE /items/${String(id)}`, removed, `item ${String(id)} deleted`);
  else fail('clean up', `DELETE /items/${String(id)}`, removed);
  return report();
}

/** The ARN of the stack's API key secret, as the manifest records it (never the value). */
export function apiKeySecretArn(manifest: Manifest | undefined): string | undefined {
  const r = manifest?.resources['api-key'];
  if (!r || r.status === 'deleted') return undefined;
  return r.outputs?.['arn'] || r.identity?.['arn'] || undefined;
}

/**
 * The API key writes need, when the manifest records one: read as `three-tier api-key` reads it (the stack's own
 * secret, checked by its tag), with the caller's credentials; undefined when the stack keeps no key (the API then
 * accepts writes without one).
 */
export async function apiKeyOf(clients: AwsClients, manifest: Manifest | undefined): Promise<string | undefined> {
  if (!manifest || apiKeySecretArn(manifest) === undefined) return undefined;
  return (await readApiKey(clients, manifest.config.stack, manifest.config.region, manifest)).apiKey;
}
