/**
 * Where AWS Fargate runs Linux tasks, for the regions where that is only some of the region's zones, by zone id (zone
 * names map to different physical zones per account; ids do not). From the ECS developer guide, "AWS Fargate
 * Regions" (Linux containers table, as of 2026-08). No API answers this: EC2's DescribeInstanceTypeOfferings knows
 * nothing of Fargate. Every other region the guide lists runs Fargate in all its zones.
 */
const FARGATE_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-west-1': ['usw1-az1', 'usw1-az3'],
  'ap-northeast-1': ['apne1-az1', 'apne1-az2', 'apne1-az4'],
};

/** Whether Fargate runs in the zone with this id, per the guide (unlisted regions: every zone). */
export function fargateRunsIn(region: string, zoneId: string): boolean {
  const only = FARGATE_ZONE_IDS[region];
  return only === undefined || only.includes(zoneId);
}
