import type { IncomingMessage } from 'node:http';

/** A request body as it arrived: whole, over the size limit (its bytes counted, not kept), or cut off by the client. */
export type Body = { kind: 'complete'; text: string } | { kind: 'too-large'; bytes: number } | { kind: 'closed' };

/**
 * Read a request body without holding more than `maxBytes` of it. Past the limit the rest is read and dropped, so
 * the client, which writes its whole body before it reads, still gets the 413 instead of a reset connection. A
 * client that disconnects first resolves `closed`, never leaving the promise pending. How long a body may take is
 * the HTTP server's requestTimeout (408), not this function's concern.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => resolve(size > maxBytes ? { kind: 'too-large', bytes: size } : { kind: 'complete', text: Buffer.concat(chunks).toString('utf8') }));
    // After 'end' these settle nothing (a promise resolves once); before it they mean the client went away.
    req.once('close', () => resolve({ kind: 'closed' }));
    req.once('error', () => resolve({ kind: 'closed' }));
  });
}
