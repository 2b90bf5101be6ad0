import type { LoggerService } from '@nestjs/common';
import type { JsonLogger } from './json-logger';

/**
 * Routes Nest's own messages into the JSON log instead of its coloured console output. Nest's `log` level is its
 * start-up chatter (modules initialised, routes mapped): that goes to debug so the info stream stays one line per
 * request plus our lifecycle lines.
 */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: JsonLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.logger.debug(text(message), context(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug(text(message), context(params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.debug(text(message), context(params));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(text(message), context(params));
  }

  error(message: unknown, ...params: unknown[]): void {
    this.logger.error(text(message), context(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.error(text(message), context(params));
  }
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message) ?? String(message);
}

/** Nest passes its context (the class name) as the last string argument. */
function context(params: readonly unknown[]): { context: string } | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? { context: last } : undefined;
}
