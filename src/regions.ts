/**
 * The regions three-tier knows, as of the AWS SDK release it ships with (its partitions table, 2026-11), for the
 * partitions it supports: aws, aws-cn and aws-us-gov. A name outside this list is refused the same way with or
 * without --sandbox (AWS's own endpoint resolution would only fail later, on DNS). Regions that AWS disables by
 * default ("opt-in" regions: AWS Account Management guide, "Specify which AWS Regions your account can use") answer
 * InvalidClientTokenId until the account enables them, which looks like bad credentials: the CLI says so.
 */
export const REGIONS_AS_OF = '2026-11';

export const KNOWN_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'me-west-1', 'mx-central-1', 'sa-east-1', 'sa-west-1', 'us-east-1',
  'us-east-2', 'us-west-1', 'us-west-2', 'cn-north-1', 'cn-northwest-1', 'us-gov-east-1', 'us-gov-west-1',
];

/** Disabled until the account opts in (the documented list; the newest regions are assumed to be opt-in too). */
export const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6',
  'ap-southeast-7', 'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1',
  'me-west-1', 'mx-central-1', 'sa-west-1',
]);

export function isKnownRegion(region: string): boolean {
  return KNOWN_REGIONS.includes(region);
}

/** Known regions that look like a mistyped one (same prefix, or one character apart), for the error's hint. */
export function closeRegions(region: string): string[] {
  const prefix = region.split('-').slice(0, 2).join('-');
  const near = KNOWN_REGIONS.filter((r) => r.startsWith(`${prefix}-`) || distance(r, region) <= 1);
  return near.length ? near : ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** The partition of a region, for ARNs: aws-cn for China, aws-us-gov for GovCloud, aws elsewhere. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
