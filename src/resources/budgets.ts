/**
 * Every time budget of the provisioner, in real-AWS milliseconds (scaled by Timing.scale when rehearsing against
 * the sandbox), in one table. Waits stop at their budget with an error naming the resource and its last state;
 * retries of DependencyViolation-class errors give up at theirs. Sources: docs/aws-facts.md.
 */
const MIN = 60_000;

export const budgets = {
  /** EC2 describes may answer NotFound right after a create (eventual consistency): retry for this long. */
  consistency: 1 * MIN,
  /** Seconds-scale resources (VPC, subnet, groups, route tables, repositories, roles) becoming usable. */
  quickReady: 3 * MIN,
  quickGone: 3 * MIN,
  /** NAT gateway: create 1.5-2 min, delete 40 s-1.5 min. */
  natReady: 10 * MIN,
  natGone: 10 * MIN,
  /** Elastic IP release right after its NAT gateway is deleted: AuthFailure / InvalidNetworkInterfaceID.NotFound for ~2 min. */
  eipRelease: 5 * MIN,
  /** IGW detach: "has some mapped public address(es)" until the NAT's address and the ALB's interfaces are gone. */
  igwDetach: 25 * MIN,
  /** Requester-managed interfaces linger 5-20 min after their owner is gone and block groups, subnets and the VPC. */
  eniLinger: 25 * MIN,
  /** Route tables: DependencyViolation while associations are being removed. */
  routeTableDelete: 5 * MIN,
  /** ALB: create ~2 min. */
  albReady: 10 * MIN,
  albGone: 10 * MIN,
  /** Target group: ResourceInUse while a listener or service still uses it. */
  targetGroupDelete: 10 * MIN,
  /** RDS: create 4-8 min (up to 12), delete ~2 min (up to 10). */
  dbReady: 25 * MIN,
  dbGone: 20 * MIN,
  /** DB / cache subnet groups: "in use" until the instance or replication group is gone. */
  subnetGroupDelete: 15 * MIN,
  /** ElastiCache: create ~5-6 min; delete unconfirmed. */
  cacheReady: 25 * MIN,
  cacheGone: 20 * MIN,
  /** IAM: eventually consistent (~2 s, up to a minute); DeleteConflict while policies detach. */
  iam: 2 * MIN,
  /** ECS cluster: ClusterContainsTasks until the service's tasks have stopped. */
  clusterDelete: 15 * MIN,
  /** ECS service: CreateService right after the listener / role can fail transiently. */
  serviceCreate: 3 * MIN,
  /** ECS service: deployment COMPLETED, tasks running and targets healthy. */
  serviceReady: 20 * MIN,
  /** ECS service: draining to INACTIVE. */
  serviceGone: 15 * MIN,
} as const;

export type Budget = keyof typeof budgets;

/**
 * Eventual consistency is a wall-clock effect, not a duration of AWS work: when rehearsing against a time-scaled
 * sandbox its NotFound window does not shrink with the scale (and a busy machine delays answers), so the
 * consistency budget never drops below this much wall time.
 */
export const CONSISTENCY_FLOOR_WALL_MS = 3_000;

/**
 * A wait for a state (ready, gone) never gives up before this much wall time either: against a time-scaled sandbox
 * a 10-minute budget can shrink to 3 s, which a busy machine (the CLI and the sandbox starved of CPU) can spend
 * without anything being wrong. On AWS (scale 1) every budget is far above it.
 */
export const WAIT_FLOOR_WALL_MS = 15_000;

/** A wait's budget in AWS ms for pollUntil (which multiplies by the scale), with the wall-time floor applied. */
export function waitBudgetMs(budget: Budget, scale: number): number {
  const ms = budgetMs(budget, scale);
  return scale <= 0 ? ms : Math.max(ms, WAIT_FLOOR_WALL_MS / scale);
}

/** The eventual-consistency window in wall-clock ms at this time scale (at least CONSISTENCY_FLOOR_WALL_MS). */
export function consistencyWindowWallMs(scale: number): number {
  return budgetMs('consistency', scale) * scale;
}

/** A budget in AWS ms for retryWithin / pollUntil (which multiply by the scale), with the consistency floor applied. */
export function budgetMs(budget: Budget, scale: number): number {
  const ms = budgets[budget];
  if (budget !== 'consistency' || scale <= 0) return ms;
  return Math.max(ms, CONSISTENCY_FLOOR_WALL_MS / scale);
}
