import { Injectable } from '@nestjs/common';
import { CacheHealthIndicator } from './cache.health';
import { DatabaseHealthIndicator } from './database.health';
import type { HealthReport } from './health.types';

/**
 * Healthy only when both dependencies are: a task that cannot reach either should leave the ALB's rotation.
 * (Requests themselves degrade more gently: GET /items is still served from PostgreSQL without Redis.)
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, cache] = await Promise.all([this.database.check(), this.cache.check()]);
    return { status: database.connected && cache.connected ? 'healthy' : 'unhealthy', services: { database, cache } };
  }
}
