export type DatabaseHealth =
  | { readonly connected: true; readonly time: string }
  | { readonly connected: false; readonly error: string };

export type CacheHealth =
  | { readonly connected: true; readonly latency: number }
  | { readonly connected: false; readonly error: string };

export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly services: { readonly database: DatabaseHealth; readonly cache: CacheHealth };
}

/**
 * Each indicator answers within this budget even when its dependency hangs, and both run in parallel, so
 * GET /health answers well inside the ALB's health-check timeout (and the 2 s this API promises).
 */
export const HEALTH_CHECK_TIMEOUT_MS = 1_000;
