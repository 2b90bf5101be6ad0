import { ThreeTierError } from './errors.js';
import { manifestMismatch, readManifest, StackLock, type Manifest } from './engine/manifest.js';

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

/**
 * The manifest of a stack that a command needs to exist (pause, resume): a stack with none is bad input, and a
 * manifest of another stack is refused.
 */
export function recordedStack(session: StackSession, stack: string, command: string): Manifest {
  const recorded = session.recorded;
  if (!recorded) {
    throw new ThreeTierError('NO_SUCH_STACK', `there is no stack "${stack}" to ${command}: no manifest at ${session.manifestPath}. Nothing was changed.`, {
      kind: 'usage',
      hints: ['check the stack name and --manifest; three-tier list shows the stacks this folder knows', `create it with: three-tier up --stack ${stack}`],
    });
  }
  if (recorded.stack !== stack) throw manifestMismatch(session.manifestPath, recorded.stack, stack);
  return recorded;
}
