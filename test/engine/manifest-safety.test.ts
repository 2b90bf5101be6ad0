import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestStore, MANIFEST_VERSION, readManifest, StackLock, writeFileAtomic } from '../../src/engine/manifest.js';
import { resolveConfig } from '../../src/config.js';
import { ThreeTierError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'three-tier-manifest-safety-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });
const manifestModule = fileURLToPath(new URL('../../src/engine/manifest.js', import.meta.url));

describe('manifest versions', () => {
  it('reads a version-1 manifest and writes it back as the current version', () => {
    const path = join(dir, 'v1.json');
    const now = new Date().toISOString();
    writeFileSync(path, JSON.stringify({ schemaVersion: 1, stack: 'demo', region: 'us-east-1', config, createdAt: now, updatedAt: now, resources: {} }));
    assert.equal(readManifest(path)?.schemaVersion, MANIFEST_VERSION);
    ManifestStore.open(path, { config }).save();
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { schemaVersion: number }).schemaVersion, MANIFEST_VERSION);
  });

  it('refuses a manifest written by a newer three-tier as bad input, and leaves it untouched', () => {
    const path = join(dir, 'future.json');
    const text = JSON.stringify({ schemaVersion: MANIFEST_VERSION + 1, stack: 'demo', whatever: true });
    writeFileSync(path, text);
    assert.throws(() => readManifest(path), (e: unknown) => e instanceof ThreeTierError && e.code === 'MANIFEST_TOO_NEW' && e.kind === 'usage' && e.message.includes(path) && /upgrade/.test(e.hints.join()));
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('an unreadable manifest is bad input (exit 2), with the path and the reason', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"schemaVersion": 2, "stack": ');
    assert.throws(() => readManifest(path), (e: unknown) => e instanceof ThreeTierError && e.code === 'MANIFEST_INVALID' && e.kind === 'usage' && /not valid JSON/.test(e.message));
  });
});

describe('writeFileAtomic', () => {
  it('creates the folder 0700 and the file 0600 whatever the umask, and leaves no temp file', () => {
    const path = join(dir, 'fresh', 'demo.json');
    const old = process.umask(0);
    try {
      writeFileAtomic(path, '{}');
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(dir, 'fresh')).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, 'fresh')), ['demo.json']);
  });

  it('replaces a symlink planted at the path instead of writing through it', () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const path = join(dir, 'linked.json');
    symlinkSync(victim, path);
    writeFileAtomic(path, '{"new":true}');
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
  });
});

describe('StackLock takeover', () => {
  const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

  it('several processes racing for a stale lock: exactly one takes it, the others are told who holds it', async () => {
    const path = join(dir, 'race.json');
    for (let round = 0; round < 3; round++) {
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), command: 'up', startedAt: 'then', nonce: `stale-${round}` }));
      // Each racer loads the code, says it is ready, and waits for "go"; all go at once. The winner holds the lock
      // until every racer has answered, so a late starter cannot take a lock that was released in the meantime.
      const script = `
        const { StackLock } = await import(${JSON.stringify(manifestModule)});
        process.stdout.write('ready\\n');
        process.stdin.once('data', () => {
          try { const l = StackLock.acquire(${JSON.stringify(path)}, 'racer'); process.stdout.write('won\\n'); process.stdin.once('data', () => { l.release(); process.exit(0); }); }
          catch (e) { process.stdout.write((e.code ?? 'error') + '\\n'); process.exit(0); }
        });`;
      const racers = Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
        const lines: string[] = [];
        const waiters: (() => void)[] = [];
        child.stdout.on('data', (c: Buffer) => {
          lines.push(...c.toString().split('\n').filter(Boolean));
          for (const w of waiters.splice(0)) w();
        });
        const nth = (n: number) => new Promise<string>((resolve) => {
          const check = (): void => (lines.length >= n ? resolve(lines[n - 1] as string) : void waiters.push(check));
          check();
        });
        child.stdin.on('error', () => undefined); // a racer that lost has exited: its stdin is closed
        const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
        return { child, nth, exited };
      });
      await Promise.all(racers.map((r) => r.nth(1)));
      for (const r of racers) r.child.stdin.write('go\n');
      const outcomes = await Promise.all(racers.map((r) => r.nth(2)));
      racers.forEach((r, i) => {
        if (outcomes[i] === 'won') r.child.stdin.write('release\n');
      });
      await Promise.all(racers.map((r) => r.exited));
      assert.equal(outcomes.filter((o) => o === 'won').length, 1, `round ${round}: ${outcomes.join(', ')}`);
      assert.deepEqual([...new Set(outcomes.filter((o) => o !== 'won'))], ['STACK_LOCKED'], outcomes.join(', '));
      assert.equal(existsSync(`${path}.lock`), false, 'the winner released it');
    }
  });

  it('a release never removes a lock someone else holds now', () => {
    const path = join(dir, 'mine.json');
    const lock = StackLock.acquire(path, 'up');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), command: 'destroy', startedAt: 'now', nonce: 'someone-else' }));
    lock.release();
    assert.ok(existsSync(`${path}.lock`));
    rmSync(`${path}.lock`);
  });

  it('names the host and the path for a lock left by a process on another machine', () => {
    const path = join(dir, 'remote.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 4242, host: 'build-agent-7', command: 'up', startedAt: '2026-11-29T10:00:00Z', nonce: 'x' }));
    assert.throws(
      () => StackLock.acquire(path, 'destroy'),
      (e: unknown) => e instanceof ThreeTierError && e.code === 'STACK_LOCKED' && /host build-agent-7/.test(e.message) && e.hints.some((h) => h.includes(`${path}.lock`)),
    );
    rmSync(`${path}.lock`);
  });
});
