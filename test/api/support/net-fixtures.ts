import net from 'node:net';

/**
 * A port nothing listens on. Not one borrowed from the kernel's ephemeral range (32768-60999) and released: in a
 * full test run other processes bind ephemeral ports all the time and one may take it. Ports 20000-29999 are outside
 * that range and nothing in this repository binds them, so a port found refused there stays refused.
 */
export async function deadPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await isRefused(port)) return port;
  }
  throw new Error('no refused port found in 20000-29999');
}

/** A server that accepts TCP connections and never sends a byte: a dependency that hangs. */
export class HangingServer {
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  });

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Resolves true when a TCP connection to the port is refused, false when it is accepted. */
export function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
