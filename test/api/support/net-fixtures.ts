import net from 'node:net';

/**
 * A port nothing listens on, held for the rest of the test process so nothing else can start listening on it: the
 * local port of an open loopback connection. A connection to that port finds no listener and is refused
 * (ECONNREFUSED), and binding it fails (EADDRINUSE) while the connection is open. No port number is guessed, so two
 * test files running at once can never be handed the same one. The sockets are unref'd: they never keep a finished
 * test process alive.
 */
export async function deadPort(): Promise<number> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket);
    socket.unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const holder = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    holder.once('connect', resolve);
    holder.once('error', reject);
  });
  holder.unref();
  const port = holder.localPort;
  if (port === undefined || !(await isRefused(port))) throw new Error('the held port is not refused');
  return port;
}

/**
 * A port for a server that cannot be handed a listening socket (postgres, redis-server): the kernel's pick, released
 * for the server to take. Another process may take it first; the server then fails to start and the caller tries
 * again with another.
 */
export async function releasedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
