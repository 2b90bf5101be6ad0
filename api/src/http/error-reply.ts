import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Answers from a Fastify hook, before any controller runs, with the same JSON error body as HttpErrorFilter. Error
 * answers are never cached.
 */
export function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply
    .code(statusCode)
    .header('cache-control', 'no-store')
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }));
}
