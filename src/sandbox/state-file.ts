import { readFileSync, statSync } from 'node:fs';
import { isPersistedWorld, type World } from './world.js';
import { AwsError } from './errors.js';
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

  loadInto(world: World): void {
    const mtime = this.mtime();
    if (mtime === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new AwsError('InternalFailure', `sandbox state file ${this.path} is not valid JSON: ${(e as Error).message}`, 500);
    }
    if (!isPersistedWorld(parsed)) {
      throw new AwsError('InternalFailure', `sandbox state file ${this.path} is not a sandbox state (version 1)`, 500);
    }
    const timeScale = world.config.timeScale;
    world.restore(parsed);
    // The running process decides the pace; the file decides what exists.
    world.config.timeScale = timeScale;
    this.lastMtimeMs = mtime;
    this.savedVersion = world.version;
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
