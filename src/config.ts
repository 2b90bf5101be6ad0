import { z } from 'zod';
import { usageError } from './errors.js';

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

/** Image references: registry/repository[:tag][@sha256:digest], as docker accepts them. */
export const IMAGE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

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

/** What a user may give; everything else takes its default. */
export interface StackInput {
  stack?: string | undefined;
  region?: string | undefined;
  image?: string | undefined;
  vpcCidr?: string | undefined;
  cpuArchitecture?: string | undefined;
  desiredCount?: number | undefined;
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

/** The VPC must be /16 to /24 so that four subnets of prefix+4 fit (AWS allows /16 to /28 per subnet). */
export function vpcCidrProblem(cidr: string): string | undefined {
  const c = parseIpv4Cidr(cidr);
  if (!c) return 'is not an IPv4 CIDR block like 10.0.0.0/16';
  if (c.prefix < 16 || c.prefix > 24) return `has prefix /${c.prefix}; the VPC needs /16 to /24 so that four subnets fit`;
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

/** Validate user input and fill defaults. Throws a usage error (exit 2) naming the bad value. */
export function resolveConfig(input: StackInput & { stack: string; region: string }): StackConfig {
  const nameProblem = stackNameProblem(input.stack);
  if (nameProblem) {
    throw usageError('BAD_STACK_NAME', `stack name "${input.stack}" ${nameProblem}; use ${STACK_NAME_RULE}.`, ['for example: --stack demo']);
  }
  if (!REGION_PATTERN.test(input.region)) {
    throw usageError('BAD_REGION', `region "${input.region}" is not an AWS region name; use one like us-east-1 or eu-west-1.`);
  }
  if (input.image !== undefined) {
    if (input.image.length > 512 || !IMAGE_PATTERN.test(input.image)) {
      throw usageError('BAD_IMAGE', `image "${input.image}" is not an image reference; use REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST] in lowercase.`, [
        'for example: --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0',
      ]);
    }
  }
  const vpcCidr = input.vpcCidr ?? defaults.vpcCidr;
  const cidrProblem = vpcCidrProblem(vpcCidr);
  if (cidrProblem) throw usageError('BAD_CIDR', `--vpc-cidr "${vpcCidr}" ${cidrProblem}.`, ['for example: --vpc-cidr 10.0.0.0/16']);
  const arch = input.cpuArchitecture ?? defaults.cpuArchitecture;
  if (arch !== 'X86_64' && arch !== 'ARM64') {
    throw usageError('BAD_ARCHITECTURE', `--arch "${arch}" is not X86_64 or ARM64.`);
  }
  const desired = input.desiredCount ?? defaults.desiredCount;
  if (!Number.isInteger(desired) || desired < 1 || desired > 10) {
    throw usageError('BAD_COUNT', `--tasks "${desired}" is not a whole number from 1 to 10.`);
  }
  const config: StackConfig = {
    ...defaults,
    stack: input.stack,
    region: input.region,
    vpcCidr,
    cpuArchitecture: arch,
    desiredCount: desired,
  };
  if (input.image !== undefined) config.image = input.image;
  return config;
}
