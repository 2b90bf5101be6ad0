import net from 'node:net';

/**
 * A TCP proxy in front of a real service, which a test can stop (the service looks down: open connections are cut
 * and new ones reset at once), start again (the service is back), or slow down (answers delayed). It listens on one
 * port from the first start to close(), so no other process can take that port while the service is "down".
 */
export class TcpProxy {
  /** Delay applied to every chunk the service sends back; change it only while no request is in flight. */
  delayMs = 0;
  /** Chunks sent towards the service so far: lets a test see that a client sent nothing. */
  chunksToService = 0;
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly sockets = new Set<net.Socket>();
  private listening = false;
  private up = false;
  private delayed = 0;
  private readonly delayWaiters: (() => void)[] = [];

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Lets connections through; the first call also listens (on a port the kernel picks). */
  async start(): Promise<number> {
    if (!this.listening) {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(0, '127.0.0.1', resolve);
      });
      this.listening = true;
    }
    this.up = true;
    return this.port;
  }

  /** The service goes down: open connections are cut, new ones reset as they arrive. */
  async stop(): Promise<void> {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Resolves once every delayed chunk has been delivered. */
  async drained(): Promise<void> {
    if (this.delayed === 0) return;
    await new Promise<void>((resolve) => this.delayWaiters.push(resolve));
  }

  /** Stops listening for good (end of the test file). */
  async close(): Promise<void> {
    await this.stop();
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
  }

  private accept(client: net.Socket): void {
    if (!this.up) {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
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
    client.on('data', (chunk) => {
      this.chunksToService += 1;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.delayMs === 0) {
        client.write(chunk);
        return;
      }
      this.delayed += 1;
      setTimeout(() => {
        if (client.writable) client.write(chunk);
        this.delayed -= 1;
        if (this.delayed === 0) for (const wake of this.delayWaiters.splice(0)) wake();
      }, this.delayMs);
    });
  }
}
