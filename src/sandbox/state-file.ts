import { readFileSync, statSync } from 'node:fs';
import { isPersistedWorld, type World } from './world.js';
import { ThreeTierError } from '../errors.js';
import { writeFileAtomic } from '../engine/manifest.js';

/**
 * The simulated cloud on disk, so that separate CLI processes (an `up`, then a `destroy`) see one
 * cloud. Written only after a change (the world's version moved), atomically and owner-only; a change made by
 * another process is picked up before the next request.
 */
export class StateFile {
  private lastMtimeMs = -1;
  /** The world's version when it last matched the file (loaded from it or saved to it). */
  private savedVersion = -1;

  constructor(readonly path: string) {}

  private mtime(): number | undefined {
    try {
      return statSync(this.path).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /**
   * Load the file into the world. A file that cannot be read is bad input (it is left as it is): a ThreeTierError
   * naming the file, the reason and what to do. During a request (`refresh`) the server answers it as an AWS 500.
   */
  loadInto(world: World): void {
    const mtime = this.mtime();
    if (mtime === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw this.unreadable(`it is not valid JSON (${(e as Error).message})`);
    }
    if (!isPersistedWorld(parsed)) {
      const version = (parsed as { version?: unknown } | null)?.version;
      throw this.unreadable(typeof version === 'number' && version > 1 ? `it was written by a newer three-tier (state version ${version}; this one reads version 1)` : 'it is not a sandbox state (version 1)');
    }
    const timeScale = world.config.timeScale;
    world.restore(parsed);
    // The running process decides the pace; the file decides what exists.
    world.config.timeScale = timeScale;
    this.lastMtimeMs = mtime;
    this.savedVersion = world.version;
  }

  private unreadable(reason: string): ThreeTierError {
    return new ThreeTierError('SANDBOX_STATE_INVALID', `the sandbox state file ${this.path} cannot be read: ${reason}. It was left as it is.`, {
      kind: 'usage',
      hints: [
        `move it away (mv ${this.path} ${this.path}.broken): the sandbox then starts empty, and the stacks it held are gone from it`,
        'or restore it from a copy',
      ],
    });
  }

  /** Reload when another process has written the file since we last read or wrote it. */
  refresh(world: World): void {
    const mtime = this.mtime();
    if (mtime !== undefined && mtime !== this.lastMtimeMs) this.loadInto(world);
  }

  /** Write the world when it changed since it was loaded or last saved; answers whether it wrote. */
  save(world: World): boolean {
    if (world.version === this.savedVersion) return false;
    // No fsync: the rename is atomic against a killed process, which is what sharing between processes needs;
    // a simulated cloud need not survive a power cut, and an fsync per change would slow every call.
    writeFileAtomic(this.path, JSON.stringify(world.toJSON()), { durable: false });
    this.savedVersion = world.version;
    this.lastMtimeMs = this.mtime() ?? -1;
    return true;
  }
}
