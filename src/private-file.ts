import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Replace a file atomically with content only its owner can read. The folder is created 0700 when missing; the
 * temp file beside the target gets an unpredictable name and is opened with O_CREAT|O_EXCL (`wx`), so a file or
 * symlink planted at that name makes the write fail instead of writing through it; its mode is set on the open
 * descriptor before any byte is written; then it is renamed over the target.
 * `durable` adds an fsync before the rename (survives a power cut, costs a disk flush).
 */
export function writePrivateFile(path: string, text: string, options: { durable: boolean }): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      // The mode passed to open is reduced by the umask; set it exactly on the descriptor.
      fchmodSync(fd, 0o600);
      writeSync(fd, text);
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
