import type { Redis } from 'ioredis';
import type { RedisGate } from '../cache/redis-gate';
import { safeReason } from '../common/safe-reason';
import type { AppConfig } from '../config/app-config';
import type { JsonLogger } from '../logging/json-logger';

// One counter per client and fixed window: every task of the service counts into the same key, so the limit holds
// for the service as a whole, not per task. The window's number is part of the key, so a counter that somehow kept
// no expiry would only be a stale key, never a limit carried into the next window.
//
// A client far from its limit is counted here and the counts are sent to Redis in one pipeline every
// SYNC_INTERVAL_MS: a round trip to Redis on every request was the largest cost of a cache hit after the hit itself
// (a second command per request, for ioredis and for Redis). Far means: below half of the limit as far as this task
// knows, with fewer than 1/BATCH_SHARE of the limit counted here and not yet sent. Past either, the request is counted
// in Redis (with whatever this task had not sent) before it is answered, so the decision near the limit is the
// service-wide count. What batching gives away: a task learns the others' counts when it next sends its own, and
// the hits it had not sent were let through without that count, so a client can get past its limit by at most
// 1/BATCH_SHARE of the limit (5%) per task. A limit below BATCH_SHARE is never batched.

/** How often the counts a task has not sent yet are sent to Redis. */
export const SYNC_INTERVAL_MS = 100;
/** At most 1/BATCH_SHARE of the limit is counted in a task and not yet in Redis, per client. */
export const BATCH_SHARE = 20;
// A bound on the clients a task tracks; past it, their counts are sent at once and the map is emptied.
const MAX_TRACKED = 50_000;

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: RateDecision = { allowed: true };

/** A client's count in one window, as this task knows it. */
interface Counter {
  readonly window: number;
  /** The highest service-wide count Redis answered for this key. */
  known: number;
  /** Hits let through here without a count from Redis, not sent yet. */
  pending: number;
  /** Such hits sent to Redis, whose count has not come back yet. */
  sent: number;
}

/**
 * A per-client fixed-window limit kept in Redis, under the API's key prefix. It fails open: when Redis cannot
 * answer, requests are let through (reads keep working from PostgreSQL) and a warning is logged once per outage.
 */
export class RateLimiter {
  readonly max: number;
  private readonly windowMs: number;
  private readonly keyPrefix: string;
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  // The window of the latest hit: the first hit of a new one has the counters of the past windows dropped.
  private window = 0;
  private failingOpen = false;
  private readonly syncLater = (): void => {
    this.timer = undefined;
    void this.sync();
  };

  constructor(
    private readonly redis: Redis,
    private readonly gate: RedisGate,
    config: AppConfig,
    private readonly logger: JsonLogger,
  ) {
    this.max = config.http.rateLimitMax;
    this.windowMs = config.http.rateLimitWindowSeconds * 1000;
    this.keyPrefix = `${config.cache.keyPrefix}ratelimit:`;
  }

  get enabled(): boolean {
    return this.max > 0;
  }

  /** The decision for one more request from `client`: at once while it is far from its limit, else after Redis. */
  hit(client: string): RateDecision | Promise<RateDecision> {
    if (!this.gate.usable()) return this.failOpen(`cache ${this.redis.status}`);
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      if (this.counters.size > 0) void this.sync();
    }
    const key = `${this.keyPrefix}${client}:${window}`;
    let counter = this.counters.get(key);
    if (counter === undefined) {
      // Too many clients to track: their counts are sent now and the map emptied (synchronously) before this one.
      if (this.counters.size >= MAX_TRACKED) void this.sync();
      counter = { window, known: 0, pending: 0, sent: 0 };
      this.counters.set(key, counter);
    }
    // Counted from Redis's last answer and the hits let through since without one (what makes the bound per task).
    const unconfirmed = counter.pending + counter.sent + 1;
    if ((counter.known + unconfirmed) * 2 <= this.max && unconfirmed * BATCH_SHARE <= this.max) {
      counter.pending += 1;
      if (this.timer === undefined) {
        this.timer = setTimeout(this.syncLater, SYNC_INTERVAL_MS);
        // Counts waiting to be sent must not keep a stopping process alive.
        this.timer.unref();
      }
      return ALLOWED;
    }
    return this.countNow(key, counter, now, window);
  }

  private async countNow(key: string, counter: Counter, now: number, window: number): Promise<RateDecision> {
    // This hit and any let through here and not sent yet, in one command.
    const batched = counter.pending;
    counter.pending = 0;
    counter.sent += batched;
    const hits = batched + 1;
    try {
      const count = await this.redis.incrby(key, hits);
      counter.known = Math.max(counter.known, count);
      // The first hits of a window give the counter its expiry.
      if (count === hits) await this.redis.pexpire(key, this.windowMs * 2);
      this.recovered();
      if (count <= this.max) return ALLOWED;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000)) };
    } catch (error) {
      this.gate.failed();
      return this.failOpen(safeReason(error));
    } finally {
      counter.sent -= batched;
    }
  }

  /** Sends the pending counts in one pipeline and learns the service-wide counts back; forgets past windows. */
  private async sync(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const current = Math.floor(Date.now() / this.windowMs);
    const overflow = this.counters.size >= MAX_TRACKED;
    const sent: Array<[Counter, number]> = [];
    const pipeline = this.redis.pipeline();
    for (const [key, counter] of this.counters) {
      if (counter.pending > 0) {
        sent.push([counter, counter.pending]);
        pipeline.incrby(key, counter.pending).pexpire(key, this.windowMs * 2);
        counter.sent += counter.pending;
        counter.pending = 0;
      }
      if (counter.window < current || overflow) this.counters.delete(key);
    }
    if (sent.length === 0) return;
    try {
      // Redis unusable: the limit is failing open anyway (the next hit says so); these counts are dropped.
      if (!this.gate.usable()) return;
      const results = (await pipeline.exec()) ?? [];
      sent.forEach(([counter], i) => {
        const [error, count] = results[i * 2] ?? [null, undefined];
        if (error === null && typeof count === 'number') counter.known = Math.max(counter.known, count);
      });
      this.recovered();
    } catch (error) {
      this.gate.failed();
      this.failOpen(safeReason(error));
    } finally {
      for (const [counter, hits] of sent) counter.sent -= hits;
    }
  }

  private failOpen(reason: string): RateDecision {
    if (!this.failingOpen) {
      this.failingOpen = true;
      this.logger.warn('rate limit not enforced while the cache is unavailable', { reason });
    }
    return ALLOWED;
  }

  private recovered(): void {
    if (this.failingOpen) {
      this.failingOpen = false;
      this.logger.info('rate limit enforced again');
    }
  }
}
