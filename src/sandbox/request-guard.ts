import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to the sandbox. It listens on loopback, but any web page the user opens can still reach loopback:
 * a form or a text/plain fetch POST needs no CORS preflight, and DNS rebinding lets a page read the answers. So the
 * sandbox answers only requests addressed to its own loopback name and port, and none that a browser sent on a
 * page's behalf: browsers always send Origin with a POST, and Sec-Fetch-Site on everything else. SDKs, the AWS CLI,
 * curl and Node's fetch send neither (Node's fetch sends Sec-Fetch-Mode only). A control POST must be JSON, which a
 * page can only send after a preflight the sandbox never grants.
 */
export interface Refusal {
  status: 403 | 415;
  message: string;
}

function shown(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}...` : value;
}

/** Host names the sandbox answers to: it listens on 127.0.0.1 only, which `localhost` also names. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function refuseRequest(req: IncomingMessage, port: number): Refusal | undefined {
  const host = req.headers.host;
  if (host === undefined || !allowedHosts(port).includes(host.toLowerCase())) {
    return {
      status: 403,
      message: `The sandbox answers only requests addressed to ${allowedHosts(port).join(' or ')}; this one was addressed to ${host === undefined ? 'no host' : shown(host)}.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    return { status: 403, message: `The sandbox does not answer requests sent by web pages (Origin: ${shown(origin)}).` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'none' && site !== 'same-origin') {
    return { status: 403, message: `The sandbox does not answer requests sent by web pages (Sec-Fetch-Site: ${shown(site)}).` };
  }
  return undefined;
}

/** A control route's POST carries JSON, declared as `content-type: application/json` (parameters such as charset allowed). */
export function refuseControlBody(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'POST') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return { status: 415, message: `POST ${req.url ?? ''} takes a JSON body with content-type: application/json; got ${type ? shown(type) : 'no content-type'}.` };
}
