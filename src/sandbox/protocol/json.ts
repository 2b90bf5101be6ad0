import { NormalizedSchema } from '@smithy/core/schema';
import type { Schema } from '@smithy/types';
import { AwsError } from '../errors.js';
import { isBase64 } from './base64.js';

/**
 * The server side of the awsJson1_1 protocol. Member names are the shape's own; timestamps travel as epoch
 * seconds; blobs as base64. The body is read against the operation's input schema, as AWS does: a body that is not
 * JSON, not an object, or has a member of the wrong type answers 400 SerializationException (which the SDK does not
 * retry), so no handler ever sees a wrongly typed field. Unknown members are ignored and null means absent.
 */
function serializationError(message: string): AwsError {
  return new AwsError('SerializationException', message, 400);
}

/** The JSON token AWS's messages name for a value ("STRING_VALUE can not be converted to a Boolean"). */
function token(value: unknown): string {
  if (value === null) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  if (typeof value === 'object') return 'START_OBJECT';
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  return 'BOOLEAN_VALUE';
}

function mismatch(path: string, value: unknown, expected: string): AwsError {
  const where = path === '' ? 'the request body' : `'${path}'`;
  if (Array.isArray(value)) return serializationError(`Start of list found where not expected (at ${where}; expected ${expected}).`);
  if (isObject(value)) return serializationError(`Start of structure or map found where not expected (at ${where}; expected ${expected}).`);
  return serializationError(`${token(value)} can not be converted to ${expected} (at ${where}).`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readTimestamp(ns: NormalizedSchema, value: unknown, path: string): Date {
  // awsJson sends epoch seconds unless the member says date-time (5) or http-date (6).
  const format = ns.getSchema();
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if ((format === 5 || format === 6) && typeof value === 'string') {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw mismatch(path, value, 'a Timestamp');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function read(ns: NormalizedSchema, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (ns.isDocumentSchema()) return value;
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    if (!isObject(value)) throw mismatch(path, value, 'a structure');
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const v = read(member, value[name], join(path, name));
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) throw mismatch(path, value, 'a list');
    const member = ns.getValueSchema();
    const sparse = Boolean(ns.getMergedTraits().sparse);
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const v = read(member, item, `${path}[${i}]`);
      if (v !== undefined || sparse) out.push(v ?? null);
    });
    return out;
  }
  if (ns.isMapSchema()) {
    if (!isObject(value)) throw mismatch(path, value, 'a map');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') continue;
      const r = read(ns.getValueSchema(), v, `${path}[${JSON.stringify(k)}]`);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  if (ns.isTimestampSchema()) return readTimestamp(ns, value, path);
  if (ns.isBlobSchema()) {
    if (typeof value !== 'string' || !isBase64(value)) throw mismatch(path, value, 'a Blob (base64 text)');
    return Buffer.from(value, 'base64');
  }
  if (ns.isBooleanSchema()) {
    if (typeof value !== 'boolean') throw mismatch(path, value, 'a Boolean');
    return value;
  }
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) {
    if (typeof value !== 'number') throw mismatch(path, value, 'a Number');
    return value;
  }
  if (ns.isStringSchema()) {
    if (typeof value !== 'string') throw mismatch(path, value, 'a String');
    return value;
  }
  return value;
}

export function parseJsonInput(inputSchema: Schema, body: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = body.trim() === '' ? {} : JSON.parse(body);
  } catch (e) {
    throw serializationError(`The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(raw)) throw mismatch('', raw, 'a JSON object');
  const ns = NormalizedSchema.of(inputSchema);
  return ns.isStructSchema() ? (read(ns, raw, '') as Record<string, unknown>) : {};
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
