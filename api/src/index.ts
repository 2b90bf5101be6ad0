// What an in-process host needs (the integration tests, which observe the real pg Pool; the benchmark).
// Requiring this module starts nothing; main.ts is the entry point that does.
export { createApp, BODY_LIMIT_BYTES, type CreateAppOptions } from './app.factory';
export { loadConfig } from './config/load-config';
export { ConfigError } from './config/config.error';
export type { AppConfig } from './config/app-config';
export { PG_POOL } from './database/database.tokens';
export { REDIS_CLIENT } from './cache/cache.tokens';
export { MemoryLogSink, type LogSink } from './logging/log-sink';
