import { z } from 'zod';
import { usageError } from './errors.js';
import { closeRegions, isKnownRegion, REGIONS_AS_OF } from './regions.js';

/**
 * The stack's configuration: what the user chose (flags, prompts) with defaults for the rest. Validated before any
 * AWS call; bad input is a usage error naming the value and what is allowed.
 */

/** Derived names append at most 6 characters (`-redis`) and must fit the ALB's 32-character limit, so 24 is safe. */
export const STACK_NAME_MAX = 24;
export const STACK_NAME_RULE = `lowercase letters, digits and hyphens, starting with a letter, at most ${STACK_NAME_MAX} characters, no "--" and no trailing hyphen`;

export function stackNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > STACK_NAME_MAX) return `is ${name.length} characters long`;
  if (!/^[a-z]/.test(name)) return 'does not start with a lowercase letter';
  if (!/^[a-z0-9-]+$/.test(name)) return 'has characters other than lowercase letters, digits and hyphens';
  if (name.includes('--')) return 'contains "--"';
  if (name.endsWith('-')) return 'ends with a hyphen';
  return undefined;
}

export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * A region name is checked before anything is touched: its form, then the regions AWS offers (src/regions.ts), so
 * a typo such as us-east-9 is refused with the same message with or without --sandbox.
 */
export function regionProblem(region: string, flag = 'region'): string | undefined {
  if (!REGION_PATTERN.test(region)) return `${flag} "${region}" is not an AWS region name; use one like us-east-1 or eu-west-1.`;
  if (!isKnownRegion(region)) return `${flag} "${region}" is not a region AWS offers (as of ${REGIONS_AS_OF}); did you mean ${closeRegions(region).slice(0, 6).join(', ')}?`;
  return undefined;
}

/** Image references: registry/repository[:tag][@sha256:digest], as docker accepts them. */
export const IMAGE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export const IMAGE_RULE = 'REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST] in lowercase';

export function imageProblem(image: string): string | undefined {
  return image.length > 512 || !IMAGE_PATTERN.test(image) ? `is not an image reference; use ${IMAGE_RULE}` : undefined;
}

/** Throws the usage error (exit 2) for an image reference docker would not accept. */
export function checkImage(image: string): void {
  const problem = imageProblem(image);
  if (problem) {
    throw usageError('BAD_IMAGE', `image "${image}" ${problem}.`, ['for example: --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0']);
  }
}

export const stackConfigSchema = z
  .object({
    stack: z.string(),
    region: z.string(),
    /** An existing image to deploy; otherwise `up` builds api/ and pushes it to the stack's ECR repository. */
    image: z.string().optional(),
    vpcCidr: z.string(),
    cpuArchitecture: z.enum(['X86_64', 'ARM64']),
    desiredCount: z.number().int().min(1).max(10),
    taskCpu: z.number().int(),
    taskMemory: z.number().int(),
    containerPort: z.number().int(),
    dbInstanceClass: z.string(),
    dbEngineVersion: z.string(),
    dbAllocatedStorage: z.number().int().min(20).max(1000),
    cacheNodeType: z.string(),
    logRetentionDays: z.number().int(),
    /** The two availability zones of the subnets: chosen once from what the region offers, then kept in the manifest. */
    availabilityZones: z.array(z.string().min(1)).length(2).optional(),
    /** The DB snapshot the database was restored from when it was created (`up --from-snapshot`). */
    dbSnapshot: z.string().optional(),
  })
  .strict();
export type StackConfig = z.infer<typeof stackConfigSchema>;

export const defaults = {
  vpcCidr: '10.0.0.0/16',
  cpuArchitecture: 'X86_64',
  desiredCount: 1,
  taskCpu: 256,
  taskMemory: 512,
  containerPort: 3000,
  dbInstanceClass: 'db.t4g.micro',
  dbEngineVersion: '16',
  dbAllocatedStorage: 20,
  cacheNodeType: 'cache.t4g.micro',
  logRetentionDays: 14,
} as const satisfies Partial<StackConfig>;

/** What a user may give; everything else is kept from the stack's manifest, or takes its default. */
export interface StackInput {
  stack?: string | undefined;
  region?: string | undefined;
  image?: string | undefined;
  vpcCidr?: string | undefined;
  cpuArchitecture?: string | undefined;
  desiredCount?: number | undefined;
  taskCpu?: number | undefined;
  taskMemory?: number | undefined;
  dbInstanceClass?: string | undefined;
  cacheNodeType?: string | undefined;
  dbSnapshot?: string | undefined;
}

/** Fargate's task sizes (Linux): CPU units and the memory (MiB) each allows (ECS developer guide, "Task size"). */
export const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

/** Small PostgreSQL classes RDS offers for a dev stack (the price table knows them). */
export const DB_CLASSES = ['db.t4g.micro', 'db.t4g.small', 'db.t4g.medium', 'db.t4g.large', 'db.t3.micro', 'db.t3.small', 'db.t3.medium', 'db.t3.large', 'db.m7g.large', 'db.m6g.large', 'db.m6i.large'] as const;
/** Small Redis node types ElastiCache offers (the price table knows them). */
export const CACHE_NODE_TYPES = ['cache.t4g.micro', 'cache.t4g.small', 'cache.t4g.medium', 'cache.t3.micro', 'cache.t3.small', 'cache.t3.medium', 'cache.m7g.large', 'cache.m6g.large'] as const;

/** RDS snapshot identifiers: 1-255 letters, digits and hyphens, a letter first, no "--", no trailing hyphen. */
export function snapshotIdProblem(id: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(id)) return 'is not 1-255 letters, digits and hyphens starting with a letter';
  if (id.includes('--') || id.endsWith('-')) return 'contains "--" or ends with a hyphen';
  return undefined;
}

function parseIpv4Cidr(text: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const prefix = Number(m[5]);
  if (prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix };
}

/**
 * The VPC must be /16 to /23: its four subnets are prefix+4, so a /23 gives /27 subnets, the smallest an Application
 * Load Balancer accepts (at least /27 with 8 free addresses per subnet: ELB user guide, "Subnets for your
 * Application Load Balancer"), with room for 10 tasks during a deployment (twice as many interfaces for a moment)
 * plus the database's and the cache's interfaces. A /24 would give /28 subnets of 11 usable addresses.
 */
export function vpcCidrProblem(cidr: string): string | undefined {
  const c = parseIpv4Cidr(cidr);
  if (!c) return 'is not an IPv4 CIDR block like 10.0.0.0/16';
  if (c.prefix < 16 || c.prefix > 23) {
    return `has prefix /${c.prefix}; the VPC needs /16 to /23, so that each of its four subnets (a sixteenth) is at least /27, the smallest a load balancer accepts, with room for 10 tasks during a deployment`;
  }
  if (c.base % 2 ** (32 - c.prefix) !== 0) return 'has host bits set (the address is not the start of the block)';
  const first = Math.floor(c.base / 2 ** 24);
  const second = Math.floor(c.base / 2 ** 16) % 256;
  const privateRange = first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
  if (!privateRange) return 'is not in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)';
  return undefined;
}

/** The four subnets: the VPC split into 16 blocks (prefix + 4); public get blocks 0 and 1, private 2 and 3. */
export function subnetCidrs(vpcCidr: string): { public: [string, string]; private: [string, string] } {
  const c = parseIpv4Cidr(vpcCidr);
  if (!c) throw usageError('BAD_CIDR', `--vpc-cidr "${vpcCidr}" is not an IPv4 CIDR block`);
  const prefix = c.prefix + 4;
  const block = 2 ** (32 - prefix);
  const at = (i: number): string => {
    const n = c.base + i * block;
    return `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')}/${prefix}`;
  };
  return { public: [at(0), at(1)], private: [at(2), at(3)] };
}

/**
 * Validate user input and fill in the rest: from `base` (the stack's recorded settings: a flag left out keeps
 * the setting) or the defaults. Throws a usage error (exit 2) naming the bad value and what is allowed.
 */
export function resolveConfig(input: StackInput & { stack: string; region: string }, base?: StackConfig): StackConfig {
  const nameProblem = stackNameProblem(input.stack);
  if (nameProblem) {
    throw usageError('BAD_STACK_NAME', `stack name "${input.stack}" ${nameProblem}; use ${STACK_NAME_RULE}.`, ['for example: --stack demo']);
  }
  const badRegion = regionProblem(input.region);
  if (badRegion) throw usageError('BAD_REGION', badRegion, ['three-tier knows the regions of the AWS SDK it ships with; a region newer than that needs a newer three-tier']);
  if (input.image !== undefined) checkImage(input.image);
  const vpcCidr = input.vpcCidr ?? base?.vpcCidr ?? defaults.vpcCidr;
  const cidrProblem = vpcCidrProblem(vpcCidr);
  if (cidrProblem) throw usageError('BAD_CIDR', `--vpc-cidr "${vpcCidr}" ${cidrProblem}.`, ['for example: --vpc-cidr 10.0.0.0/16']);
  const arch = input.cpuArchitecture ?? base?.cpuArchitecture ?? defaults.cpuArchitecture;
  if (arch !== 'X86_64' && arch !== 'ARM64') {
    throw usageError('BAD_ARCHITECTURE', `--arch "${arch}" is not X86_64 or ARM64.`);
  }
  const desired = input.desiredCount ?? base?.desiredCount ?? defaults.desiredCount;
  if (!Number.isInteger(desired) || desired < 1 || desired > 10) {
    throw usageError('BAD_COUNT', `--tasks "${desired}" is not a whole number from 1 to 10.`);
  }
  const taskCpu = input.taskCpu ?? base?.taskCpu ?? defaults.taskCpu;
  const memories = FARGATE_SIZES[taskCpu];
  if (!memories) throw usageError('BAD_TASK_SIZE', `--cpu "${taskCpu}" is not a Fargate task size; use one of ${Object.keys(FARGATE_SIZES).join(', ')} (CPU units, 1024 = 1 vCPU).`);
  // A new CPU size without a memory size takes the smallest memory it allows when the old one does not fit.
  const keptMemory = base?.taskMemory !== undefined && memories.includes(base.taskMemory) ? base.taskMemory : undefined;
  const taskMemory = input.taskMemory ?? keptMemory ?? (memories.includes(defaults.taskMemory) ? defaults.taskMemory : (memories[0] as number));
  if (!memories.includes(taskMemory)) {
    throw usageError('BAD_TASK_SIZE', `--memory "${taskMemory}" does not go with --cpu ${taskCpu}; Fargate allows ${memories[0]} to ${memories[memories.length - 1]} MiB for it (${memories.length > 4 ? 'in steps of 1024' : memories.join(', ')}).`);
  }
  const dbInstanceClass = input.dbInstanceClass ?? base?.dbInstanceClass ?? defaults.dbInstanceClass;
  if (!(DB_CLASSES as readonly string[]).includes(dbInstanceClass)) {
    throw usageError('BAD_DB_CLASS', `--db-class "${dbInstanceClass}" is not one three-tier offers; use one of ${DB_CLASSES.join(', ')}.`);
  }
  const cacheNodeType = input.cacheNodeType ?? base?.cacheNodeType ?? defaults.cacheNodeType;
  if (!(CACHE_NODE_TYPES as readonly string[]).includes(cacheNodeType)) {
    throw usageError('BAD_CACHE_NODE_TYPE', `--cache-node-type "${cacheNodeType}" is not one three-tier offers; use one of ${CACHE_NODE_TYPES.join(', ')}.`);
  }
  if (input.dbSnapshot !== undefined) {
    const p = snapshotIdProblem(input.dbSnapshot);
    if (p) throw usageError('BAD_SNAPSHOT', `--from-snapshot "${input.dbSnapshot}" ${p}.`, ['the destroy that kept it printed its name; aws rds describe-db-snapshots lists them']);
  }
  const config: StackConfig = {
    ...defaults,
    ...(base ?? {}),
    stack: input.stack,
    region: input.region,
    vpcCidr,
    cpuArchitecture: arch,
    desiredCount: desired,
    taskCpu,
    taskMemory,
    dbInstanceClass,
    cacheNodeType,
  };
  const image = input.image ?? base?.image;
  if (image !== undefined) config.image = image;
  const snapshot = input.dbSnapshot ?? base?.dbSnapshot;
  if (snapshot !== undefined) config.dbSnapshot = snapshot;
  return config;
}

/** A setting of the stack that a run changes: what it was, what it becomes, and whether AWS can change it in place. */
export interface SettingChange {
  setting: keyof StackConfig;
  /** How the user names it (the flag). */
  flag: string;
  from: string;
  to: string;
  inPlace: boolean;
}

const SETTINGS: { setting: keyof StackConfig; flag: string; inPlace: boolean }[] = [
  { setting: 'region', flag: '--region', inPlace: false },
  { setting: 'vpcCidr', flag: '--vpc-cidr', inPlace: false },
  { setting: 'desiredCount', flag: '--tasks', inPlace: true },
  { setting: 'image', flag: '--image', inPlace: true },
  { setting: 'cpuArchitecture', flag: '--arch', inPlace: true },
  { setting: 'taskCpu', flag: '--cpu', inPlace: true },
  { setting: 'taskMemory', flag: '--memory', inPlace: true },
  { setting: 'dbInstanceClass', flag: '--db-class', inPlace: true },
  { setting: 'cacheNodeType', flag: '--cache-node-type', inPlace: true },
];

/** The settings that differ between a stack's recorded config and the wanted one. */
export function settingChanges(before: StackConfig, after: StackConfig): SettingChange[] {
  const text = (v: unknown): string => (v === undefined ? '(built from api/)' : String(v));
  return SETTINGS.filter((s) => before[s.setting] !== after[s.setting]).map((s) => ({ ...s, from: text(before[s.setting]), to: text(after[s.setting]) }));
}
