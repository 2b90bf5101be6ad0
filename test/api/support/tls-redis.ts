import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { releasedPort } from './net-fixtures.js';
import type { TestCerts } from './test-certs.js';

// A redis-server of the test's own speaking only TLS (as ElastiCache with in-transit encryption), optionally with an
// AUTH password (as an ElastiCache AUTH token). It must start: without redis-server, or with one built without TLS,
// the test fails with the reason, it never skips.

export class TlsRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(certs: TestCerts, password?: string): Promise<TlsRedis> {
    let lastOutput = '';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await releasedPort();
      const args = [
        '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1',
        '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile, '--tls-ca-cert-file', certs.caFile,
        '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', certs.dir,
        ...(password === undefined ? [] : ['--requirepass', password]),
      ];
      const output: string[] = [];
      const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const spawnError = once(child, 'error').then(([error]) => error as NodeJS.ErrnoException);
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const server = new TlsRedis(port, child);
      const outcome = await Promise.race([server.ready(certs, password), spawnError]);
      if (outcome === true) return server;
      if (outcome instanceof Error) {
        throw new Error(outcome.code === 'ENOENT' ? 'the TLS Redis test needs redis-server (Debian: apt-get install redis-server)' : outcome.message);
      }
      await server.stop();
      lastOutput = output.join('');
      if (/tls/i.test(lastOutput) && /not (supported|compiled|built)|unrecognized|Bad directive/i.test(lastOutput)) {
        throw new Error(`this redis-server was built without TLS, which the test needs:\n${lastOutput}`);
      }
    }
    throw new Error(`the TLS redis-server did not start:\n${lastOutput}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }

  private async ready(certs: TestCerts, password: string | undefined): Promise<boolean> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && this.child.exitCode === null) {
      const client = new Redis({
        host: 'localhost', port: this.port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
        tls: { ca: readFileSync(certs.caFile), servername: 'localhost' },
      });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        client.disconnect();
      }
    }
    return false;
  }
}
