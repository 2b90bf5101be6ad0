import { randomBytes, randomUUID } from 'node:crypto';
import { SeededRandom } from './rng.js';

/** A state change the sandbox will apply when its time comes (lazily, on the next request or control call). */
export interface Transition {
  /** Wall-clock ms at which the change is due. */
  at: number;
  /** The state the resource enters. */
  state: string;
  /** A name listeners react to; defaults to the state. */
  event?: string;
}

/** One simulated AWS resource. `data` must stay JSON-serializable: the world persists to a file. */
export interface Resource<D = unknown> {
  service: string;
  type: string;
  id: string;
  state: string;
  tags: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  transitions: Transition[];
  data: D;
}

export interface FaultConfig {
  /** Share of AWS calls answered with the service's throttling error, 0..1. */
  throttleRate: number;
  /** Share of AWS calls answered with a 5xx, 0..1. */
  errorRate: number;
  /** Wall ms after creation during which describing a resource by id answers NotFound (eventual consistency). */
  consistencyWindowMs: number;
  /**
   * Wall ms after creation during which a call that names the resource by id to change it or to point another
   * resource at it (CreateRoute to a new NAT gateway, AuthorizeSecurityGroupIngress on or naming a new group, ...)
   * answers the service's NotFound: AWS's eventual consistency applies to every call, not only describes.
   */
  freshIdWindowMs: number;
  /**
   * IAM changes take seconds to reach other services: after an IAM role is created or its policies change, this many
   * uses of it by another service (an ECS task start reading its execution role) do not see it yet and are denied
   * what the role allows. A count rather than a duration, so a test can say how many task starts fail.
   */
  iamPropagationUses: number;
  /** Wall ms that lingering requester-managed interfaces (load balancer, RDS, ElastiCache) stay after their owner is gone; null: the scaled default. */
  eniLingerMs: number | null;
  /** Seed of the fault PRNG: the same seed and the same calls replay the same faults. */
  seed: number;
  /** Wall ms added before every AWS call is served, as the network and AWS's front end add; calls overlap as on AWS. */
  latencyMs: number;
}

export interface WorldConfig {
  /** Multiplies every simulated AWS duration: 1 is real time, 0.01 makes a 5-minute RDS create take 3 s. */
  timeScale: number;
  region: string;
  accountId: string;
  faults: FaultConfig;
  /**
   * What each zone (by zone id) does not offer, as AWS offers DB instance classes and cache node types per zone:
   * `db.t4g.micro`, `cache.t4g.micro`. Empty: every zone offers every class. See src/sandbox/offerings.ts.
   */
  unoffered: Record<string, string[]>;
}

export const defaultFaults: FaultConfig = {
  throttleRate: 0,
  errorRate: 0,
  consistencyWindowMs: 0,
  freshIdWindowMs: 0,
  iamPropagationUses: 0,
  eniLingerMs: null,
  seed: 1,
  latencyMs: 0,
};

export const defaultWorldConfig: WorldConfig = {
  timeScale: 1,
  region: 'us-east-1',
  accountId: '123456789012',
  faults: { ...defaultFaults },
  unoffered: {},
};

/** Real AWS durations (ms) the latency model starts from, before the time scale. See docs/aws-facts.md. */
export const awsDurations = {
  natCreate: 90_000,
  natDelete: 60_000,
  natDeletedListed: 3_600_000,
  /** ReleaseAddress answers AuthFailure this long after the NAT gateway using the address is deleted (aws-facts.md, Elastic IP). */
  eipReleaseBlocked: 20_000,
  albCreate: 120_000,
  albDelete: 20_000,
  rdsCreate: 300_000,
  rdsDelete: 120_000,
  /** StopDBInstance / StartDBInstance / an immediate class or storage change (unconfirmed: minutes, not in aws-facts.md). */
  rdsStop: 60_000,
  rdsStart: 120_000,
  rdsModify: 120_000,
  cacheCreate: 360_000,
  cacheDelete: 180_000,
  taskToRunning: 40_000,
  taskStop: 30_000,
  eniLinger: 300_000,
  seconds: 2_000,
} as const;

export type TransitionListener = (world: World, resource: Resource, transition: Transition) => void;
export type Reconciler = (world: World) => void;

interface PersistedWorld {
  version: 1;
  config: WorldConfig;
  resources: Resource[];
  counters: Record<string, number>;
}

/**
 * The simulated cloud: every resource of every service, the clock and time scale, the fault settings and the call
 * counts. Everything is synchronous; time advances lazily through `tick()`, which applies due transitions in time
 * order and then lets each service reconcile (ECS uses this to run deployments).
 */
export class World {
  config: WorldConfig;
  private resources = new Map<string, Resource>();
  private listeners = new Map<string, TransitionListener[]>();
  private reconcilers: Reconciler[] = [];
  /** The reconcilers that also run at each transition's time (see tick). */
  private transitionReconcilers: Reconciler[] = [];
  private counters: Record<string, number> = {};
  calls = new Map<string, number>();
  random: SeededRandom;
  /** Set by the server while it applies a transition, so listeners can date follow-ups from when it was due. */
  private clockOverride: number | undefined;
  /**
   * Counts changes to what the world persists (see `version`). World's own mutators and applied transitions bump it;
   * code that changes a resource's `data` in place calls `markChanged()` (the server does so for every AWS call that
   * is not a read), so `--state` writes the file only when something changed.
   */
  private changes = 0;

  constructor(config: Partial<WorldConfig> = {}) {
    this.config = {
      ...defaultWorldConfig,
      ...config,
      faults: { ...defaultFaults, ...(config.faults ?? {}) },
      unoffered: { ...(config.unoffered ?? {}) },
    };
    this.random = new SeededRandom(this.config.faults.seed);
  }

  now(): number {
    return this.clockOverride ?? Date.now();
  }

  /** Grows with every change to the persisted state; equal versions mean nothing to save. */
  get version(): number {
    return this.changes;
  }

  /** Record a change made outside World's own methods (a resource's data changed in place). */
  markChanged(): void {
    this.changes++;
  }

  /** A real AWS duration (ms) scaled to this world's time. */
  scaled(awsMs: number): number {
    return Math.max(0, Math.round(awsMs * this.config.timeScale));
  }

  key(type: string, id: string): string {
    return `${type}\u0000${id}`;
  }

  create<D>(
    service: string,
    type: string,
    id: string,
    init: { state: string; data: D; tags?: Record<string, string> },
  ): Resource<D> {
    const now = this.now();
    const resource: Resource<D> = {
      service,
      type,
      id,
      state: init.state,
      tags: { ...(init.tags ?? {}) },
      createdAt: now,
      updatedAt: now,
      transitions: [],
      data: init.data,
    };
    this.resources.set(this.key(type, id), resource as Resource);
    this.changes++;
    return resource;
  }

  get<D = unknown>(type: string, id: string): Resource<D> | undefined {
    return this.resources.get(this.key(type, id)) as Resource<D> | undefined;
  }

  list<D = unknown>(type: string): Resource<D>[] {
    const out: Resource<D>[] = [];
    for (const r of this.resources.values()) if (r.type === type) out.push(r as Resource<D>);
    return out;
  }

  all(): Resource[] {
    return [...this.resources.values()];
  }

  remove(type: string, id: string): void {
    if (this.resources.delete(this.key(type, id))) this.changes++;
  }

  setState(resource: Resource<unknown>, state: string): void {
    resource.state = state;
    resource.updatedAt = this.now();
    this.changes++;
  }

  /** Schedule a state change `awsMs` (real AWS time, scaled here) from now; replaces nothing already scheduled. */
  schedule(resource: Resource<unknown>, awsMs: number, state: string, event?: string): void {
    this.scheduleAt(resource, this.now() + this.scaled(awsMs), state, event);
  }

  /** Schedule a state change at a wall-clock time. */
  scheduleAt(resource: Resource<unknown>, at: number, state: string, event?: string): void {
    const t: Transition = event === undefined ? { at, state } : { at, state, event };
    resource.transitions.push(t);
    resource.transitions.sort((a, b) => a.at - b.at);
    this.changes++;
  }

  /** Drop every pending transition (for example when a delete overtakes a create). */
  clearTransitions(resource: Resource<unknown>): void {
    resource.transitions = [];
    this.changes++;
  }

  onTransition(type: string, event: string, listener: TransitionListener): void {
    const k = `${type}:${event}`;
    const list = this.listeners.get(k) ?? [];
    list.push(listener);
    this.listeners.set(k, list);
  }

  /**
   * A reconciler runs after every tick and may change data in place without `markChanged()` only when the change
   * follows from the state and the clock alone (a route's state, an expired target): a process that loads the state
   * file derives it again on its own tick. Anything else it changes goes through World's methods or `markChanged()`.
   */
  addReconciler(reconciler: Reconciler, options: { atEachTransition?: boolean } = {}): void {
    this.reconcilers.push(reconciler);
    if (options.atEachTransition) this.transitionReconcilers.push(reconciler);
  }

  /**
   * Apply every due transition in time order, then run the reconcilers. Those added with `atEachTransition` also run
   * just before and just after each transition, at its time, so what they derive from the clock (a target's health checks, a
   * deployment reacting to a healthy task) and their reactions (a failed task replaced) happen in order with the
   * transitions, however long ago the last call was.
   */
  tick(): void {
    const wall = Date.now();
    for (let rounds = 0; rounds < 10_000; rounds++) {
      let next: { resource: Resource; transition: Transition } | undefined;
      for (const resource of this.resources.values()) {
        const t = resource.transitions[0];
        if (t && t.at <= wall && (!next || t.at < next.transition.at)) next = { resource, transition: t };
      }
      if (!next) break;
      const { resource, transition } = next;
      this.clockOverride = transition.at;
      try {
        for (const r of this.transitionReconcilers) r(this);
      } finally {
        this.clockOverride = undefined;
      }
      // A reconciler may have changed or cleared this transition (a task stopped meanwhile): pick again.
      if (resource.transitions[0] !== transition) continue;
      resource.transitions.shift();
      this.changes++;
      this.clockOverride = transition.at;
      try {
        resource.state = transition.state;
        resource.updatedAt = transition.at;
        for (const l of this.listeners.get(`${resource.type}:${transition.event ?? transition.state}`) ?? []) {
          l(this, resource, transition);
        }
        // And react to it at its time (a failed task replaced when it failed, not at the next call).
        for (const r of this.transitionReconcilers) r(this);
      } finally {
        this.clockOverride = undefined;
      }
    }
    for (const r of this.reconcilers) r(this);
  }

  /** Whether a fresh resource is still inside the eventual-consistency window (describe-by-id answers NotFound). */
  hiddenByConsistency(resource: Resource): boolean {
    return this.youngerThan(resource, this.config.faults.consistencyWindowMs);
  }

  /** Whether a call naming this resource by id (to change it or point at it) still answers NotFound (freshIdWindowMs). */
  hiddenAsFreshId(resource: Resource): boolean {
    return this.youngerThan(resource, this.config.faults.freshIdWindowMs);
  }

  /** Whether the resource was created less than `windowMs` ago in real time (never, for a window of 0). */
  private youngerThan(resource: Resource, windowMs: number): boolean {
    return windowMs > 0 && Date.now() - resource.createdAt < windowMs;
  }


  /** An AWS-style id: prefix, hyphen, 17 hex digits (vpc-0a1b2c...). */
  newId(prefix: string, hexDigits = 17): string {
    const hex = randomBytes(Math.ceil(hexDigits / 2)).toString('hex').slice(0, hexDigits);
    return `${prefix}-${hex}`;
  }

  uuid(): string {
    return randomUUID();
  }

  /** A per-world increasing counter, e.g. task definition revisions or private IP allocation. */
  nextCounter(name: string): number {
    const n = (this.counters[name] ?? 0) + 1;
    this.counters[name] = n;
    this.changes++;
    return n;
  }

  arn(service: string, resource: string, opts: { region?: boolean } = {}): string {
    const region = opts.region === false ? '' : this.config.region;
    return `arn:aws:${service}:${region}:${this.config.accountId}:${resource}`;
  }

  countCall(service: string, operation: string): void {
    const k = `${service}:${operation}`;
    this.calls.set(k, (this.calls.get(k) ?? 0) + 1);
  }

  setFaults(faults: Partial<FaultConfig>): void {
    this.config.faults = { ...this.config.faults, ...faults };
    if (faults.seed !== undefined) this.random = new SeededRandom(faults.seed);
    this.changes++;
  }

  /** Replace what the zones do not offer (zone id -> DB classes and cache node types). */
  setUnoffered(unoffered: Record<string, string[]>): void {
    this.config.unoffered = { ...unoffered };
    this.changes++;
  }

  reset(): void {
    this.resources.clear();
    this.counters = {};
    this.calls.clear();
    this.config.faults = { ...defaultFaults };
    this.random = new SeededRandom(this.config.faults.seed);
    this.changes++;
  }

  toJSON(): PersistedWorld {
    return { version: 1, config: this.config, resources: this.all(), counters: this.counters };
  }

  /** Replace this world's state with a persisted one (the config's time scale and region are kept from the file). */
  restore(data: PersistedWorld): void {
    this.config = { ...data.config, faults: { ...defaultFaults, ...data.config.faults }, unoffered: { ...(data.config.unoffered ?? {}) } };
    this.resources.clear();
    for (const r of data.resources) this.resources.set(this.key(r.type, r.id), r);
    this.counters = { ...data.counters };
    this.random = new SeededRandom(this.config.faults.seed);
    this.changes++;
  }
}

export function isPersistedWorld(value: unknown): value is PersistedWorld {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<PersistedWorld>;
  return v.version === 1 && Array.isArray(v.resources) && !!v.config && typeof v.counters === 'object';
}
