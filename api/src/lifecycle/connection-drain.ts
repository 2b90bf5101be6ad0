import type { FastifyInstance } from 'fastify';

/**
 * Ends keep-alive connections as their in-flight request finishes once shutdown has begun. Closing the server only
 * closes the connections idle at that moment; a connection busy then (an ALB keeps them open) would otherwise stay
 * open after its response until the keep-alive timeout (72 s in Fastify), past ECS's stop timeout, and the task
 * would be killed instead of exiting 0.
 */
export class ConnectionDrain {
  private draining = false;

  register(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (_request, _reply, done) => {
      // By the next turn the finished connection counts as idle, and closeIdleConnections ends it.
      if (this.draining) setImmediate(() => fastify.server.closeIdleConnections());
      done();
    });
  }

  start(): void {
    this.draining = true;
  }
}
