// The validated, normalised configuration the rest of the API depends on. Nothing outside config/ reads process.env:
// everything arrives through this shape, injected under APP_CONFIG.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DB_SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type DbSslMode = (typeof DB_SSL_MODES)[number];

/**
 * TLS towards PostgreSQL.
 * - `disable`: plain TCP (local databases only; RDS with rds.force_ssl=1 refuses it).
 * - `require`: encrypted, but the server certificate is NOT verified, so a man in the middle is possible.
 * - `verify-full`: encrypted and verified against the CA bundle (the RDS global bundle in the image), host name checked.
 */
export type DbTls =
  | { readonly mode: 'disable' }
  | { readonly mode: 'require' }
  | { readonly mode: 'verify-full'; readonly caFile: string; readonly ca: string };

export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string | undefined;
  readonly tls: DbTls;
  /** Schema holding the items table; tests use a fresh one per run. */
  readonly schema: string;
  /** Where the current password is read from when set (a rotated RDS-managed secret); `password` is the fallback. */
  readonly secret?: { readonly id: string; readonly region: string };
}

export interface RedisConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
}

export interface CacheConfig {
  readonly ttlSeconds: number;
  /** Prepended to every Redis key, so tests (and several apps on one Redis) never collide. */
  readonly keyPrefix: string;
}

export interface HttpConfig {
  /** Required by writes when set; without it writes are open (a warning is logged at start). */
  readonly apiKey: string | undefined;
  /** Requests per client IP and window; 0 means no limit. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowSeconds: number;
  /** Trusted proxy hops in X-Forwarded-For (1: the ALB). 0 uses the connection's address. */
  readonly trustProxyHops: number;
}

export interface AppConfig {
  readonly port: number;
  /** The address the server listens on (HOST, default 0.0.0.0). */
  readonly host: string;
  readonly http: HttpConfig;
  readonly logLevel: LogLevel;
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig;
  readonly cache: CacheConfig;
}

/** DI token for the AppConfig value. */
export const APP_CONFIG = Symbol('APP_CONFIG');
