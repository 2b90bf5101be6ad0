import type { StackConfig } from './config.js';
import type { Manifest } from './engine/manifest.js';
import { ThreeTierError } from './errors.js';
import { pricesFor, type Price, type RegionalPrices, type RegionPrices } from './prices.js';

/**
 * What the stack costs while it idles, per line item, from the dated price table (src/prices.json) of the stack's
 * region, in one of the states `pause` leaves it in. The model of what pause changes lives here so that `cost`,
 * `status`, `pause` and `resume` agree:
 * - running: everything billed;
 * - paused: the service is scaled to 0, the NAT gateway deleted and its address released, the RDS instance stopped
 *   (instance hours stop; storage and its secret are still billed);
 * - paused-deep: paused, and the load balancer (with its public IPv4 addresses) and the ElastiCache replication
 *   group are deleted too.
 * LCUs, data processing and transfer, logs and backups depend on traffic and are listed in `excludes` with their rates.
 */
export const HOURS_PER_MONTH = 730;

export type CostState = 'running' | 'paused' | 'paused-deep';
export const COST_STATES: readonly CostState[] = ['running', 'paused', 'paused-deep'];

/** The line items, each tied to the logical resource (stack graph id) whose existence bills it. */
export type CostItemId = 'nat-gateway' | 'nat-address' | 'load-balancer' | 'load-balancer-addresses' | 'tasks' | 'database-instance' | 'database-storage' | 'cache' | 'db-secret' | 'api-key-secret' | 'redis-auth-secret';

export interface CostLine {
  item: string;
  /** How the figure was reached. */
  basis: string;
  /** What it costs per hour in this estimate: 0 when it is not billed. */
  hourly: number;
  monthly: number;
  /** A figure behind this line is a guess (not confirmed for the region, or the region fell back to another's prices). */
  estimated?: boolean;
  id: CostItemId;
  /** The stack's logical resource whose existence bills this line. */
  resource: string;
  /** Billed in this estimate's state (and, for a recorded stack, because its resource exists now). */
  billed: boolean;
  /** Why it is not billed, when it is not. */
  reason?: string;
  /** What it costs while it is billed, whatever the state. */
  whenBilled: { hourly: number; monthly: number };
}

export interface CostEstimate {
  lines: CostLine[];
  /** Totals of the billed lines. */
  hourly: number;
  monthly: number;
  pricesAsOf: string;
  /** The region whose prices were used (the stack's region, or the fallback). */
  pricesRegion: string;
  /** What the figure leaves out. */
  excludes: string[];
  /** The stack's region. */
  region: string;
  state: CostState;
  currency: 'USD';
  /** Set when the table has no figures for the region and another region's prices stand in. */
  fallback?: { from: string; to: string; reason: string };
  /** Some billed figure is a guess. */
  estimated: boolean;
  /** What a reader must know about the figure: the fallback, the guesses, what pause implies. */
  notes: string[];
}

export interface EstimateOptions {
  state?: CostState;
  /**
   * The logical resources that exist now (a recorded stack, see `billedResources`): a line whose resource is not
   * among them is not billed. Left out, the stack is priced as fully built (a planned stack).
   */
  present?: ReadonlySet<string>;
}

const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;
/** A unit price as the table has it, with at least cents: $0.045, $0.50, $0.40. */
const usd = (n: number): string => ((String(n).split('.')[1] ?? '').length < 2 ? `$${n.toFixed(2)}` : `$${n}`);

interface Priced {
  hourly: number;
  basis: string;
  prices: Price[];
  /** The class or type is not in the table, so a neighbour's price stands in. */
  guessed?: boolean;
}

interface ItemSpec {
  id: CostItemId;
  resource: string;
  item: (c: StackConfig) => string;
  price: (p: RegionPrices, c: StackConfig) => Priced;
  /** Why the state stops billing it (deep pause includes pause). */
  paused?: string;
  deep?: string;
}

/** Look up a class-keyed price; an unknown class takes `fallbackKey`'s price and is marked as a guess. */
function classPrice(map: Record<string, Price>, key: string, fallbackKey: string): { price: Price; guessed: boolean } {
  const own = map[key];
  if (own) return { price: own, guessed: false };
  const stand = map[fallbackKey];
  // The table's schema requires the fallback keys in every region.
  if (!stand) throw new ThreeTierError('PRICE_TABLE_INVALID', `the price table has no price for ${fallbackKey}`);
  return { price: stand, guessed: true };
}

const ITEMS: readonly ItemSpec[] = [
  {
    id: 'nat-gateway',
    resource: 'nat-gateway',
    item: () => 'NAT gateway',
    price: (p) => ({ hourly: p.natGatewayHour.usd, basis: `${usd(p.natGatewayHour.usd)}/h (+ ${usd(p.natGatewayGb.usd)}/GB processed)`, prices: [p.natGatewayHour] }),
    paused: 'deleted by pause',
  },
  {
    id: 'nat-address',
    resource: 'nat-eip',
    item: () => 'Public IPv4 address of the NAT gateway',
    price: (p) => ({ hourly: p.publicIpv4Hour.usd, basis: `${usd(p.publicIpv4Hour.usd)}/h, in use or idle`, prices: [p.publicIpv4Hour] }),
    paused: 'released by pause',
  },
  {
    id: 'load-balancer',
    resource: 'load-balancer',
    item: () => 'Application Load Balancer',
    price: (p) => ({ hourly: p.albHour.usd, basis: `${usd(p.albHour.usd)}/h (+ ${usd(p.albLcuHour.usd)}/LCU-h)`, prices: [p.albHour] }),
    deep: 'deleted by pause --deep',
  },
  {
    // An internet-facing ALB in two zones holds (at least) one public IPv4 address per zone.
    id: 'load-balancer-addresses',
    resource: 'load-balancer',
    item: () => 'Public IPv4 addresses of the load balancer (2)',
    price: (p) => ({ hourly: 2 * p.publicIpv4Hour.usd, basis: `2 x ${usd(p.publicIpv4Hour.usd)}/h, one per zone`, prices: [p.publicIpv4Hour] }),
    deep: 'deleted with the load balancer by pause --deep',
  },
  {
    id: 'tasks',
    resource: 'ecs-service',
    item: (c) => `Fargate ${c.cpuArchitecture === 'ARM64' ? 'ARM' : 'x86'} task${c.desiredCount === 1 ? '' : 's'} x ${c.desiredCount}`,
    price: (p, c) => {
      const rates = p.fargate[c.cpuArchitecture];
      const vcpu = c.taskCpu / 1024;
      const gb = c.taskMemory / 1024;
      const perTask = vcpu * rates.vcpuHour.usd + gb * rates.gbHour.usd;
      return {
        hourly: perTask * c.desiredCount,
        basis: `${c.desiredCount} x (${vcpu} vCPU x ${usd(rates.vcpuHour.usd)}/vCPU-h + ${gb} GB x ${usd(rates.gbHour.usd)}/GB-h)`,
        prices: [rates.vcpuHour, rates.gbHour],
      };
    },
    paused: 'scaled to 0 tasks by pause',
  },
  {
    id: 'database-instance',
    resource: 'database',
    item: (c) => `RDS PostgreSQL ${c.dbInstanceClass} (instance hours)`,
    price: (p, c) => {
      const { price, guessed } = classPrice(p.rdsInstanceHour, c.dbInstanceClass, 'db.t3.micro');
      return {
        hourly: price.usd,
        basis: guessed ? `${usd(price.usd)}/h single-AZ: no figure for ${c.dbInstanceClass}, priced as db.t3.micro` : `${usd(price.usd)}/h single-AZ`,
        prices: [price],
        guessed,
      };
    },
    paused: 'stopped by pause (no instance hours; storage still billed)',
  },
  {
    id: 'database-storage',
    resource: 'database',
    item: (c) => `RDS gp3 storage ${c.dbAllocatedStorage} GB`,
    price: (p, c) => ({ hourly: (c.dbAllocatedStorage * p.rdsGp3GbMonth.usd) / HOURS_PER_MONTH, basis: `${c.dbAllocatedStorage} GB x ${usd(p.rdsGp3GbMonth.usd)}/GB-month`, prices: [p.rdsGp3GbMonth] }),
  },
  {
    id: 'cache',
    resource: 'cache',
    item: (c) => `ElastiCache Redis ${c.cacheNodeType} (1 node)`,
    price: (p, c) => {
      const { price, guessed } = classPrice(p.cacheNodeHour, c.cacheNodeType, 'cache.t3.micro');
      return {
        hourly: price.usd,
        basis: guessed ? `${usd(price.usd)}/h: no figure for ${c.cacheNodeType}, priced as cache.t3.micro` : `${usd(price.usd)}/h`,
        prices: [price],
        guessed,
      };
    },
    deep: 'deleted by pause --deep',
  },
  {
    // RDS keeps the master password in Secrets Manager for as long as the instance exists.
    id: 'db-secret',
    resource: 'database',
    item: () => 'Secrets Manager secret (RDS master password)',
    price: (p) => ({ hourly: p.secretMonth.usd / HOURS_PER_MONTH, basis: `${usd(p.secretMonth.usd)}/month`, prices: [p.secretMonth] }),
  },
  {
    id: 'api-key-secret',
    resource: 'api-key',
    item: () => 'Secrets Manager secret (API key)',
    price: (p) => ({ hourly: p.secretMonth.usd / HOURS_PER_MONTH, basis: `${usd(p.secretMonth.usd)}/month`, prices: [p.secretMonth] }),
  },
  {
    id: 'redis-auth-secret',
    resource: 'redis-auth',
    item: () => 'Secrets Manager secret (cache AUTH token)',
    price: (p) => ({ hourly: p.secretMonth.usd / HOURS_PER_MONTH, basis: `${usd(p.secretMonth.usd)}/month`, prices: [p.secretMonth] }),
  },
];

function stoppedBy(spec: ItemSpec, state: CostState): string | undefined {
  if (state === 'running') return undefined;
  if (spec.paused) return spec.paused;
  return state === 'paused-deep' ? spec.deep : undefined;
}

function excludesFor(p: RegionPrices): string[] {
  return [
    `load balancer capacity units (${usd(p.albLcuHour.usd)}/LCU-h)`,
    `NAT gateway data processing (${usd(p.natGatewayGb.usd)}/GB)`,
    'data transfer out',
    `CloudWatch Logs (${usd(p.logsIngestGb.usd)}/GB ingested, ${usd(p.logsStorageGbMonth.usd)}/GB-month stored)`,
    'ECR image storage',
    `RDS backup storage beyond the free allowance (${usd(p.rdsSnapshotGbMonth.usd)}/GB-month)`,
    'Secrets Manager API calls',
  ];
}

/** The cost of the stack in a state: every line item, billed or not, and the totals of what is billed. */
export function estimateCost(config: StackConfig, options: EstimateOptions = {}): CostEstimate {
  const state = options.state ?? 'running';
  const regional = pricesFor(config.region);
  let hourly = 0;
  const lines: CostLine[] = ITEMS.map((spec) => {
    const priced = spec.price(regional.prices, config);
    const absent = options.present !== undefined && !options.present.has(spec.resource);
    const reason = absent ? 'not created' : stoppedBy(spec, state);
    const billed = reason === undefined;
    const lineHourly = billed ? priced.hourly : 0;
    hourly += lineHourly;
    const line: CostLine = {
      item: spec.item(config),
      basis: priced.basis,
      hourly: round(lineHourly, 4),
      monthly: round(lineHourly * HOURS_PER_MONTH, 2),
      id: spec.id,
      resource: spec.resource,
      billed,
      whenBilled: { hourly: round(priced.hourly, 4), monthly: round(priced.hourly * HOURS_PER_MONTH, 2) },
    };
    if (regional.fallback !== undefined || priced.guessed === true || priced.prices.some((p) => p.status === 'estimate')) line.estimated = true;
    if (reason !== undefined) line.reason = reason;
    return line;
  });
  const estimated = lines.some((l) => l.billed && l.estimated === true);
  const estimate: CostEstimate = {
    lines,
    hourly: round(hourly, 4),
    monthly: round(hourly * HOURS_PER_MONTH, 2),
    pricesAsOf: regional.asOf,
    pricesRegion: regional.pricesRegion,
    excludes: excludesFor(regional.prices),
    region: config.region,
    state,
    currency: 'USD',
    estimated,
    notes: notesFor(regional, lines, state),
  };
  if (regional.fallback) estimate.fallback = regional.fallback;
  return estimate;
}

function notesFor(regional: RegionalPrices, lines: readonly CostLine[], state: CostState): string[] {
  const notes: string[] = [];
  if (regional.fallback) notes.push(`${regional.fallback.reason[0]?.toUpperCase() ?? ''}${regional.fallback.reason.slice(1)}.`);
  else {
    const guesses = lines.filter((l) => l.estimated).map((l) => l.item);
    if (guesses.length > 0) notes.push(`Estimates (not confirmed prices for ${regional.region}): ${guesses.join('; ')}.`);
  }
  if (state !== 'running') notes.push('AWS starts a stopped RDS instance again after 7 days; its instance hours are billed from then until it is stopped again.');
  if (state === 'paused-deep') notes.push('pause --deep deletes the load balancer: the stack\'s URL changes when it is resumed.');
  return notes;
}

/** The state a recorded stack is billed in: what its pause record says (three-tier pause, --deep). */
export function costStateOf(paused: { deep: boolean } | undefined): CostState {
  if (!paused) return 'running';
  return paused.deep ? 'paused-deep' : 'paused';
}

/** The idle burn of the running stack: line items, the hourly total and the monthly total (730 h). Used by the plan. */
export function estimateMonthlyCost(config: StackConfig): CostEstimate {
  return estimateCost(config, { state: 'running' });
}

/**
 * The logical resources of a recorded stack that exist on AWS now, and so bill: recorded with an AWS identity
 * (the create call answered) and not deleted. A half-built stack bills only what it has.
 */
export function billedResources(manifest: Pick<Manifest, 'resources'>): Set<string> {
  const present = new Set<string>();
  for (const [id, r] of Object.entries(manifest.resources)) {
    if (r.status === 'deleted') continue;
    if (r.identity && Object.values(r.identity).some((v) => v !== '')) present.add(id);
  }
  return present;
}

export interface SnapshotCost {
  /** The snapshot's size used for the figure: at most the allocated storage. */
  gb: number;
  perGbMonth: number;
  monthly: number;
  basis: string;
  estimated: boolean;
  pricesAsOf: string;
  pricesRegion: string;
  fallback?: { from: string; to: string; reason: string };
}

/**
 * What a final DB snapshot costs per month once its instance is gone: RDS bills snapshot storage beyond the free
 * allowance (the size of the region's provisioned database storage), and a deleted instance provisions none. The
 * snapshot holds the database's data, at most its allocated storage, which is the figure used unless `gb` is given.
 */
export function snapshotMonthlyCost(config: StackConfig, options: { gb?: number } = {}): SnapshotCost {
  const regional = pricesFor(config.region);
  const gb = options.gb ?? config.dbAllocatedStorage;
  const rate = regional.prices.rdsSnapshotGbMonth;
  const cost: SnapshotCost = {
    gb,
    perGbMonth: rate.usd,
    monthly: round(gb * rate.usd, 2),
    basis: `up to ${gb} GB x ${usd(rate.usd)}/GB-month of RDS snapshot storage (free only while other databases' allowance in ${config.region} covers it)`,
    estimated: regional.fallback !== undefined || rate.status === 'estimate',
    pricesAsOf: regional.asOf,
    pricesRegion: regional.pricesRegion,
  };
  if (regional.fallback) cost.fallback = regional.fallback;
  return cost;
}
