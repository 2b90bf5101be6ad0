import assert from 'node:assert/strict';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

/**
 * Test helpers for the sandbox: a sandbox on a free loopback port, and the settings every real SDK v3 client needs
 * to reach it over HTTP. Nothing here mocks AWS: the clients are the SDK's own, their requests and answers go
 * through the sandbox's HTTP server and the SDK's own (de)serializers.
 */
export async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ ...options, world: { timeScale: 0.001, ...(options.world ?? {}) } });
}

/** Client config for the sandbox: any credentials sign; retries kept small so tests fail fast. */
export function clientConfig(sb: Sandbox, extra: { maxAttempts?: number } = {}) {
  return {
    endpoint: sb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIASANDBOX', secretAccessKey: 'sandbox-secret' },
    maxAttempts: extra.maxAttempts ?? 3,
  };
}

/** A control route call; a POST always carries a JSON body (an empty object by default), as the sandbox requires. */
export async function control<T = unknown>(sb: Sandbox, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const init: RequestInit = { method };
  if (method === 'POST') {
    init.body = JSON.stringify(body ?? {});
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(`${sb.endpoint}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

export interface ListedResource {
  service: string;
  type: string;
  id: string;
  state: string;
  tags: Record<string, string>;
}

export async function resources(sb: Sandbox): Promise<ListedResource[]> {
  return (await control<{ resources: ListedResource[] }>(sb, 'GET', '/_sandbox/resources')).body.resources;
}

/** Poll `check` until it returns a value other than undefined, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Retry `call` while it answers the error named `code`, as a client riding out eventual consistency does; its result. */
export async function eventuallyPast<T>(call: () => Promise<T>, code: string, timeoutMs = 5_000, what = `past ${code}`): Promise<T> {
  return eventually(async () => {
    try {
      return await call();
    } catch (e) {
      if ((e as Error).name === code) return undefined;
      throw e;
    }
  }, timeoutMs, what);
}

/** Assert that an SDK call fails with the error name the SDK surfaces (and, optionally, a message). */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}
