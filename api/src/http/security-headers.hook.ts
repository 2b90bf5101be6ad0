import type { FastifyInstance } from 'fastify';

// What a browser needs to be told about a JSON API: never sniff a type, load nothing from it and never frame it (the
// CSP's frame-ancestors, which supersedes X-Frame-Options in every current browser), send no referrer. Fastify sends
// no X-Powered-By. Strict-Transport-Security waits for HTTPS (the URL is plain HTTP). Kept to these three: every
// header is work on each answer, the cache hit included.
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
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
