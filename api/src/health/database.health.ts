import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { safeReason } from '../common/safe-reason';
import { withTimeout } from '../common/with-timeout';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database.tokens';
import { HEALTH_CHECK_TIMEOUT_MS, type DatabaseHealth } from './health.types';

/** Up when PostgreSQL answers `SELECT now()` within the budget; its clock is reported as proof. */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly secrets: readonly (string | undefined)[];

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = [config.database.password];
  }

  async check(): Promise<DatabaseHealth> {
    try {
      const result = await withTimeout(this.pool.query<{ now: Date }>('SELECT now() AS now'), HEALTH_CHECK_TIMEOUT_MS);
      const now = result.rows[0]?.now;
      return { connected: true, time: now instanceof Date ? now.toISOString() : String(now) };
    } catch (error) {
      return { connected: false, error: safeReason(error, this.secrets) };
    }
  }
}
