import { NormalizedSchema } from '@smithy/core/schema';
import type { Schema } from '@smithy/types';
import { AwsError } from '../errors.js';
import { isBase64 } from './base64.js';

/**
 * The server side of the EC2 query and awsQuery protocols, driven by the same schemas the SDK clients use, so that
 * what the sandbox reads and writes is exactly what the SDK writes and reads (see @aws-sdk/core's
 * QueryShapeSerializer and XmlShapeDeserializer, which these functions mirror).
 */
export interface QuerySettings {
  /** EC2 query: keys capitalised or taken from ec2QueryName, lists always flattened as `Key.N`. */
  ec2: boolean;
}

/**
 * What a query request may carry. The deepest key any input of the modelled services can produce has 14 parts
 * (EC2 RequestSpotFleet; test/sandbox/request-limits.test.ts walks every operation's schema to hold this), and the
 * longest lists hold a few thousand values (EC2's 1000-id filters, tags), so no SDK call comes near these caps.
 * They bound the parser: prefixes cost at most depth x body size, instead of growing with depth squared.
 */
export const queryLimits = { maxParameters: 10_000, maxDepth: 32 } as const;

/** AWS's answer for a query string it will not read (EC2 and awsQuery common errors). */
function malformedQuery(detail: string): AwsError {
  return new AwsError('InvalidQueryParameter', `The AWS query string is malformed or does not adhere to AWS standards: ${detail}`, 400);
}

function shortKey(key: string): string {
  return key.length > 80 ? `${key.slice(0, 80)}...` : key;
}

/** The form parameters of a query request body, refused past queryLimits.maxParameters before any is decoded. */
export function parseQueryForm(body: string): Map<string, string> {
  let pairs = 1;
  for (let i = body.indexOf('&'); i !== -1; i = body.indexOf('&', i + 1)) {
    if (++pairs > queryLimits.maxParameters) {
      throw malformedQuery(`more than ${queryLimits.maxParameters} parameters in one request.`);
    }
  }
  return new Map<string, string>(new URLSearchParams(body));
}

/**
 * Every prefix of every key, built in one pass: `A.B.1.C` gives A, A.B, A.B.1, A.B.1.C. Lets list and struct reads
 * test existence fast. A key deeper than queryLimits.maxDepth parts is refused before its prefixes are stored.
 */
function prefixesOf(params: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const key of params.keys()) {
    let parts = 1;
    for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', dot + 1)) {
      if (++parts > queryLimits.maxDepth) {
        throw malformedQuery(`parameter ${shortKey(key)} is nested more than ${queryLimits.maxDepth} levels deep.`);
      }
    }
    for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', dot + 1)) out.add(key.slice(0, dot));
    out.add(key);
  }
  return out;
}

function keyFor(settings: QuerySettings, memberName: string, traits: Record<string, unknown>, struct: boolean): string {
  const ec2QueryName = traits['ec2QueryName'];
  if (settings.ec2 && typeof ec2QueryName === 'string') return ec2QueryName;
  const xmlName = traits['xmlName'];
  const key = typeof xmlName === 'string' ? xmlName : memberName;
  if (settings.ec2 && struct) return key.charAt(0).toUpperCase() + key.slice(1);
  return key;
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * A value the member's type cannot hold. EC2 answers InvalidParameterValue ("Value ( 1 ) for parameter maxResults
 * is invalid. ..."); the awsQuery services their common ValidationError in the Coral wording.
 */
function invalidValue(settings: QuerySettings, key: string, raw: string, expected: string): AwsError {
  if (settings.ec2) return new AwsError('InvalidParameterValue', `Value (${raw}) for parameter ${key} is invalid. Expecting ${expected}.`, 400);
  return new AwsError('ValidationError', `1 validation error detected: Value '${raw}' at '${key}' failed to satisfy constraint: Member must be ${expected}`, 400);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function readScalar(ns: NormalizedSchema, key: string, raw: string, settings: QuerySettings): unknown {
  if (ns.isBooleanSchema()) {
    const lower = raw.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw invalidValue(settings, key, raw, 'a boolean (true or false)');
    return lower === 'true';
  }
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) {
    if (!NUMBER.test(raw)) throw invalidValue(settings, key, raw, 'a number');
    return Number(raw);
  }
  if (ns.isTimestampSchema()) {
    const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
    if (Number.isNaN(d.getTime())) throw invalidValue(settings, key, raw, 'a timestamp (ISO 8601)');
    return d;
  }
  if (ns.isBlobSchema()) {
    if (!isBase64(raw)) throw invalidValue(settings, key, raw, 'base64 text');
    return Buffer.from(raw, 'base64');
  }
  return raw;
}

function read(
  ns: NormalizedSchema,
  prefix: string,
  params: Map<string, string>,
  prefixes: Set<string>,
  settings: QuerySettings,
): unknown {
  if (ns.isStructSchema()) {
    if (prefix && !prefixes.has(prefix)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const key = keyFor(settings, name, member.getMergedTraits() as Record<string, unknown>, true);
      const v = read(member, join(prefix, key), params, prefixes, settings);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (ns.isListSchema()) {
    if (!prefixes.has(prefix)) return undefined;
    if (params.get(prefix) === '') return [];
    const value = ns.getValueSchema();
    const flat = settings.ec2 || Boolean(ns.getMergedTraits().xmlFlattened);
    const memberKey = keyFor(settings, 'member', value.getMergedTraits() as Record<string, unknown>, false);
    const base = flat ? prefix : `${prefix}.${memberKey}`;
    const out: unknown[] = [];
    for (let i = 1; prefixes.has(`${base}.${i}`); i++) out.push(read(value, `${base}.${i}`, params, prefixes, settings));
    return out;
  }
  if (ns.isMapSchema()) {
    if (!prefixes.has(prefix)) return undefined;
    const flat = Boolean(ns.getMergedTraits().xmlFlattened);
    const keyName = keyFor(settings, 'key', ns.getKeySchema().getMergedTraits() as Record<string, unknown>, false);
    const valueName = keyFor(settings, 'value', ns.getValueSchema().getMergedTraits() as Record<string, unknown>, false);
    const base = flat ? prefix : `${prefix}.entry`;
    const out: Record<string, unknown> = {};
    for (let i = 1; prefixes.has(`${base}.${i}`); i++) {
      const k = params.get(`${base}.${i}.${keyName}`);
      if (k === undefined || k === '__proto__') continue;
      out[k] = read(ns.getValueSchema(), `${base}.${i}.${valueName}`, params, prefixes, settings);
    }
    return out;
  }
  const raw = params.get(prefix);
  return raw === undefined ? undefined : readScalar(ns, prefix, raw, settings);
}

/** Turn the form parameters of a query request into the SDK-shaped input of its operation. */
export function parseQueryInput(inputSchema: Schema, params: Map<string, string>, settings: QuerySettings): Record<string, unknown> {
  const ns = NormalizedSchema.of(inputSchema);
  const out = read(ns, '', params, prefixesOf(params), settings);
  return (out ?? {}) as Record<string, unknown>;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function scalarText(ns: NormalizedSchema, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (ns.isTimestampSchema()) {
    const d = value instanceof Date ? value : new Date(value as number);
    return d.toISOString();
  }
  if (ns.isBlobSchema()) {
    return Buffer.from(value as Uint8Array | string).toString('base64');
  }
  return String(value);
}

function write(ns: NormalizedSchema, name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return;
    const member = ns.getValueSchema();
    if (ns.getMergedTraits().xmlFlattened) {
      for (const item of value) write(member, name, item, out);
      return;
    }
    const itemName = (member.getMergedTraits().xmlName as string | undefined) ?? 'member';
    out.push(`<${name}>`);
    for (const item of value) write(member, itemName, item, out);
    out.push(`</${name}>`);
    return;
  }
  if (ns.isMapSchema()) {
    const keyName = (ns.getKeySchema().getMergedTraits().xmlName as string | undefined) ?? 'key';
    const valueName = (ns.getValueSchema().getMergedTraits().xmlName as string | undefined) ?? 'value';
    const flat = Boolean(ns.getMergedTraits().xmlFlattened);
    if (!flat) out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push(flat ? `<${name}>` : '<entry>');
      out.push(`<${keyName}>${escapeXml(k)}</${keyName}>`);
      write(ns.getValueSchema(), valueName, v, out);
      out.push(flat ? `</${name}>` : '</entry>');
    }
    if (!flat) out.push(`</${name}>`);
    return;
  }
  if (ns.isStructSchema()) {
    out.push(`<${name}>`);
    writeMembers(ns, value as Record<string, unknown>, out);
    out.push(`</${name}>`);
    return;
  }
  const text = scalarText(ns, value);
  if (text !== undefined) out.push(`<${name}>${escapeXml(text)}</${name}>`);
}

function writeMembers(ns: NormalizedSchema, value: Record<string, unknown>, out: string[]): void {
  for (const [memberName, member] of ns.structIterator()) {
    const xmlName = (member.getMemberTraits().xmlName as string | undefined) ?? memberName;
    write(member, xmlName, value[memberName], out);
  }
}

/** The XML body of a successful EC2 query response. */
export function ec2ResponseXml(operation: string, xmlns: string, outputSchema: Schema, output: Record<string, unknown>, requestId: string): string {
  const parts: string[] = [];
  writeMembers(NormalizedSchema.of(outputSchema), output, parts);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${parts.join('')}</${operation}Response>`;
}

/** The XML body of a successful awsQuery response: <XResponse><XResult>..</XResult><ResponseMetadata>. */
export function queryResponseXml(operation: string, xmlns: string, outputSchema: Schema, output: Record<string, unknown>, requestId: string): string {
  const parts: string[] = [];
  const ns = NormalizedSchema.of(outputSchema);
  if (ns.isStructSchema()) writeMembers(ns, output, parts);
  const result = ns.isStructSchema() ? `<${operation}Result>${parts.join('')}</${operation}Result>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${xmlns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

export function ec2ErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

export function queryErrorXml(xmlns: string, fault: string, code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${fault}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
