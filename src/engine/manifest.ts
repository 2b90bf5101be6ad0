import { closeSync, constants, existsSync, fchmodSync, rmdirSync, statSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { z } from 'zod';
import { issuesText, ThreeTierError } from '../errors.js';
import { stackConfigSchema, type StackConfig } from '../config.js';

/**
 * The local record of a stack: schema version, config, and for each logical resource its AWS identity, status and
 * timestamps. Written atomically (temp file, fsync, rename), owner-only (0600), never holding a secret. One command
 * at a time changes a stack: the lock file next to it says who holds it.
 */
export const resourceStatus = z.enum(['creating', 'created', 'ready', 'deleting', 'deleted', 'failed']);
export type ResourceStatus = z.infer<typeof resourceStatus>;

const stringMap = z.record(z.string(), z.string());

export const manifestResourceSchema = z
  .object({
    kind: z.string().min(1),
    status: resourceStatus,
    /** How to find it on AWS: ids, ARNs, names. */
    identity: stringMap.optional(),
    /** An idempotency token sent with the create call, recorded before the call so a retry reuses it. */
    token: z.string().optional(),
    /** What dependents need (endpoints, DNS names, ARNs). Never secret values. */
    outputs: stringMap.optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();
export type ManifestResource = z.infer<typeof manifestResourceSchema>;

/**
 * Version 2 adds `paused` and the optional settings of StackConfig (dbSnapshot, ...). A version-1 manifest is read
 * as version 2 (nothing in it changes meaning) and written back as version 2 on the next change.
 */
export const MANIFEST_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

/** What `pause` stopped, so that `resume` brings back exactly that and `status` reports the stack as paused. */
export const pauseRecordSchema = z
  .object({
    since: z.string(),
    /** `pause --deep` also removed the load balancer and the cache. */
    deep: z.boolean(),
    /** The service's task count before the pause. */
    desiredCount: z.number().int().min(1),
    /** When AWS starts the stopped database again on its own (RDS AutomaticRestartTime: 7 days after the stop). */
    dbRestartsAt: z.string().optional(),
    /** `--deep`: the ElastiCache snapshot taken before the cache was deleted, restored by resume. */
    cacheSnapshot: z.string().optional(),
    /** `--deep`: the URL the stack had (the load balancer is deleted; resume makes a new one, at a new address). */
    url: z.string().optional(),
  })
  .strict();
export type PauseRecord = z.infer<typeof pauseRecordSchema>;

/**
 * A `deploy` in flight (src/deploy.ts): written before UpdateService, cleared when the rollout ends (completed,
 * rolled back). A rerun after Ctrl-C or a kill finds it and continues watching that deployment.
 */
export const deploymentRecordSchema = z
  .object({
    startedAt: z.string(),
    /** What was asked for (describeSource of the image source): a rerun asking for the same continues. */
    source: z.string(),
    /** The image the new revision runs. */
    image: z.string(),
    /** The revision being rolled out. */
    taskDefinitionArn: z.string(),
    /** The last revision whose deployment completed: where a failed rollout goes back to. */
    previousTaskDefinitionArn: z.string().optional(),
    /** ECS's id of the deployment, once UpdateService answered. */
    deploymentId: z.string().optional(),
    /** `--force`: a fresh deployment of the current revision. */
    force: z.boolean().optional(),
    /** The --image setting to record once the rollout completes. */
    configImage: z.string().optional(),
  })
  .strict();
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_VERSION),
    stack: z.string(),
    region: z.string(),
    /** The endpoint the stack lives behind when it is not real AWS (the sandbox). */
    endpoint: z.string().optional(),
    config: stackConfigSchema,
    /** Set while the stack is paused (three-tier pause), removed by resume. */
    paused: pauseRecordSchema.optional(),
    /** Set while `three-tier deploy` rolls out a revision, removed when the rollout ends. */
    deployment: deploymentRecordSchema.optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    resources: z.record(z.string(), manifestResourceSchema),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

export function manifestMismatch(path: string, recorded: string, wanted: string): ThreeTierError {
  return new ThreeTierError('MANIFEST_MISMATCH', `the manifest ${path} belongs to stack "${recorded}", not "${wanted}"`, {
    kind: 'usage',
    hints: ['pass --manifest with the right file, or --stack with the stack this file belongs to'],
  });
}

export function defaultManifestPath(stack: string, cwd = process.cwd()): string {
  return join(cwd, '.three-tier', `${stack}.json`);
}

function isoNow(): string {
  return new Date().toISOString();
}

/**
 * Write a file atomically and owner-only: a temp file with an unpredictable name in the same directory, opened
 * exclusively (a file or symlink planted at that name makes the open fail instead of being followed) with mode
 * 0600 from the start, fsync, rename. The directory is created 0700. `durable: false` skips the fsync, for a file
 * that must survive a killed process but not a power cut (the sandbox's state file, written after every change).
 */
export function writeFileAtomic(path: string, text: string, options: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    // The umask may have narrowed the mode at creation; set it on the descriptor, never on the path.
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    if (options.durable !== false) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

function unreadable(path: string, reason: string, hints: string[]): ThreeTierError {
  return new ThreeTierError('MANIFEST_INVALID', `the manifest ${path} cannot be read: ${reason}. It was left as it is.`, { kind: 'usage', hints });
}

export function readManifest(path: string): Manifest | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw unreadable(path, `it is not valid JSON (${(e as Error).message})`, [
      'restore it from a backup, or move it away and run `three-tier status` to find the stack by its tags',
    ]);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > MANIFEST_VERSION) {
    throw new ThreeTierError('MANIFEST_TOO_NEW', `the manifest ${path} was written by a newer three-tier (schema version ${version}; this one reads up to ${MANIFEST_VERSION}). It was left as it is.`, {
      kind: 'usage',
      hints: ['upgrade three-tier (npm install three-tier@latest, or pull the latest version of this repository)'],
    });
  }
  const upgraded = typeof version === 'number' && READABLE_VERSIONS.includes(version) ? { ...(raw as object), schemaVersion: MANIFEST_VERSION } : raw;
  const parsed = manifestSchema.safeParse(upgraded);
  if (!parsed.success) {
    throw unreadable(path, `it does not match the manifest schema (${issuesText(parsed.error)})`, [
      'fix the field named above, or move the file away and run `three-tier status` to find the stack by its tags',
    ]);
  }
  return parsed.data;
}

/** The live manifest of one command run: every change is on disk before the call returns. */
export class ManifestStore {
  private doc: Manifest;

  private constructor(
    readonly path: string,
    doc: Manifest,
  ) {
    this.doc = doc;
  }

  static open(path: string, init: { config: StackConfig; endpoint?: string }): ManifestStore {
    return ManifestStore.over(path, readManifest(path), init);
  }

  /**
   * A store over a manifest already read (the stack session reads it once), or a new one for a new stack. The
   * manifest must be the stack's: a file of another stack is refused.
   */
  static over(path: string, existing: Manifest | undefined, init: { config: StackConfig; endpoint?: string }): ManifestStore {
    if (existing) {
      if (existing.stack !== init.config.stack) throw manifestMismatch(path, existing.stack, init.config.stack);
      return new ManifestStore(path, structuredClone(existing));
    }
    const now = isoNow();
    const doc: Manifest = {
      schemaVersion: MANIFEST_VERSION,
      stack: init.config.stack,
      region: init.config.region,
      config: init.config,
      createdAt: now,
      updatedAt: now,
      resources: {},
    };
    if (init.endpoint !== undefined) doc.endpoint = init.endpoint;
    return new ManifestStore(path, doc);
  }

  get manifest(): Readonly<Manifest> {
    return this.doc;
  }

  resource(id: string): Readonly<ManifestResource> | undefined {
    return this.doc.resources[id];
  }

  /** Record (merge) what is known of a resource, and write the manifest now. */
  update(id: string, kind: string, change: Partial<Omit<ManifestResource, 'kind' | 'createdAt' | 'updatedAt'>>): void {
    const now = isoNow();
    const prev = this.doc.resources[id];
    const next: ManifestResource = {
      ...(prev ?? { kind, status: 'creating', createdAt: now }),
      ...change,
      kind,
      updatedAt: now,
    } as ManifestResource;
    if (change.identity) next.identity = { ...(prev?.identity ?? {}), ...change.identity };
    if (change.outputs) next.outputs = { ...(prev?.outputs ?? {}), ...change.outputs };
    if (change.error === undefined && change.status !== undefined && change.status !== 'failed') delete next.error;
    this.doc.resources[id] = next;
    this.save();
  }

  /** Forget a resource that is gone. */
  forget(id: string): void {
    delete this.doc.resources[id];
    this.save();
  }

  setConfig(config: StackConfig): void {
    this.doc.config = config;
    this.save();
  }

  /** Record (or clear, with undefined) that the stack is paused. */
  setPaused(paused: PauseRecord | undefined): void {
    if (paused === undefined) delete this.doc.paused;
    else this.doc.paused = paused;
    this.save();
  }

  /** Record (or clear, with undefined) the deployment `deploy` is rolling out. */
  setDeployment(deployment: DeploymentRecord | undefined): void {
    if (deployment === undefined) delete this.doc.deployment;
    else this.doc.deployment = deployment;
    this.save();
  }

  save(): void {
    this.doc.updatedAt = isoNow();
    writeFileAtomic(this.path, `${JSON.stringify(this.doc, null, 2)}\n`);
  }

  /** Remove the manifest file (only when everything it knew is gone). */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

/** Who holds a stack's lock: what the lock file says. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** Unique per acquisition: a takeover and a release check it, so nobody removes a lock that is not theirs. */
  nonce?: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPathOf(manifestPath: string): string {
  return `${resolve(manifestPath)}.lock`;
}

function readLock(path: string): Partial<LockInfo> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Partial<LockInfo>) : {};
  } catch {
    return {};
  }
}

/** Whether the lock's process is known to be gone: same host, and no process with that pid. */
function isStale(holder: Partial<LockInfo>): boolean {
  return holder.host === hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid);
}

/**
 * Who holds the stack's lock right now, if anyone (read-only: `status` and `list` use it to say that a change is in
 * progress). A lock whose process is gone on this host is not held.
 */
export function lockHolder(manifestPath: string): LockInfo | undefined {
  const holder = readLock(lockPathOf(manifestPath));
  if (!holder || isStale(holder)) return undefined;
  return { pid: holder.pid ?? 0, host: holder.host ?? 'unknown host', command: holder.command ?? 'command', startedAt: holder.startedAt ?? 'unknown' };
}

function lockedError(path: string, holder: Partial<LockInfo>): ThreeTierError {
  const who = `three-tier ${holder.command ?? 'command'} (pid ${holder.pid ?? '?'} on ${holder.host === hostname() ? 'this host' : `host ${holder.host ?? 'unknown'}`}, since ${holder.startedAt ?? 'unknown'})`;
  return new ThreeTierError('STACK_LOCKED', `another ${who} is working on this stack`, {
    hints:
      holder.host === hostname()
        ? ['wait for it to finish, then run this again', `if no three-tier process is running, remove ${path}`]
        : [`if that process is gone (its machine was shut down), remove ${path}`],
  });
}

/** A guard file held for the few microseconds of a takeover: only one process replaces a stale lock at a time. */
function withTakeoverGuard<T>(lockPath: string, fn: () => T): T | undefined {
  const guard = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A guard left by a process killed in the middle of a takeover is old: clear it for the next attempt.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
    } catch {
      // gone already
    }
    return undefined;
  }
  try {
    closeSync(fd);
    return fn();
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * An exclusive lock on a stack's manifest: a file created exclusively next to it, saying who holds it. A lock left
 * by a process that no longer runs on this host is taken over atomically: under a takeover guard, the lock is read
 * again and, if it is still the same stale one, a fresh lock is renamed over it, so two processes can never both
 * end up holding it. A live one stops the command with who holds it.
 */
export class StackLock {
  private constructor(
    readonly path: string,
    private readonly nonce: string,
    /** The folder this lock made (a stack's first command): removed again on release if nothing else is in it. */
    private readonly madeDir: string | undefined,
  ) {}

  static acquire(manifestPath: string, command: string): StackLock {
    const path = lockPathOf(manifestPath);
    const madeDir = mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const nonce = randomBytes(12).toString('hex');
    const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: isoNow(), nonce };
    const text = JSON.stringify(info);
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeSync(fd, text);
        } finally {
          closeSync(fd);
        }
        return new StackLock(path, nonce, madeDir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(path);
      if (holder === undefined) continue; // released in between: try again
      // A lock being written right now reads as empty: give its writer a moment before judging it.
      if (holder.pid === undefined && attempt < 3) {
        sleepSync(5);
        continue;
      }
      if (!isStale(holder) && holder.pid !== undefined) throw lockedError(path, holder);
      if (holder.pid === undefined && holder.host === undefined) {
        // Garbage that is not a lock three-tier wrote: never guess, say so.
        throw new ThreeTierError('STACK_LOCKED', `the lock file ${path} is not one three-tier wrote`, { hints: [`if no three-tier process is running, remove ${path}`] });
      }
      const took = withTakeoverGuard(path, () => {
        const again = readLock(path);
        if (again === undefined || again.nonce !== holder.nonce || again.pid !== holder.pid || again.startedAt !== holder.startedAt) return false;
        writeFileAtomic(path, text);
        return true;
      });
      if (took === true) return new StackLock(path, nonce, madeDir);
      sleepSync(2 + attempt);
    }
    throw new ThreeTierError('STACK_LOCKED', `could not take the lock ${path}: other three-tier commands keep taking it`, { hints: [`remove ${path} if no three-tier process is running`] });
  }

  /** Remove the lock, if it is still ours (never a lock someone else took over). */
  release(): void {
    if (readLock(this.path)?.nonce === this.nonce) rmSync(this.path, { force: true });
    if (this.madeDir === undefined) return;
    try {
      rmdirSync(this.madeDir);
    } catch {
      // Not empty (a manifest was written): it stays.
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
