import { DependencyUnavailableError } from '../common/dependency-unavailable.error';
import { safeReason } from '../common/safe-reason';

// SQLSTATE classes that mean "the database cannot serve now" rather than "this statement is wrong":
// 08 connection exception, 28 invalid authorization (a password rotated under the API), 53 insufficient resources,
// 57 operator intervention (includes statement timeout, admin shutdown, cannot connect now during recovery).
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '28', '53', '57']);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Classifies a pg error. Network failures, timeouts and the SQLSTATE classes above become
 * DependencyUnavailableError (answered 503); other server errors are bugs and stay as they are (answered 500).
 */
export function toDatabaseError(error: unknown, secrets: readonly (string | undefined)[]): unknown {
  const state = sqlState(error);
  if (state !== undefined && !UNAVAILABLE_SQLSTATE_CLASSES.has(state.slice(0, 2))) return error;
  return new DependencyUnavailableError('database', safeReason(error, secrets));
}
