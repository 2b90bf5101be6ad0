import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { LockView } from './model.js';

/**
 * Who holds the stack's lock, read and never taken: status and list run while `up` works and say that a change is
 * in progress (src/engine/manifest.ts StackLock writes `<manifest>.lock` with pid, host, command and start time).
 */
const lockSchema = z.object({ pid: z.number().int(), host: z.string(), command: z.string(), startedAt: z.string() }).partial();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(manifestPath: string): LockView | undefined {
  const path = `${resolve(manifestPath)}.lock`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: z.infer<typeof lockSchema> = {};
  try {
    const r = lockSchema.safeParse(JSON.parse(text));
    if (r.success) parsed = r.data;
  } catch {
    // Being written right now, or damaged: still a held lock, of unknown owner.
  }
  const view: LockView = { path, stale: parsed.host === hostname() && parsed.pid !== undefined && !alive(parsed.pid) };
  if (parsed.pid !== undefined) view.pid = parsed.pid;
  if (parsed.host !== undefined) view.host = parsed.host;
  if (parsed.command !== undefined) view.command = parsed.command;
  if (parsed.startedAt !== undefined) view.since = parsed.startedAt;
  return view;
}
