import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ManifestStore, StackLock, readManifest } from '../../src/engine/manifest.js';
import { resolveConfig } from '../../src/config.js';
import { ThreeTierError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'three-tier-manifest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = resolveConfig({ stack: 'demo', region: 'us-east-1' });

describe('ManifestStore', () => {
  it('writes every update at once, owner-only, leaving no temp files', () => {
    const path = join(dir, 'a', 'demo.json');
    const store = ManifestStore.open(path, { config });
    store.update('vpc', 'vpc', { status: 'creating', identity: { vpcId: 'vpc-1' } });
    const onDisk = readManifest(path);
    assert.equal(onDisk?.resources['vpc']?.identity?.['vpcId'], 'vpc-1');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, 'a')), ['demo.json']);
    store.update('vpc', 'vpc', { status: 'ready', outputs: { cidr: '10.0.0.0/16' } });
    const again = ManifestStore.open(path, { config });
    assert.equal(again.resource('vpc')?.status, 'ready');
    assert.equal(again.resource('vpc')?.identity?.['vpcId'], 'vpc-1', 'identity kept when outputs are merged');
    again.forget('vpc');
    assert.equal(readManifest(path)?.resources['vpc'], undefined);
  });

  it('refuses a manifest that fails its schema, naming the path and the field, and leaves it as it was', () => {
    const path = join(dir, 'bad.json');
    const text = JSON.stringify({ schemaVersion: 1, stack: 'demo', resources: { vpc: { status: 'flying' } } });
    writeFileSync(path, text);
    assert.throws(
      () => ManifestStore.open(path, { config }),
      (e: unknown) => e instanceof ThreeTierError && e.code === 'MANIFEST_INVALID' && e.message.includes(path) && /region|config|status/.test(e.message),
    );
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('refuses invalid JSON with the path', () => {
    const path = join(dir, 'garbage.json');
    writeFileSync(path, '{ nope');
    assert.throws(() => readManifest(path), (e: unknown) => e instanceof ThreeTierError && e.message.includes(path) && /not valid JSON/.test(e.message));
  });

  it('refuses a manifest of another stack', () => {
    const path = join(dir, 'other.json');
    ManifestStore.open(path, { config: resolveConfig({ stack: 'other', region: 'us-east-1' }) }).save();
    assert.throws(() => ManifestStore.open(path, { config }), (e: unknown) => e instanceof ThreeTierError && e.kind === 'usage' && /belongs to stack "other"/.test(e.message));
  });
});

describe('StackLock', () => {
  it('stops a second holder with who holds it, and frees on release', () => {
    const path = join(dir, 'locked.json');
    const lock = StackLock.acquire(path, 'up');
    assert.throws(() => StackLock.acquire(path, 'destroy'), (e: unknown) => e instanceof ThreeTierError && e.code === 'STACK_LOCKED' && e.message.includes(`pid ${process.pid}`));
    lock.release();
    StackLock.acquire(path, 'destroy').release();
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it('takes over a lock whose process is gone', () => {
    const path = join(dir, 'stale.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), command: 'up', startedAt: 'then' }));
    const lock = StackLock.acquire(path, 'up');
    assert.match(readFileSync(`${path}.lock`, 'utf8'), new RegExp(`"pid":${process.pid}`));
    lock.release();
  });
});
