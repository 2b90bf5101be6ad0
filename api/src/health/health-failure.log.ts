import type { JsonLogger } from '../logging/json-logger';

/**
 * Logs why a dependency's health check fails, once per distinct reason rather than on every check (the ALB checks
 * every few seconds from each of its nodes), and once when it passes again.
 */
export class HealthFailureLog {
  private lastReason: string | undefined;

  constructor(
    private readonly logger: JsonLogger,
    private readonly service: 'database' | 'cache',
  ) {}

  failed(reason: string): void {
    if (reason === this.lastReason) return;
    this.lastReason = reason;
    this.logger.warn('health check failed', { service: this.service, reason });
  }

  passed(): void {
    if (this.lastReason === undefined) return;
    this.lastReason = undefined;
    this.logger.info('health check passes again', { service: this.service });
  }
}
