import net from 'node:net';

/**
 * A TCP proxy in front of a real service, which a test can stop (the service looks down: connections refused,
 * open ones cut), start again on the same port (the service is back), or slow down (answers delayed).
 */
export class TcpProxy {
  /** Delay applied to every chunk the service sends back; change it only while no request is in flight. */
  delayMs = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private listenPort = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get port(): number {
    return this.listenPort;
  }

  /**
   * Listens, on the same port as before when restarted. The first port is drawn below the kernel's ephemeral range
   * (32768 and up on Linux): there, while the proxy is stopped, no outgoing connection can be given the port, so it
   * is still free when the proxy starts again.
   */
  async start(): Promise<number> {
    for (let attempt = 0; ; attempt += 1) {
      const port = this.listenPort || 20_000 + Math.floor(Math.random() * 12_000);
      const server = net.createServer((client) => this.pipe(client));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', resolve);
        });
      } catch (error) {
        if (this.listenPort !== 0 || attempt >= 20) throw error;
        continue;
      }
      this.server = server;
      this.listenPort = port;
      return port;
    }
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pipe(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (this.delayMs === 0) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), this.delayMs);
    });
  }
}
