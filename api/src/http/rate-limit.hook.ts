import type { FastifyInstance } from 'fastify';
import type { JsonLogger } from '../logging/json-logger';
import { sendError } from './error-reply';
import type { RateLimiter } from './rate-limiter';

/**
 * The rate limit, as a Fastify hook so it runs before a body is read, for every route but /health (the load
 * balancer's checks must never be refused). The client is request.ip: with TRUST_PROXY_HOPS=1 the address the ALB
 * appended to X-Forwarded-For, which a client cannot forge.
 */
export function registerRateLimit(fastify: FastifyInstance, limiter: RateLimiter, logger: JsonLogger): void {
  if (!limiter.enabled) {
    logger.warn('RATE_LIMIT_MAX is 0: requests are not rate limited');
    return;
  }
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.url === '/health') return;
    const decision = await limiter.hit(request.ip);
    if (decision.allowed) return;
    return sendError(
      reply.header('retry-after', String(decision.retryAfterSeconds)),
      429,
      `too many requests: at most ${limiter.max} per client in each window; retry in ${decision.retryAfterSeconds} s`,
    );
  });
}
