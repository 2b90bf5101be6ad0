/** IPv4 CIDR arithmetic for VPCs, subnets and address allocation. */
export interface Cidr {
  base: number;
  prefix: number;
  text: string;
}

/** `a.b.c.d` as a 32-bit number; undefined when malformed. */
export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Parse `a.b.c.d/n`; undefined when malformed. Host bits set are allowed here (callers decide). */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const base = ipToInt(m[1] as string);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  return { base, prefix, text };
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The network address (host bits cleared). */
export function network(c: Cidr): number {
  return c.prefix === 0 ? 0 : (c.base >>> (32 - c.prefix)) * 2 ** (32 - c.prefix);
}

export function hasHostBits(c: Cidr): boolean {
  return network(c) !== c.base;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && network(inner) >= network(outer) && network(inner) + size(inner) <= network(outer) + size(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const a0 = network(a);
  const b0 = network(b);
  return a0 < b0 + size(b) && b0 < a0 + size(a);
}

export function containsIp(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= network(c) && n < network(c) + size(c);
}
