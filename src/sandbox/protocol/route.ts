import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors.js';
import type { SandboxService } from '../service.js';
import { services } from '../services/index.js';
import { parseQueryForm } from './query.js';

/** An AWS request matched to the service and operation that serve it. */
export interface Routed {
  service: SandboxService;
  operation: string;
  /** Raw input: form params (query protocols) or the JSON body text. */
  params?: Map<string, string>;
  jsonBody?: string;
}

/** JSON 1.1 requests name their target in X-Amz-Target; query requests carry Action and Version in the form. */
export function route(req: IncomingMessage, body: string): Routed {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.lastIndexOf('.');
    const service = services.find((s) => s.protocol === 'json' && s.targetPrefix === target.slice(0, dot));
    if (!service) throw new AwsError('UnknownOperationException', `The sandbox does not serve ${target}`);
    return { service, operation: target.slice(dot + 1), jsonBody: body };
  }
  const params = parseQueryForm(body);
  const action = params.get('Action');
  const version = params.get('Version');
  if (!action || !version) throw new AwsError('MissingAction', 'Request has no Action and Version, and no X-Amz-Target header');
  const service = services.find((s) => s.protocol !== 'json' && s.version === version);
  if (!service) throw new AwsError('InvalidAction', `The sandbox serves no API with Version=${version}`);
  return { service, operation: action, params };
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

/**
 * The service a request is for, from its headers alone (before the body is read): the X-Amz-Target prefix, or the
 * service in the SigV4 credential scope every SDK and CLI request is signed with. Used to answer a request refused
 * before routing (too large, not addressed to the sandbox) in the format its client parses.
 */
export function serviceOfHeaders(req: IncomingMessage): SandboxService | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const prefix = target.slice(0, target.lastIndexOf('.'));
    return services.find((s) => s.protocol === 'json' && s.targetPrefix === prefix);
  }
  const scope = CREDENTIAL_SCOPE.exec(req.headers.authorization ?? '');
  return scope ? services.find((s) => s.name === scope[1]) : undefined;
}
