// What GET /health answers, publicly: whether each dependency answers, never why not (a driver's error can name
// addresses, host names or the database user). The reason goes to the log instead.

export type DatabaseHealth = { readonly connected: true; readonly time: string } | { readonly connected: false };

export type CacheHealth = { readonly connected: true; readonly latency: number } | { readonly connected: false };

export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly services: { readonly database: DatabaseHealth; readonly cache: CacheHealth };
}

/**
 * Each indicator answers within this budget even when its dependency hangs, and both run in parallel, so
 * GET /health answers in about this long at worst, well inside the ALB's health-check timeout.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 1_000;
