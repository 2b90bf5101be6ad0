import type { FastifyInstance } from 'fastify';
import type { JsonLogger } from '../logging/json-logger';
import type { ApiKey } from './api-key';
import { sendError } from './error-reply';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_ECHOED_TYPE = 100;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0');
}

function mediaType(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * What a write must show before its body is even read: the API key when one is configured (401 otherwise, the same
 * answer for a missing and a wrong key), then a JSON content type (415 otherwise: `curl -d` sends a form type, which
 * would otherwise be parsed as a form and refused with a confusing message). Reads never pass here.
 */
export function registerWriteChecks(fastify: FastifyInstance, apiKey: ApiKey | undefined, logger: JsonLogger): void {
  if (apiKey === undefined) {
    logger.warn('API_KEY is not set: writes (POST, PUT, DELETE /items) are open to anyone who can reach the API');
  }
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!WRITE_METHODS.has(request.method)) return done();
    if (apiKey !== undefined && !apiKey.presentedIn(request.headers)) {
      void sendError(reply.header('www-authenticate', 'Bearer'), 401, 'writes need the API key: send it as "Authorization: Bearer KEY" or "x-api-key: KEY"');
      return;
    }
    const contentType = request.headers['content-type'];
    if ((request.method === 'POST' || request.method === 'PUT') && hasBody(request.headers) && (contentType === undefined || mediaType(contentType) !== 'application/json')) {
      const got = contentType === undefined ? 'no content-type' : `content-type: ${contentType.slice(0, MAX_ECHOED_TYPE)}`;
      void sendError(reply, 415, `send the body as JSON with the header "content-type: application/json" (got ${got})`);
      return;
    }
    done();
  });
}
