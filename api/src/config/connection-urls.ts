// Parsers for the DATABASE_URL / REDIS_URL shortcuts used in local runs. They return a reason instead of throwing,
// and the reason never contains the URL: it may carry a password.

import type { DbSslMode } from './app-config';
import { DB_SSL_MODES } from './app-config';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface DatabaseUrlParts {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  sslMode: DbSslMode | undefined;
}

export interface RedisUrlParts {
  host: string;
  port: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
  db: number;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function parsePort(raw: string, fallback: number): number | undefined {
  if (raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

function decoded(raw: string): string | undefined {
  return raw === '' ? undefined : decodeURIComponent(raw);
}

/** Strips the brackets URL keeps around IPv6 literals. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export function parseDatabaseUrl(raw: string): Parsed<DatabaseUrlParts> {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    return { ok: false, reason: 'must be a URL of the form postgres://user[:password]@host[:port]/database' };
  }
  const port = parsePort(url.port, 5432);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decoded(url.username);
  if (url.hostname === '' || port === undefined || database === '' || user === undefined) {
    return { ok: false, reason: 'must name a user, a host and a database: postgres://user[:password]@host[:port]/database' };
  }
  const sslParam = url.searchParams.get('sslmode') ?? undefined;
  const sslMode = DB_SSL_MODES.find((m) => m === sslParam);
  if (sslParam !== undefined && sslMode === undefined) {
    return { ok: false, reason: `sslmode must be one of ${DB_SSL_MODES.join(', ')}` };
  }
  return { ok: true, value: { host: hostOf(url), port, database, user, password: decoded(url.password), sslMode } };
}

export function parseRedisUrl(raw: string): Parsed<RedisUrlParts> {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    return { ok: false, reason: 'must be a URL of the form redis://[user:password@]host[:port][/db] or rediss://... for TLS' };
  }
  const port = parsePort(url.port, 6379);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (url.hostname === '' || port === undefined || !Number.isInteger(db) || db < 0 || db > 15) {
    return { ok: false, reason: 'must name a host, an optional port and an optional database number 0-15' };
  }
  return {
    ok: true,
    value: {
      host: hostOf(url),
      port,
      tls: url.protocol === 'rediss:',
      username: decoded(url.username),
      password: decoded(url.password),
      db,
    },
  };
}
