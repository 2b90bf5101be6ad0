import type { FastifyReply, FastifyRequest } from 'fastify';

// What a browser needs to be told about a JSON API: never sniff a type, load nothing from it and never frame it (the
// CSP's frame-ancestors, which supersedes X-Frame-Options in every current browser), send no referrer. Fastify sends
// no X-Powered-By. Strict-Transport-Security waits for HTTPS (the URL is plain HTTP). Kept to these three: every
// header is work on each answer, the cache hit included.
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
} as const;

/** Set before anything else runs, so every answer has them: errors, 404s and refusals included. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.headers(SECURITY_HEADERS);
  // Health and writes must never be answered from a cache between the client and the API.
  if (request.method !== 'GET' || request.url === '/health') void reply.header('cache-control', 'no-store');
}
