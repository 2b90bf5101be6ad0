import type { FastifyInstance } from 'fastify';

// What a browser needs to be told about a JSON API: never sniff a type, never frame it, load nothing from it, send
// no referrer. Fastify sends no X-Powered-By. Strict-Transport-Security waits for HTTPS (the URL is plain HTTP).
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** Sets the headers on every answer, errors and 404s included (an onRequest hook runs for every request). */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(SECURITY_HEADERS);
    // Health and writes must never be answered from a cache between the client and the API.
    if (request.method !== 'GET' || request.url === '/health') void reply.header('cache-control', 'no-store');
    done();
  });
}
