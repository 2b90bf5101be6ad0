import type { AwsError } from './errors.js';

/**
 * Tag conversion, one way for every simulated service. The world keeps a resource's tags as a map; the APIs take
 * and answer lists, `{Key, Value}` for most services and `{key, value}` for ECS. What makes a tag valid differs per
 * service (lengths, reserved prefixes, limits, error codes), so each service passes its own rules.
 */
export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** The lower-case spelling ECS uses. */
export function lowerCaseTagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export interface TagRules<T> {
  /** Checks one tag of the request and returns its key and value, or throws the service's error. */
  entry: (tag: T) => [key: string, value: string];
  /** The service's error for a key given twice; without it, the last value wins. */
  duplicate?: (key: string) => AwsError;
  /** At most this many tags, else `tooMany`. */
  max?: number;
  tooMany?: () => AwsError;
}

/** A request's tag list as a map, checked by the service's rules. */
export function tagMap<T>(list: readonly T[] | undefined, rules: TagRules<T>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of list ?? []) {
    const [key, value] = rules.entry(tag);
    if (rules.duplicate && Object.prototype.hasOwnProperty.call(out, key)) throw rules.duplicate(key);
    out[key] = value;
  }
  if (rules.max !== undefined && rules.tooMany && Object.keys(out).length > rules.max) throw rules.tooMany();
  return out;
}
