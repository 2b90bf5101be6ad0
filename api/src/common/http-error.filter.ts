import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { JsonLogger } from '../logging/json-logger';
import { DependencyUnavailableError } from './dependency-unavailable.error';

/** The JSON body of every error answer. Never a stack trace: that goes to the log, not to the client. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly [extra: string]: unknown;
}

/**
 * Turns every exception into a JSON answer: HttpExceptions keep their status and body, an unavailable dependency
 * becomes 503 (so the ALB and clients can tell "try again" from "bug"), anything else is a logged 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    sendErrorBody(host.switchToHttp().getResponse<FastifyReply>(), exception, this.logger);
  }
}

/** The error answer for an exception, logged as its kind deserves. Also used by routes Nest does not run. */
export function sendErrorBody(reply: FastifyReply, exception: unknown, logger: JsonLogger): void {
  const body = errorBody(exception, logger);
  void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
}

function errorBody(exception: unknown, logger: JsonLogger): ErrorBody {
  if (exception instanceof HttpException) return httpExceptionBody(exception);
  if (exception instanceof DependencyUnavailableError) {
    logger.warn('dependency unavailable', { service: exception.service, reason: exception.reason });
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      message: `${exception.service} unavailable, try again later`,
    };
  }
  const error = exception instanceof Error ? exception : new Error(String(exception));
  logger.error('unhandled error', { error: error.name, reason: error.message, stack: error.stack });
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', message: 'internal error' };
}

function httpExceptionBody(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  const error = STATUS_CODES[statusCode] ?? 'Error';
  if (typeof response === 'string') return { statusCode, error, message: response };
  const fields = response as Record<string, unknown>;
  const message = Array.isArray(fields['message']) ? fields['message'].join('; ') : String(fields['message'] ?? error);
  return { ...fields, statusCode, error: typeof fields['error'] === 'string' ? fields['error'] : error, message };
}
