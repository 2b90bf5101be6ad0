import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { REDIS_CLIENT } from './cache/cache.tokens';
import { RedisGate } from './cache/redis-gate';
import { ApiKey } from './http/api-key';
import { registerEdgeHook } from './http/edge.hook';
import { RateLimiter } from './http/rate-limiter';
import type { AppConfig } from './config/app-config';
import { ConnectionDrain } from './lifecycle/connection-drain';
import { registerItemsListRoute } from './items/items-list.route';
import { ItemsService } from './items/items.service';
import { JsonLogger } from './logging/json-logger';
import { BufferedStdoutSink, type LogSink } from './logging/log-sink';
import { NestLoggerAdapter } from './logging/nest-logger.adapter';
import { registerRequestLogging } from './logging/request-logging';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface CreateAppOptions {
  /** Where log lines go; stdout (buffered) by default. Tests pass a MemoryLogSink. */
  readonly logSink?: LogSink;
}

/**
 * Builds the application without listening, so main.ts and in-process tests (which observe the real pool) run the
 * same wiring. The caller calls `listen` and owns shutdown.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = new JsonLogger(config.logLevel, options.logSink ?? new BufferedStdoutSink());
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Our own request log replaces Fastify's.
    logger: false,
    // On close, keep-alive connections with no request in flight are closed at once, so the drain waits only for
    // requests actually running (Fastify answers 503 to a request that arrives on an open connection meanwhile).
    forceCloseConnections: 'idle',
    // keepAliveTimeout stays at Fastify's 72 s, above the ALB's 60 s idle timeout: the ALB, not the task, closes
    // idle connections, so it never sends a request on a connection the task is closing (a 502).
    // request.ip is then the client as the trusted proxies (the ALB) saw it, not the proxy itself.
    trustProxy: config.http.trustProxyHops > 0 ? config.http.trustProxyHops : false,
  });
  const fastify = adapter.getInstance();
  registerRequestLogging(fastify, logger);
  const drain = new ConnectionDrain();
  drain.register(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, drain), adapter, {
    logger: new NestLoggerAdapter(logger),
    // A failure during start-up is thrown to main.ts (one fatal JSON line, exit 1) instead of aborting the process.
    abortOnError: false,
  });
  // Registered before `listen` initialises the routes, so it applies to every route.
  const limiter = new RateLimiter(app.get(REDIS_CLIENT), app.get(RedisGate), config, logger);
  registerEdgeHook(fastify, limiter, config.http.apiKey === undefined ? undefined : new ApiKey(config.http.apiKey), logger);
  registerItemsListRoute(fastify, app.get(ItemsService), logger);
  return app;
}
