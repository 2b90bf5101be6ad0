import type { StackConfig } from './config.js';

/**
 * What the stack costs while it idles, from a dated price table (us-east-1 on-demand; docs/aws-facts.md, third-party
 * sources, 2026). Prices differ by region and change: the estimate says which table it used. LCU, data processing
 * and transfer come on top and depend on traffic.
 */
export const PRICES_AS_OF = '2026-01';
export const PRICES_REGION = 'us-east-1';
export const HOURS_PER_MONTH = 730;

export const prices = {
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  albHour: 0.0225,
  albLcuHour: 0.008,
  fargateX86VcpuHour: 0.04048,
  fargateX86GbHour: 0.004445,
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** RDS PostgreSQL single-AZ per instance hour. db.t3.micro is unconfirmed (~0.017-0.018). */
  rdsHour: { 'db.t4g.micro': 0.016, 'db.t3.micro': 0.018 } as Record<string, number>,
  rdsGp3GbMonth: 0.115,
  /** ElastiCache per node hour. cache.t4g.micro is unconfirmed (~0.016). */
  cacheHour: { 'cache.t3.micro': 0.017, 'cache.t4g.micro': 0.016 } as Record<string, number>,
  publicIpv4Hour: 0.005,
  secretMonth: 0.4,
  /** RDS backup storage beyond the free allowance (a kept snapshot once its instance is gone), per GB-month. */
  rdsSnapshotGbMonth: 0.095,
} as const;

export interface CostLine {
  item: string;
  /** How the figure was reached. */
  basis: string;
  hourly: number;
  monthly: number;
  /** The price of this class/type is not in the table or not confirmed: the figure is a guess. */
  estimated?: boolean;
}

export interface CostEstimate {
  lines: CostLine[];
  hourly: number;
  monthly: number;
  pricesAsOf: string;
  pricesRegion: string;
  /** What the figure leaves out. */
  excludes: string[];
}

const round = (n: number, d = 4): number => Math.round(n * 10 ** d) / 10 ** d;

function line(item: string, basis: string, hourly: number, estimated = false): CostLine {
  const l: CostLine = { item, basis, hourly: round(hourly), monthly: round(hourly * HOURS_PER_MONTH, 2) };
  if (estimated) l.estimated = true;
  return l;
}

/** The idle burn of the stack: line items, the hourly total and the monthly total (730 h). */
export function estimateMonthlyCost(config: StackConfig): CostEstimate {
  const arm = config.cpuArchitecture === 'ARM64';
  const vcpu = config.taskCpu / 1024;
  const gb = config.taskMemory / 1024;
  const taskHour = vcpu * (arm ? prices.fargateArmVcpuHour : prices.fargateX86VcpuHour) + gb * (arm ? prices.fargateArmGbHour : prices.fargateX86GbHour);
  const rdsKnown = prices.rdsHour[config.dbInstanceClass];
  const cacheKnown = prices.cacheHour[config.cacheNodeType];
  const lines = [
    line('NAT gateway', `$${prices.natGatewayHour}/h (+ $${prices.natGatewayGb}/GB processed)`, prices.natGatewayHour),
    line('Public IPv4 address of the NAT gateway', `$${prices.publicIpv4Hour}/h`, prices.publicIpv4Hour),
    // An internet-facing ALB in two zones holds (at least) one public IPv4 address per zone.
    line('Application Load Balancer', `$${prices.albHour}/h + 2 public IPv4 x $${prices.publicIpv4Hour}/h (+ $${prices.albLcuHour}/LCU-h)`, prices.albHour + 2 * prices.publicIpv4Hour),
    line(
      `Fargate ${arm ? 'ARM' : 'x86'} tasks x ${config.desiredCount}`,
      `${vcpu} vCPU + ${gb} GB at $${arm ? prices.fargateArmVcpuHour : prices.fargateX86VcpuHour}/vCPU-h + $${arm ? prices.fargateArmGbHour : prices.fargateX86GbHour}/GB-h`,
      taskHour * config.desiredCount,
    ),
    line(`RDS PostgreSQL ${config.dbInstanceClass}`, `$${rdsKnown ?? prices.rdsHour['db.t3.micro']}/h single-AZ`, rdsKnown ?? prices.rdsHour['db.t3.micro'] ?? 0.018, rdsKnown === undefined || config.dbInstanceClass === 'db.t3.micro'),
    line(`RDS gp3 storage ${config.dbAllocatedStorage} GB`, `$${prices.rdsGp3GbMonth}/GB-month`, (config.dbAllocatedStorage * prices.rdsGp3GbMonth) / HOURS_PER_MONTH),
    line(`ElastiCache ${config.cacheNodeType}`, `$${cacheKnown ?? prices.cacheHour['cache.t3.micro']}/h`, cacheKnown ?? prices.cacheHour['cache.t3.micro'] ?? 0.017, cacheKnown === undefined || config.cacheNodeType === 'cache.t4g.micro'),
    line('Secrets Manager secret (RDS master password)', `$${prices.secretMonth}/month`, prices.secretMonth / HOURS_PER_MONTH),
  ];
  const hourly = lines.reduce((s, l) => s + l.hourly, 0);
  return {
    lines,
    hourly: round(hourly),
    monthly: round(hourly * HOURS_PER_MONTH, 2),
    pricesAsOf: PRICES_AS_OF,
    pricesRegion: PRICES_REGION,
    excludes: ['ALB LCUs', 'NAT data processing', 'data transfer', 'CloudWatch Logs ingestion and storage', 'ECR storage', 'backup storage beyond the free allowance'],
  };
}

/** What a kept DB snapshot costs per month: RDS bills backup storage beyond the instance's free allowance, and a
 * deleted instance has none. The snapshot's size is at most its allocated storage (RDS bills the data held). */
export function snapshotMonthlyCost(allocatedGb: number): number {
  return round(allocatedGb * prices.rdsSnapshotGbMonth, 2);
}
