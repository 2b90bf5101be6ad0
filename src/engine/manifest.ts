import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
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

export const MANIFEST_VERSION = 1;

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_VERSION),
    stack: z.string(),
    region: z.string(),
    /** The endpoint the stack lives behind when it is not real AWS (the sandbox). */
    endpoint: z.string().optional(),
    config: stackConfigSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    resources: z.record(z.string(), manifestResourceSchema),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

export function defaultManifestPath(stack: string, cwd = process.cwd()): string {
  return join(cwd, '.three-tier', `${stack}.json`);
}

function isoNow(): string {
  return new Date().toISOString();
}

/** Write a file atomically and owner-only: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function readManifest(path: string): Manifest | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ThreeTierError('MANIFEST_INVALID', `the manifest ${path} is not valid JSON: ${(e as Error).message}`, {
      hints: ['restore it from a backup, or move it away and run `three-tier status` to find the stack by its tags'],
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const where = issuesText(parsed.error);
    throw new ThreeTierError('MANIFEST_INVALID', `the manifest ${path} does not match schema version ${MANIFEST_VERSION}: ${where}`, {
      hints: ['it was not rewritten; fix or move it away, then run the command again'],
    });
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
    const existing = readManifest(path);
    if (existing) {
      if (existing.stack !== init.config.stack) {
        throw new ThreeTierError('MANIFEST_MISMATCH', `the manifest ${path} belongs to stack "${existing.stack}", not "${init.config.stack}"`, {
          kind: 'usage',
          hints: ['pass --manifest with the right file, or --stack with the stack this file belongs to'],
        });
      }
      return new ManifestStore(path, existing);
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

  save(): void {
    this.doc.updatedAt = isoNow();
    writeFileAtomic(this.path, `${JSON.stringify(this.doc, null, 2)}\n`);
  }

  /** Remove the manifest file (only when everything it knew is gone). */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on a stack's manifest. A lock left by a process that no longer runs on this host is taken
 * over; a live one stops the command with who holds it.
 */
export class StackLock {
  private constructor(readonly path: string) {}

  static acquire(manifestPath: string, command: string): StackLock {
    const path = `${resolve(manifestPath)}.lock`;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: isoNow() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(info));
        } finally {
          closeSync(fd);
        }
        return new StackLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let holder: Partial<LockInfo> = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
      } catch {
        // A lock being written right now, or garbage: treat as held once, then as stale.
        if (attempt === 0) continue;
      }
      const sameHost = holder.host === hostname();
      if (sameHost && typeof holder.pid === 'number' && processAlive(holder.pid)) {
        throw new ThreeTierError(
          'STACK_LOCKED',
          `another three-tier ${holder.command ?? 'command'} is working on this stack (pid ${holder.pid}, since ${holder.startedAt ?? 'unknown'})`,
          { hints: ['wait for it to finish, then run this again', `if no three-tier process is running, remove ${path}`] },
        );
      }
      if (!sameHost && holder.host !== undefined) {
        throw new ThreeTierError('STACK_LOCKED', `the stack is locked by a three-tier ${holder.command ?? 'command'} on host ${holder.host} (pid ${holder.pid})`, {
          hints: [`if that process is gone, remove ${path}`],
        });
      }
      rmSync(path, { force: true });
    }
    throw new ThreeTierError('STACK_LOCKED', `could not take the lock ${path}`, { hints: [`remove ${path} if no three-tier process is running`] });
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
