import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { toDatabaseError } from './database-errors';
import { PG_POOL } from './database.tokens';

/**
 * The one way the API talks to PostgreSQL: parameterised queries over the shared pool, with driver failures turned
 * into DependencyUnavailableError so every caller degrades the same way.
 */
@Injectable()
export class DatabaseClient {
  private readonly secrets: readonly (string | undefined)[];

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = [config.database.password];
  }

  async query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values as unknown[] | undefined);
    } catch (error) {
      throw toDatabaseError(error, this.secrets);
    }
  }

  /** Runs `work` inside BEGIN/COMMIT on one connection; rolls back and rethrows on failure. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toDatabaseError(error, this.secrets);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw toDatabaseError(error, this.secrets);
    } finally {
      // A connection that could not even roll back is discarded rather than returned to the pool.
      client.release(broken);
    }
  }
}
