import type { Diagnosis } from '../diagnose.js';

/**
 * What `three-tier status` knows about a stack: one plain value, built from a single batched observation of AWS
 * and the manifest. The CLI renders it (text, diagram, JSON); nothing here prints.
 */

/**
 * How one resource is doing.
 * - ok: exists and is usable; pending: exists and is on its way (creating, modifying, deploying);
 * - failed: exists in a failed or unusable state; missing: the manifest recorded it and it is gone;
 * - absent: not created yet (a half-built stack); paused: stopped or removed on purpose by `pause` (the manifest
 *   says so), shown as paused and never as drift; unknown: the read failed.
 */
export type Health = 'ok' | 'pending' | 'failed' | 'missing' | 'absent' | 'paused' | 'unknown';

/** Worst first: the health of a group of resources is the worst of theirs. */
const SEVERITY: Record<Health, number> = { ok: 0, paused: 1, pending: 2, absent: 3, unknown: 4, missing: 5, failed: 6 };

export function worst(healths: readonly Health[]): Health {
  return healths.reduce<Health>((w, h) => (SEVERITY[h] > SEVERITY[w] ? h : w), 'ok');
}

export interface ResourceView {
  /** Logical id in the stack graph (vpc, subnet-public-a, database, ...). */
  id: string;
  kind: string;
  title: string;
  /** The AWS id, ARN or name, when known. */
  awsId?: string;
  /** AWS's own word for the state (available, creating, ACTIVE, ...), or deleted / not created / unknown. */
  state: string;
  health: Health;
  /** A short fact worth seeing (the route's target, the endpoint, the rule). */
  detail?: string;
}

export type DriftChange = 'deleted' | 'replaced' | 'rule-added' | 'rule-removed' | 'route-missing' | 'route-changed' | 'association-missing' | 'setting-changed';

/** A change made outside three-tier, in words a user understands, with what to do about it. */
export interface DriftItem {
  resource: string;
  awsId?: string;
  change: DriftChange;
  what: string;
  fix: string;
}

/** A resource tagged with the stack (or holding one of its names) that the manifest does not know. */
export interface Leak {
  /** The AWS resource type (natgateway, elastic-ip, security-group, load-balancer, ...). */
  type: string;
  awsId: string;
  /** The logical id its tag names, when it names one. */
  resource?: string;
  /** `up` would adopt it (it is the stack's copy of a resource the manifest lost); otherwise it is extra. */
  adoptable: boolean;
  /** What it costs while it exists; undefined when the price table has no figure for it. */
  hourly?: number;
  monthly?: number;
  fix: string;
}

export interface DeploymentView {
  id: string;
  /** PRIMARY or ACTIVE. */
  status: string;
  taskDefinition: string;
  rolloutState?: string;
  rolloutStateReason?: string;
  running: number;
  desired: number;
  pending: number;
  failedTasks: number;
  createdAt?: string;
}

export interface StoppedTaskView {
  taskId: string;
  taskDefinition: string;
  stoppedAt?: string;
  stopCode?: string;
  /** The task's stoppedReason and its containers' reasons, each once. */
  reason: string;
  exitCode?: number;
  /** The last lines the container wrote, when they could be read. */
  logLines: string[];
  /** A stop ECS makes in normal operation (scaling in an old deployment, a user's StopTask): not a failure. */
  routine: boolean;
  diagnosis?: Diagnosis;
}

export interface ServiceView {
  name: string;
  status: string;
  running: number;
  desired: number;
  pending: number;
  /** The task definition of the PRIMARY deployment. */
  taskDefinition?: string;
  /** The stack's task definition, when its deployment failed and the circuit breaker rolled the service back. */
  rolledBackFrom?: string;
  deployments: DeploymentView[];
  /** Circuit-breaker, failure and rollback events, newest first. */
  events: { at?: string; message: string }[];
  /** The last stopped tasks, newest first. */
  stoppedTasks: StoppedTaskView[];
  health: Health;
}

export interface TargetView {
  id: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
  diagnosis?: Diagnosis;
}

export interface DatabaseView {
  identifier: string;
  status: string;
  endpoint?: string;
  engine?: string;
  instanceClass?: string;
  encrypted: boolean;
  publiclyAccessible: boolean;
  secretStatus?: string;
}

export interface CacheView {
  id: string;
  status: string;
  endpoint?: string;
  nodeType?: string;
  transitEncryption: boolean;
  atRestEncryption: boolean;
}

export interface BurnLine {
  item: string;
  hourly: number;
  monthly: number;
  /** Billed now: the resource exists (for tasks: in proportion to those running). */
  billed: boolean;
  /** Why it costs less than the plan, e.g. "0 of 1 tasks running", "not created yet". */
  note?: string;
}

/** The burn rate of what runs now, against the figure for the whole stack. */
export interface BurnRate {
  hourly: number;
  monthly: number;
  /** The complete stack's figure: what `up` quoted. */
  fullHourly: number;
  fullMonthly: number;
  /** Some of the stack is not billed now (half-built, paused, or tasks not running): the figure is lower. */
  partial: boolean;
  lines: BurnLine[];
  /** What the leaks cost on top (those with a known price). */
  leaksHourly: number;
  leaksMonthly: number;
  pricesAsOf: string;
  pricesRegion: string;
  excludes: string[];
  /** What a reader must know about the figure (a region priced from another's table, guesses, pause's 7 days). */
  notes: string[];
}

/** The stack's lock, held by a command that changes the stack while it works. */
export interface LockView {
  path: string;
  pid: number;
  host: string;
  command: string;
  since: string;
}

/**
 * What ECS shows of the deployment an unfinished `deploy` recorded in the manifest: still rolling out, completed,
 * failed (the circuit breaker), replaced by another deployment (the breaker's rollback, or someone's deploy), never
 * started (the deploy stopped before ECS was asked), or unknown (the service could not be read).
 */
export type UnfinishedRollout = 'in-progress' | 'completed' | 'failed' | 'replaced' | 'not-started' | 'unknown';

/**
 * A deployment `three-tier deploy` started and did not see to its end (the manifest's `deployment`, written before
 * UpdateService and cleared when deploy sees the rollout end): what it rolls out, what ECS shows of it, and what to
 * run. Only what a reader needs of the record; it never holds a secret.
 */
export interface UnfinishedDeployView {
  /** The revision rolled out. */
  taskDefinitionArn: string;
  /** Its family:revision, as the service's deployments name it. */
  revision: string;
  image: string;
  startedAt: string;
  /** ECS's id of the deployment, once UpdateService answered. */
  deploymentId?: string;
  /** Where a rollout that cannot succeed goes back to. */
  previousTaskDefinitionArn?: string;
  /** A fresh deployment of the same revision (`deploy --force`). */
  force?: boolean;
  rollout: UnfinishedRollout;
  /** A `three-tier deploy` holds the stack's lock and is watching it now; otherwise the deploy was stopped. */
  watched: boolean;
  /** What it means, in words, with what to run. */
  note: string;
  /** What sees it to its end (`three-tier deploy` continues it); absent while a deploy is watching it. */
  command?: string;
}

export type Verdict = 'healthy' | 'changing' | 'partial' | 'paused' | 'drifted' | 'degraded' | 'unknown';

export type Tier = 'alb' | 'ecs' | 'rds' | 'redis';

export interface ReadError {
  service: string;
  operation: string;
  code: string;
  message: string;
}

export interface StackStatus {
  stack: string;
  region: string;
  account?: string;
  /** `sandbox`, a custom endpoint URL, or undefined for AWS. */
  endpoint?: string;
  manifestPath: string;
  /** How the stack was found: its manifest, or (no manifest) its tags. */
  foundBy: 'manifest' | 'tags';
  observedAt: string;
  verdict: Verdict;
  /** Why the verdict is not healthy, one line each. */
  reasons: string[];
  url?: string;
  lock?: LockView;
  /** A deployment a `three-tier deploy` started and has not seen to its end (recorded in the manifest). */
  deployment?: UnfinishedDeployView;
  resources: ResourceView[];
  service?: ServiceView;
  targets: TargetView[];
  database?: DatabaseView;
  cache?: CacheView;
  tiers: Record<Tier, Health>;
  /** Cause and fix of what is wrong (src/diagnose.ts, the words `up` uses), each once. */
  diagnoses: Diagnosis[];
  drift: DriftItem[];
  leaks: Leak[];
  cost: BurnRate;
  errors: ReadError[];
}
