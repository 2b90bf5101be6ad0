import type { AwsError } from './errors.js';
import type { Resource } from './world.js';

/**
 * Pagination, one way for every simulated service: a page of a listing and the token that continues it. Tokens are
 * opaque to callers (base64url JSON): either an offset into the listing, or the key of the last item returned, so
 * that a walk stays correct when items come and go between pages. Each service passes its own page-size limits and
 * its own errors, in AWS's words for that service.
 */
export interface PageLimits {
  min: number;
  max: number;
  /** The page size when the caller gives none; undefined returns the whole rest of the listing. */
  default?: number;
  /** The service's error for a page size outside min..max (or not an integer). */
  badSize: (size: number) => AwsError;
  /** The service's error for a token it did not hand out. */
  badToken: (token: string) => AwsError;
}

export interface Page<T> {
  items: T[];
  /** The token of the next page; absent on the last one. */
  next?: string;
}

type Token = { o: number } | { k: string };

function encode(token: Token): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decode(text: string): Token | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown } | null;
    if (typeof v?.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return { o: v.o };
    if (typeof v?.k === 'string') return { k: v.k };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The page size a caller asked for, checked against the limits (the default when none was given). */
export function pageSize(size: number | undefined, limits: PageLimits): number | undefined {
  if (size === undefined) return limits.default;
  if (!Number.isInteger(size) || size < limits.min || size > limits.max) throw limits.badSize(size);
  return size;
}

/** An empty token starts at the beginning, as an absent one does. */
function given(token: string | undefined): token is string {
  return token !== undefined && token !== '';
}

/** A page of `items` (in listing order) from the offset the token carries. */
export function pageByOffset<T>(items: T[], token: string | undefined, size: number | undefined, limits: PageLimits): Page<T> {
  let start = 0;
  if (given(token)) {
    const t = decode(token);
    if (!t || !('o' in t)) throw limits.badToken(token);
    start = t.o;
  }
  const n = pageSize(size, limits);
  if (n === undefined) return { items: items.slice(start) };
  const end = start + n;
  return end < items.length ? { items: items.slice(start, end), next: encode({ o: end }) } : { items: items.slice(start, end) };
}

export interface KeyOptions {
  /** List in descending key order. */
  descending?: boolean;
  /** The token's item must still exist (Secrets Manager), else the token is refused. */
  mustExist?: boolean;
}

/**
 * A page of `items` sorted by `keyOf` (unique keys), after the item whose key the token carries: items created or
 * deleted between pages neither repeat nor shift the walk.
 */
export function pageAfterKey<T>(
  items: T[],
  keyOf: (item: T) => string,
  token: string | undefined,
  size: number | undefined,
  limits: PageLimits,
  options: KeyOptions = {},
): Page<T> {
  const sign = options.descending ? -1 : 1;
  const sorted = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -sign : a.key > b.key ? sign : 0));
  let rest = sorted;
  if (given(token)) {
    const t = decode(token);
    if (!t || !('k' in t)) throw limits.badToken(token);
    if (options.mustExist && !sorted.some((x) => x.key === t.k)) throw limits.badToken(token);
    rest = sorted.filter((x) => (options.descending ? x.key < t.k : x.key > t.k));
  }
  const n = pageSize(size, limits) ?? rest.length;
  const page = rest.slice(0, n);
  const last = page[page.length - 1];
  const out = { items: page.map((x) => x.item) };
  return rest.length > n && last ? { ...out, next: encode({ k: last.key }) } : out;
}

/** The key of a resource in creation order (ties broken by id): what Marker pagination walks. */
export function creationKey(r: Resource): string {
  return `${String(r.createdAt).padStart(16, '0')}|${r.id}`;
}
