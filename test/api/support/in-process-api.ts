import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { apiIndex } from './paths.js';

// The compiled API (CommonJS, no declaration files) loaded into the test process, for tests that must observe
// what it sends to the real PostgreSQL. The types below describe just what the tests use of api/dist/index.js.

export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

export interface AppConfigView {
  readonly port: number;
  readonly logLevel: string;
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    readonly password: string | undefined;
    readonly schema: string;
    readonly tls: { readonly mode: string; readonly caFile?: string; readonly ca?: string };
  };
  readonly redis: {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    readonly username: string | undefined;
    readonly password: string | undefined;
    readonly db: number;
  };
  readonly cache: { readonly ttlSeconds: number; readonly keyPrefix: string };
}

export interface NestAppView {
  listen(port: number, host: string): Promise<unknown>;
  getHttpServer(): { address(): AddressInfo | string | null; on(event: 'request', listener: () => void): void };
  get<T>(token: symbol): T;
  close(): Promise<void>;
}

export interface ApiExports {
  createApp(config: AppConfigView, options?: { logSink?: { write(line: string): void; flush(): void } }): Promise<NestAppView>;
  loadConfig(env: Readonly<Record<string, string | undefined>>, readTextFile?: (path: string) => string): AppConfigView;
  ConfigError: new (...args: never[]) => Error & { readonly issues: readonly ConfigIssue[]; readonly code: string };
  PG_POOL: symbol;
  REDIS_CLIENT: symbol;
  MemoryLogSink: new () => { readonly lines: string[]; write(line: string): void; flush(): void };
}

export const apiExports = createRequire(import.meta.url)(apiIndex) as ApiExports;

/** Builds the app from an environment and listens on an ephemeral loopback port. Log lines are kept in memory. */
export async function startInProcessApi(
  env: Readonly<Record<string, string>>,
): Promise<{ app: NestAppView; url: string; logLines: string[] }> {
  const sink = new apiExports.MemoryLogSink();
  const app = await apiExports.createApp(apiExports.loadConfig(env), { logSink: sink });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${address.port}`, logLines: sink.lines };
}
