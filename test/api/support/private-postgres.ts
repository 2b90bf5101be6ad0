import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { releasedPort } from './net-fixtures.js';
import type { TestCerts } from './test-certs.js';

// A PostgreSQL server of the test's own (initdb in a temporary folder, on a free loopback port) for what the shared
// one cannot show: it trusts every local connection, so it proves nothing about passwords, and it has no TLS.
// Password authentication is scram-sha-256, as RDS uses. It must start: a machine without PostgreSQL's server
// binaries fails the test with the reason, it never skips it.

export const PRIVATE_PG_ADMIN = 'tt_admin';

function serverBinaries(): { initdb: string; postgres: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  }
  throw new Error(`a private PostgreSQL needs initdb and postgres under ${root}/<version>/bin (Debian: apt-get install postgresql)`);
}

/** initdb and postgres refuse to run as root: as root, they run as the postgres system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, a private PostgreSQL needs the postgres system user (created by Debian\'s postgresql package)');
  }
}

export interface PrivatePostgresOptions {
  /** The admin role's password. */
  readonly password: string;
  /** Serve TLS with this server certificate. */
  readonly tls?: TestCerts;
}

export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  static async start(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
    const { initdb, postgres } = serverBinaries();
    const owner = runAs();
    const dir = mkdtempSync(join(tmpdir(), 'three-tier-pg-'));
    const own = (path: string): void => {
      if (owner) chownSync(path, owner.uid, owner.gid);
    };
    own(dir);
    writeFileSync(join(dir, 'pwfile'), `${options.password}\n`, { mode: 0o600 });
    own(join(dir, 'pwfile'));
    try {
      execFileSync(initdb, ['-D', join(dir, 'data'), '-U', PRIVATE_PG_ADMIN, `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-sync'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...owner,
      });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    }
    const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off'];
    if (options.tls) {
      // The key must belong to the server's user and be private to it, or PostgreSQL refuses to start.
      for (const [from, to] of [[options.tls.certFile, 'server.pem'], [options.tls.keyFile, 'server.key']] as const) {
        copyFileSync(from, join(dir, to));
        chmodSync(join(dir, to), 0o600);
        own(join(dir, to));
      }
      settings.push('-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.pem')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`);
    }
    // The port is the kernel's pick, released for postgres to take; if another process took it first, postgres
    // exits and the next attempt picks another.
    let lastOutput = '';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await releasedPort();
      const output: string[] = [];
      const child = spawn(postgres, ['-D', join(dir, 'data'), '-p', String(port), ...settings], { stdio: ['ignore', 'pipe', 'pipe'], ...owner });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const server = new PrivatePostgres(port, dir, child, output);
      if (await server.ready(options.password)) return server;
      await server.stopProcess();
      lastOutput = output.join('');
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the private PostgreSQL did not start:\n${lastOutput}`);
  }

  /** A client pool as the admin role (over TLS when the server has it, without verification: tests only). */
  adminPool(password: string): pg.Pool {
    return new pg.Pool({ host: '127.0.0.1', port: this.port, user: PRIVATE_PG_ADMIN, password, database: 'postgres', max: 2 });
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ready(password: string): Promise<boolean> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && this.child.exitCode === null) {
      const client = new pg.Client({ host: '127.0.0.1', port: this.port, user: PRIVATE_PG_ADMIN, password, database: 'postgres' });
      try {
        await client.connect();
        await client.end();
        return true;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return false;
  }

  private async stopProcess(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no waiting for them).
    this.child.kill('SIGINT');
    await exited;
  }
}
