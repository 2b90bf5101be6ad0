import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { DatabaseCredentials, isAuthenticationFailure } from './database-credentials';
import { toDatabaseError } from './database-errors';
import { PG_POOL } from './database.tokens';

/**
 * The one way the API talks to PostgreSQL: parameterised queries over the shared pool, with driver failures turned
 * into DependencyUnavailableError so every caller degrades the same way. A refused password makes it re-read the
 * password (see DatabaseCredentials) and try once more on a new connection.
 */
@Injectable()
export class DatabaseClient {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly credentials: DatabaseCredentials,
  ) {}

  query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.withReauthentication(() => this.pool.query<R>(text, values as unknown[] | undefined));
  }

  /** Runs `work` inside BEGIN/COMMIT on one connection; rolls back and rethrows on failure. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.withReauthentication(() => this.pool.connect());
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
      throw toDatabaseError(error, this.credentials.known);
    } finally {
      // A connection that could not even roll back is discarded rather than returned to the pool.
      client.release(broken);
    }
  }

  private async withReauthentication<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (!isAuthenticationFailure(error) || !(await this.credentials.refreshAfterAuthFailure())) {
        throw toDatabaseError(error, this.credentials.known);
      }
    }
    try {
      return await attempt();
    } catch (error) {
      throw toDatabaseError(error, this.credentials.known);
    }
  }
}
