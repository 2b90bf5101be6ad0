import { readManifest, StackLock, type Manifest } from './engine/manifest.js';

/**
 * Opening a stack is the first thing every command that changes it does: take the stack's lock (a second command
 * fails here, before it plans or asks anything), then read the manifest, once. The plan and its application use
 * this one reading; `status` and `list` never open a stack (they read without the lock).
 */
export interface StackSession {
  readonly manifestPath: string;
  /** The manifest as it was when the stack was opened; undefined for a stack that has none yet. */
  readonly recorded: Manifest | undefined;
  /** Release the lock (idempotent). */
  close(): void;
}

export function openStack(manifestPath: string, command: string): StackSession {
  const lock = StackLock.acquire(manifestPath, command);
  try {
    const recorded = readManifest(manifestPath);
    let open = true;
    return {
      manifestPath,
      recorded,
      close: () => {
        if (!open) return;
        open = false;
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
