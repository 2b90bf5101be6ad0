import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { safeReason } from '../common/safe-reason';
import { JsonLogger } from '../logging/json-logger';
import { DatabaseClient } from './database.client';
import { PG_POOL } from './database.tokens';
import { poolOptions } from './pool-options';

function createPool(config: AppConfig, logger: JsonLogger): Pool {
  const pool = new Pool(poolOptions(config.database));
  // An idle client whose connection drops emits 'error' on the pool; unhandled, that would crash the process.
  // The pool discards the client and opens a new one on the next query, which is how the API recovers.
  pool.on('error', (error) => {
    logger.warn('database connection lost', { reason: safeReason(error, [config.database.password]) });
  });
  return pool;
}

@Global()
@Module({
  providers: [
    { provide: PG_POOL, useFactory: createPool, inject: [APP_CONFIG, JsonLogger] },
    DatabaseClient,
  ],
  exports: [PG_POOL, DatabaseClient],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Runs after the HTTP server has drained (Nest closes the adapter before the shutdown hooks). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
