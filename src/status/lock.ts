import { lockHolder, lockPathOf } from '../engine/manifest.js';
import type { LockView } from './model.js';

/**
 * Who holds the stack's lock, read and never taken: status and list run while `up` works and say that a change is
 * in progress. A lock whose process is gone on this host is not held (the next command takes it over).
 */
export function readLock(manifestPath: string): LockView | undefined {
  const holder = lockHolder(manifestPath);
  if (!holder) return undefined;
  return { path: lockPathOf(manifestPath), pid: holder.pid, host: holder.host, command: holder.command, since: holder.startedAt };
}
