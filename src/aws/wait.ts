import { ThreeTierError } from '../errors.js';
import { errorMessage } from './errors.js';

/** How long the provisioner waits and how often it polls; the sandbox mode scales both. */
export interface Timing {
  /** Interval between polls, ms. */
  pollMs: number;
  /** Multiplies every budget (1 on AWS; the sandbox's time scale when rehearsing). */
  scale: number;
}

export const awsTiming: Timing = { pollMs: 5_000, scale: 1 };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(interrupted());
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(interrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function interrupted(): ThreeTierError {
  return new ThreeTierError('INTERRUPTED', 'interrupted', { kind: 'interrupted', hints: ['run the same command again to continue where it stopped'] });
}

export interface PollOptions {
  timing: Timing;
  /** AWS-time budget, ms (scaled by timing.scale). */
  budgetMs: number;
  /** What is being waited for, for the timeout error: "NAT gateway nat-123 to be available". */
  what: string;
  signal?: AbortSignal;
  /** Called after each unsuccessful poll with the last observed state (for progress). */
  onWait?: (lastState: string) => void;
}

/**
 * Poll `check` until it answers `{ done: true }`. The timeout error names the resource and its last state.
 * `check` may throw to stop waiting (a failed state).
 */
export async function pollUntil<T>(check: () => Promise<{ done: true; value: T } | { done: false; state: string }>, o: PollOptions): Promise<T> {
  const deadline = Date.now() + o.budgetMs * o.timing.scale;
  let last = 'unknown';
  for (;;) {
    const r = await check();
    if (r.done) return r.value;
    last = r.state;
    o.onWait?.(last);
    if (Date.now() >= deadline) {
      throw new ThreeTierError('WAIT_TIMEOUT', `timed out waiting for ${o.what}; last state: ${last}`, {
        hints: ['run the same command again: it continues from where it stopped'],
      });
    }
    await sleep(o.timing.pollMs, o.signal);
  }
}

export interface RetryOptions {
  timing: Timing;
  /** AWS-time budget, ms (scaled by timing.scale). */
  budgetMs: number;
  retryable: (err: unknown) => boolean;
  signal?: AbortSignal;
  onRetry?: (err: unknown) => void;
  what: string;
}

/** Run `fn`, retrying errors `retryable` accepts until the budget is spent (DependencyViolation and friends). */
export async function retryWithin<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const deadline = Date.now() + o.budgetMs * o.timing.scale;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!o.retryable(err)) throw err;
      if (Date.now() >= deadline) {
        throw new ThreeTierError('RETRY_BUDGET_SPENT', `gave up on ${o.what} after ${Math.round((o.budgetMs * o.timing.scale) / 1000)} s: ${errorMessage(err)}`, {
          cause: err,
          hints: ['run the same command again: it continues from where it stopped'],
        });
      }
      o.onRetry?.(err);
      await sleep(o.timing.pollMs, o.signal);
    }
  }
}

export { sleep };
