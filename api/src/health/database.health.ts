import { Injectable } from '@nestjs/common';
import { withTimeout } from '../common/with-timeout';
import { DependencyUnavailableError } from '../common/dependency-unavailable.error';
import { safeReason } from '../common/safe-reason';
import { DatabaseClient } from '../database/database.client';
import { JsonLogger } from '../logging/json-logger';
import { HealthFailureLog } from './health-failure.log';
import { HEALTH_CHECK_TIMEOUT_MS, type DatabaseHealth } from './health.types';

/**
 * Up when PostgreSQL answers `SELECT now()` within the budget; its clock is reported as proof. Through
 * DatabaseClient, so a refused password is re-read here too: the ALB's checks keep passing across a rotation.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly failures: HealthFailureLog;

  constructor(
    private readonly db: DatabaseClient,
    logger: JsonLogger,
  ) {
    this.failures = new HealthFailureLog(logger, 'database');
  }

  async check(): Promise<DatabaseHealth> {
    try {
      const result = await withTimeout(this.db.query<{ now: Date }>('SELECT now() AS now'), HEALTH_CHECK_TIMEOUT_MS);
      const now = result.rows[0]?.now;
      this.failures.passed();
      return { connected: true, time: now instanceof Date ? now.toISOString() : String(now) };
    } catch (error) {
      // DatabaseClient already masked the password in its reason.
      this.failures.failed(error instanceof DependencyUnavailableError ? error.reason : safeReason(error));
      return { connected: false };
    }
  }
}
