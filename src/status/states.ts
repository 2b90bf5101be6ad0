import { FAILED as DB_FAILED } from '../resources/db-instance.js';
import type { Health } from './model.js';

/** AWS's state words, per service, to what they mean for the stack. */

export function natHealth(state: string | undefined): Health {
  if (state === 'available') return 'ok';
  if (state === 'pending') return 'pending';
  if (state === 'deleting' || state === 'deleted') return 'missing';
  return 'failed';
}

export function loadBalancerHealth(state: string | undefined): Health {
  if (state === 'active') return 'ok';
  if (state === 'provisioning') return 'pending';
  return 'failed';
}

/** RDS: `stopped` is a failure unless `pause` did it (the caller turns it into paused). */
export function databaseHealth(state: string | undefined): Health {
  if (state === 'available') return 'ok';
  if (state === 'deleting') return 'missing';
  if (state === undefined || DB_FAILED.has(state) || state === 'stopped' || state === 'stopping') return 'failed';
  // creating, backing-up, modifying, configuring-*, rebooting, starting, upgrading, maintenance, ...
  return 'pending';
}

export function cacheHealth(state: string | undefined): Health {
  if (state === 'available') return 'ok';
  if (state === 'creating' || state === 'modifying' || state === 'snapshotting') return 'pending';
  if (state === 'deleting') return 'missing';
  return 'failed';
}

export function targetHealth(state: string | undefined): Health {
  if (state === 'healthy') return 'ok';
  if (state === 'initial' || state === 'draining') return 'pending';
  return 'failed';
}
