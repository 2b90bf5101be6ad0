import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { issuesText, ThreeTierError } from './errors.js';

/**
 * The dated price table (src/prices.json, shipped next to this module): on-demand USD prices per region for
 * everything the stack runs. Each figure is `confirmed` (it names a source) or an `estimate` (it names the guess
 * behind it), so an estimate built from the table can say which of its figures are guesses. A region the table
 * does not know falls back to the table's fallback region, visibly: `pricesFor` says so, never silently.
 */
const price = z.discriminatedUnion('status', [
  z.object({ usd: z.number().positive(), status: z.literal('confirmed'), source: z.string().min(1) }).strict(),
  z.object({ usd: z.number().positive(), status: z.literal('estimate'), guess: z.string().min(1) }).strict(),
]);
export type Price = z.infer<typeof price>;

const perArchitecture = z.object({ vcpuHour: price, gbHour: price }).strict();

const regionPrices = z
  .object({
    name: z.string().min(1),
    natGatewayHour: price,
    natGatewayGb: price,
    publicIpv4Hour: price,
    albHour: price,
    albLcuHour: price,
    fargate: z.object({ X86_64: perArchitecture, ARM64: perArchitecture }).strict(),
    /** RDS PostgreSQL single-AZ, per instance class. */
    rdsInstanceHour: z.record(z.string(), price),
    rdsGp3GbMonth: price,
    /** RDS backup (snapshot) storage beyond the free allowance. */
    rdsSnapshotGbMonth: price,
    /** ElastiCache Redis OSS on-demand, per node type. */
    cacheNodeHour: z.record(z.string(), price),
    secretMonth: price,
    logsIngestGb: price,
    logsStorageGbMonth: price,
  })
  .strict();
export type RegionPrices = z.infer<typeof regionPrices>;

/** The classes the stack may use: each region prices at least the default ones. */
const REQUIRED_DB_CLASSES = ['db.t4g.micro', 'db.t3.micro'];
const REQUIRED_CACHE_TYPES = ['cache.t4g.micro', 'cache.t3.micro'];

const priceTableSchema = z
  .object({
    $comment: z.string().optional(),
    asOf: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
    currency: z.literal('USD'),
    hoursPerMonth: z.number().positive(),
    fallbackRegion: z.string(),
    sources: z.record(z.string(), z.string().min(1)),
    guesses: z.record(z.string(), z.string().min(1)),
    regions: z.record(z.string(), regionPrices),
  })
  .strict()
  .superRefine((table, ctx) => {
    if (!(table.fallbackRegion in table.regions)) {
      ctx.addIssue({ code: 'custom', path: ['fallbackRegion'], message: `${table.fallbackRegion} has no prices` });
    }
    for (const [region, prices] of Object.entries(table.regions)) {
      for (const [path, p] of eachPrice(prices)) {
        const known = p.status === 'confirmed' ? p.source in table.sources : p.guess in table.guesses;
        if (!known) {
          ctx.addIssue({ code: 'custom', path: ['regions', region, ...path], message: `names ${p.status === 'confirmed' ? `source "${p.source}"` : `guess "${p.guess}"`}, which the table does not define` });
        }
      }
      for (const c of REQUIRED_DB_CLASSES) if (!(c in prices.rdsInstanceHour)) ctx.addIssue({ code: 'custom', path: ['regions', region, 'rdsInstanceHour'], message: `has no ${c}` });
      for (const c of REQUIRED_CACHE_TYPES) if (!(c in prices.cacheNodeHour)) ctx.addIssue({ code: 'custom', path: ['regions', region, 'cacheNodeHour'], message: `has no ${c}` });
    }
  });
export type PriceTable = z.infer<typeof priceTableSchema>;

/** Every price of a region with its path, for checks that hold for all of them. */
function* eachPrice(prices: RegionPrices): Generator<[string[], Price]> {
  for (const [key, value] of Object.entries(prices)) {
    if (key === 'name') continue;
    if (key === 'fargate') {
      for (const arch of ['X86_64', 'ARM64'] as const) {
        yield [[key, arch, 'vcpuHour'], prices.fargate[arch].vcpuHour];
        yield [[key, arch, 'gbHour'], prices.fargate[arch].gbHour];
      }
    } else if (key === 'rdsInstanceHour' || key === 'cacheNodeHour') {
      for (const [cls, p] of Object.entries(prices[key])) yield [[key, cls], p];
    } else {
      yield [[key], value as Price];
    }
  }
}

/** Parse a price table; a broken table is a packaging bug, reported with where it is wrong. */
export function parsePriceTable(raw: unknown, where: string): PriceTable {
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = issuesText(parsed.error);
    throw new ThreeTierError('PRICE_TABLE_INVALID', `the price table ${where} is not valid: ${issues}`, {
      hints: ['reinstall three-tier; if you edited the table, fix the fields named above'],
    });
  }
  return parsed.data;
}

const TABLE_URL = new URL('./prices.json', import.meta.url);
let cached: PriceTable | undefined;

/** The shipped table, read and validated once per process. */
export function priceTable(): PriceTable {
  if (!cached) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(TABLE_URL, 'utf8'));
    } catch (e) {
      throw new ThreeTierError('PRICE_TABLE_INVALID', `the price table ${TABLE_URL.pathname} cannot be read: ${(e as Error).message}`, {
        hints: ['reinstall three-tier (the package ships dist/src/prices.json)'],
      });
    }
    cached = parsePriceTable(raw, TABLE_URL.pathname);
  }
  return cached;
}

/** The region whose prices the table has for `region`: the region itself, or the fallback, saying so. */
export interface RegionalPrices {
  /** The region asked about. */
  region: string;
  /** The region whose figures are used. */
  pricesRegion: string;
  prices: RegionPrices;
  asOf: string;
  hoursPerMonth: number;
  /** Set when the table has no figures for `region`: every figure is then a guess for it. */
  fallback?: { from: string; to: string; reason: string };
}

export function pricesFor(region: string, table: PriceTable = priceTable()): RegionalPrices {
  const own = table.regions[region];
  const base = { region, asOf: table.asOf, hoursPerMonth: table.hoursPerMonth };
  if (own) return { ...base, pricesRegion: region, prices: own };
  const fallback = table.regions[table.fallbackRegion];
  // parsePriceTable checked that the fallback region exists.
  if (!fallback) throw new ThreeTierError('PRICE_TABLE_INVALID', `the price table has no prices for its fallback region ${table.fallbackRegion}`);
  return {
    ...base,
    pricesRegion: table.fallbackRegion,
    prices: fallback,
    fallback: {
      from: region,
      to: table.fallbackRegion,
      reason: `the price table (as of ${table.asOf}) has no figures for ${region}; ${table.fallbackRegion} prices are shown instead, so every figure is a guess for ${region}`,
    },
  };
}

/** Where a figure comes from, in words: its source, or the guess behind it. */
export function priceOrigin(p: Price, table: PriceTable = priceTable()): string {
  return p.status === 'confirmed' ? `source: ${table.sources[p.source] ?? p.source}` : `estimate: ${table.guesses[p.guess] ?? p.guess}`;
}

/** The regions the table has figures for. */
export function pricedRegions(table: PriceTable = priceTable()): string[] {
  return Object.keys(table.regions);
}
