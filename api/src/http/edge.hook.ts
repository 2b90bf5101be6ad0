import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { JsonLogger } from '../logging/json-logger';
import type { ApiKey } from './api-key';
import { sendError } from './error-reply';
import type { RateDecision, RateLimiter } from './rate-limiter';
import { applySecurityHeaders } from './security-headers';
import { type Refusal, writeRefusal } from './write-checks';

function refuse(reply: FastifyReply, refusal: Refusal): void {
  if (refusal.headers) void reply.headers(refusal.headers);
  void sendError(reply, refusal.statusCode, refusal.message);
}

function tooMany(limiter: RateLimiter, decision: Exclude<RateDecision, { allowed: true }>): Refusal {
  return {
    statusCode: 429,
    message: `too many requests: at most ${limiter.max} per client in each window; retry in ${decision.retryAfterSeconds} s`,
    headers: { 'retry-after': String(decision.retryAfterSeconds) },
  };
}

/**
 * What every request meets before routing, in one Fastify hook (each hook is work on every request, the cache hit
 * included), so it also covers what never reaches a controller (404s, bodies refused by Fastify): the security
 * headers; the rate limit, except for /health (the load balancer's checks must never be refused), before the key
 * check so that guessing keys is limited too; then the checks a write must pass before its body is read. The
 * client is request.ip: with TRUST_PROXY_HOPS=1 the address the ALB appended to X-Forwarded-For, which a client
 * cannot forge.
 */
export function registerEdgeHook(fastify: FastifyInstance, limiter: RateLimiter, apiKey: ApiKey | undefined, logger: JsonLogger): void {
  if (apiKey === undefined) {
    logger.warn('API_KEY is not set: writes (POST, PUT, DELETE /items) are open to anyone who can reach the API');
  }
  if (!limiter.enabled) logger.warn('RATE_LIMIT_MAX is 0: requests are not rate limited');
  // Functions made once, not per request: the hook runs on every request, the cache hit included.
  const checkWrite = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const refusal = writeRefusal(request, apiKey);
    if (refusal) refuse(reply, refusal);
    else done();
  };
  const decide = (decision: RateDecision, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (decision.allowed) checkWrite(request, reply, done);
    else refuse(reply, tooMany(limiter, decision));
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    applySecurityHeaders(request, reply);
    if (!limiter.enabled || request.url === '/health') {
      checkWrite(request, reply, done);
      return;
    }
    // Most decisions are taken at once (see RateLimiter): no promise on that path.
    const decision = limiter.hit(request.ip);
    if ('then' in decision) decision.then((later) => decide(later, request, reply, done), done);
    else decide(decision, request, reply, done);
  });
}
