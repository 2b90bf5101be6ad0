import type { PoolConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseConfig, DbTls } from '../config/app-config';
import type { DatabaseCredentials } from './database-credentials';

// Every wait on PostgreSQL is bounded, so a database that is down or hangs turns into a prompt 503 rather than
// requests piling up. The health check answers within its own, shorter budget (see DatabaseHealthIndicator).
export const DB_CONNECT_TIMEOUT_MS = 2_000;
export const DB_QUERY_TIMEOUT_MS = 5_000;
const DB_POOL_SIZE = 10;
const DB_IDLE_TIMEOUT_MS = 30_000;

export function poolOptions(db: DatabaseConfig, credentials: DatabaseCredentials): PoolConfig {
  return {
    host: db.host,
    port: db.port,
    database: db.database,
    user: credentials.user,
    // A function: pg asks for the password at each new connection, so a password read again after a rotation is
    // used by the next connection (without DB_SECRET_ARN it always answers DB_PASSWORD).
    password: credentials.password,
    ssl: sslOptions(db.tls),
    max: DB_POOL_SIZE,
    idleTimeoutMillis: DB_IDLE_TIMEOUT_MS,
    // Also bounds the wait for a free client when all DB_POOL_SIZE are busy.
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
    // Client side: gives up on a server that stops answering mid-query (the client is then discarded).
    query_timeout: DB_QUERY_TIMEOUT_MS,
    // Server side: stops the work too, so an abandoned query does not keep running.
    statement_timeout: DB_QUERY_TIMEOUT_MS,
    application_name: 'three-tier-api',
    keepAlive: true,
  };
}

/**
 * `require` encrypts without verifying the server (vulnerable to a man in the middle; use it only where the CA is
 * unavailable). `verify-full` checks the chain against the given CA (the RDS global bundle: the RDS CA is not in
 * Node's trust store) and the host name (pg sends the host as SNI servername and Node checks it).
 */
function sslOptions(tls: DbTls): false | ConnectionOptions {
  switch (tls.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { ca: tls.ca, rejectUnauthorized: true };
  }
}
