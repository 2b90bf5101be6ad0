import type { FastifyRequest } from 'fastify';
import type { ApiKey } from './api-key';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_ECHOED_TYPE = 100;

export interface Refusal {
  readonly statusCode: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0');
}

function mediaType(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * What a write must show before its body is even read: the API key when one is configured (401 otherwise, the same
 * answer for a missing and a wrong key), then a JSON content type (415 otherwise: `curl -d` sends a form type, which
 * would otherwise be parsed as a form and refused with a confusing message). Reads always pass.
 */
export function writeRefusal(request: FastifyRequest, apiKey: ApiKey | undefined): Refusal | undefined {
  if (!WRITE_METHODS.has(request.method)) return undefined;
  if (apiKey !== undefined && !apiKey.presentedIn(request.headers)) {
    return {
      statusCode: 401,
      message: 'writes need the API key: send it as "Authorization: Bearer KEY" or "x-api-key: KEY"',
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  const contentType = request.headers['content-type'];
  if ((request.method === 'POST' || request.method === 'PUT') && hasBody(request) && (contentType === undefined || mediaType(contentType) !== 'application/json')) {
    const got = contentType === undefined ? 'no content-type' : `content-type: ${contentType.slice(0, MAX_ECHOED_TYPE)}`;
    return { statusCode: 415, message: `send the body as JSON with the header "content-type: application/json" (got ${got})` };
  }
  return undefined;
}
