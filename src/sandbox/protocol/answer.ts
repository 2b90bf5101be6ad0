import type { ServerResponse } from 'node:http';
import type { Schema } from '@smithy/types';
import type { AwsError } from '../errors.js';
import type { SandboxService } from '../service.js';
import { ec2ErrorXml, ec2ResponseXml, queryErrorXml, queryResponseXml } from './query.js';
import { jsonErrorBody, jsonResponseBody } from './json.js';

/** Writing answers: one complete response per request, in the wire format of the service's protocol. */
export function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** An AwsError in its service's format; JSON 1.1 when the service is unknown. */
export function sendError(res: ServerResponse, service: SandboxService | undefined, error: AwsError, requestId: string, headers: Record<string, string> = {}): void {
  const all = { 'x-amzn-requestid': requestId, ...headers };
  if (!service || service.protocol === 'json') {
    send(res, error.status, 'application/x-amz-json-1.1', jsonErrorBody(error.code, error.message), { ...all, 'x-amzn-errortype': error.code });
  } else if (service.protocol === 'ec2') {
    send(res, error.status, 'text/xml;charset=UTF-8', ec2ErrorXml(error.code, error.message, requestId), all);
  } else {
    send(res, error.status, 'text/xml', queryErrorXml(service.xmlns ?? '', error.fault, error.code, error.message, requestId), all);
  }
}

/** A handler's output in its service's format. */
export function sendOutput(res: ServerResponse, service: SandboxService, operation: string, outputSchema: Schema, output: Record<string, unknown>, requestId: string): void {
  const headers = { 'x-amzn-requestid': requestId };
  if (service.protocol === 'json') {
    send(res, 200, 'application/x-amz-json-1.1', jsonResponseBody(output), headers);
  } else if (service.protocol === 'ec2') {
    send(res, 200, 'text/xml;charset=UTF-8', ec2ResponseXml(operation, service.xmlns ?? '', outputSchema, output, requestId), headers);
  } else {
    send(res, 200, 'text/xml', queryResponseXml(operation, service.xmlns ?? '', outputSchema, output, requestId), headers);
  }
}
