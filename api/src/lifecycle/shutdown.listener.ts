import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '../logging/json-logger';
import { ConnectionDrain } from './connection-drain';

/**
 * The start of a shutdown (SIGTERM from ECS): logs it and starts draining keep-alive connections. Nest calls this
 * before it closes the HTTP server, which then waits for the in-flight requests; the pools close after that.
 */
@Injectable()
export class ShutdownListener implements BeforeApplicationShutdown {
  constructor(
    private readonly logger: JsonLogger,
    private readonly drain: ConnectionDrain,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.drain.start();
    this.logger.info('shutting down', { signal: signal ?? null });
    // Written now rather than on the next tick: the drain that follows may take a while.
    this.logger.flush();
  }
}
