import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The key writes need. Compared in constant time: both sides are hashed first, so neither the content nor the
 * length of the key leaks through how long a wrong guess takes to be refused.
 */
export class ApiKey {
  private readonly expected: Buffer;

  constructor(key: string) {
    this.expected = digest(key);
  }

  /** True when `Authorization: Bearer KEY` or `x-api-key: KEY` carries the key. */
  presentedIn(headers: IncomingHttpHeaders): boolean {
    const authorization = headers.authorization;
    const bearer = authorization !== undefined && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined;
    const header = headers['x-api-key'];
    const apiKeyHeader = typeof header === 'string' ? header.trim() : undefined;
    // Both are checked whatever the first gives, so the time taken does not say which header was tried.
    const bearerOk = bearer !== undefined && timingSafeEqual(digest(bearer), this.expected);
    const headerOk = apiKeyHeader !== undefined && timingSafeEqual(digest(apiKeyHeader), this.expected);
    return bearerOk || headerOk;
  }
}
