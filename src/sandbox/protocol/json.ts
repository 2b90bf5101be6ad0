import { NormalizedSchema } from '@smithy/core/schema';
import type { Schema } from '@smithy/types';

/**
 * The server side of the awsJson1_1 protocol. Member names are the shape's own; timestamps travel as epoch
 * seconds; blobs as base64. Input timestamps are turned into Dates using the operation's input schema.
 */
function revive(ns: NormalizedSchema, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (ns.isTimestampSchema()) return typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  if (ns.isBlobSchema() && typeof value === 'string') return Buffer.from(value, 'base64');
  if (ns.isListSchema() && Array.isArray(value)) return value.map((v) => revive(ns.getValueSchema(), v));
  if (ns.isMapSchema() && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = revive(ns.getValueSchema(), v);
    return out;
  }
  if (ns.isStructSchema() && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) if (src[name] !== undefined) out[name] = revive(member, src[name]);
    return out;
  }
  return value;
}

export function parseJsonInput(inputSchema: Schema, body: string): Record<string, unknown> {
  const raw: unknown = body.trim() === '' ? {} : JSON.parse(body);
  return (revive(NormalizedSchema.of(inputSchema), raw) ?? {}) as Record<string, unknown>;
}

export function jsonResponseBody(output: Record<string, unknown>): string {
  return JSON.stringify(output, function replacer(this: Record<string, unknown>, key: string, value: unknown) {
    const original = key === '' ? value : this[key];
    if (original instanceof Date) return original.getTime() / 1000;
    if (original instanceof Uint8Array) return Buffer.from(original).toString('base64');
    return value;
  });
}

export function jsonErrorBody(code: string, message: string): string {
  return JSON.stringify({ __type: code, message });
}
