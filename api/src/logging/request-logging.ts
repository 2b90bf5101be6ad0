import type { FastifyInstance } from 'fastify';
import type { JsonLogger } from './json-logger';

/**
 * One log line per finished request, from a Fastify hook rather than a Nest interceptor: it also sees what never
 * reaches a controller (404 for unknown routes, 413 for oversized bodies, 400 for unparsable JSON) and costs less.
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: JsonLogger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    const query = url.indexOf('?');
    // The query string is left out: it is not needed to follow traffic and could carry something private.
    logger.request(request.method, query === -1 ? url : url.slice(0, query), reply.statusCode, reply.elapsedTime);
    done();
  });
}
