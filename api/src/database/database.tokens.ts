/** DI token for the pg Pool. Tests fetch it with app.get(PG_POOL) to observe the queries the API sends. */
export const PG_POOL = Symbol('PG_POOL');

/** DI token for the Secrets Manager client (null unless DB_SECRET_ARN is set). */
export const SECRETS_MANAGER = Symbol('SECRETS_MANAGER');
