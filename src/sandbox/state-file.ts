import { closeSync, openSync, readFileSync, renameSync, statSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isPersistedWorld, type World } from './world.js';
import { AwsError } from './errors.js';

/**
 * The simulated cloud on disk, so that separate CLI processes (an `up`, then a `destroy`) see one
 * cloud. Writes are atomic (temp file, rename) and owner-only; a change made by another process is picked up
 * before the next request.
 */
export class StateFile {
  private lastMtimeMs = -1;

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
  }

  /** Reload when another process has written the file since we last read or wrote it. */
  refresh(world: World): void {
    const mtime = this.mtime();
    if (mtime !== undefined && mtime !== this.lastMtimeMs) this.loadInto(world);
  }

  save(world: World): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      // No fsync: the rename is atomic against a killed process, which is what sharing between processes needs;
      // a simulated cloud need not survive a power cut, and an fsync per call would slow every call.
      writeSync(fd, JSON.stringify(world.toJSON()));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.lastMtimeMs = this.mtime() ?? -1;
  }
}
