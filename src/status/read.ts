import { awsErrorCode, errorMessage, isNotFound } from '../aws/errors.js';
import type { ReadError } from './model.js';

/**
 * One read of the observation. Every read answers one of three things, so that a failed call never passes for a
 * deleted resource: seen (with what AWS said), gone (AWS said it does not exist) or failed (an error: the status
 * cannot tell, and says so).
 */
export type Seen<T> = { state: 'seen'; value: T } | { state: 'gone' } | { state: 'failed' };

export const gone = { state: 'gone' } as const;
export const failed = { state: 'failed' } as const;

export function seen<T>(value: T): Seen<T> {
  return { state: 'seen', value };
}

export function valueOf<T>(s: Seen<T>): T | undefined {
  return s.state === 'seen' ? s.value : undefined;
}

/** Collects the errors of one observation; each read says which service and operation it was. */
export class Reads {
  readonly errors: ReadError[] = [];

  /**
   * Run `fn`. A NotFound-class error (or one `isGone` accepts) is `gone`; any other error is recorded and `failed`;
   * `fn` may itself answer undefined for "not there" (a describe that lists nothing).
   */
  async read<T>(service: string, operation: string, fn: () => Promise<T | undefined>, isGone: (err: unknown) => boolean = isNotFound): Promise<Seen<T>> {
    try {
      const value = await fn();
      return value === undefined ? gone : seen(value);
    } catch (err) {
      if (isGone(err)) return gone;
      this.errors.push({ service, operation, code: awsErrorCode(err) ?? 'Error', message: errorMessage(err).split('\n')[0] ?? '' });
      return failed;
    }
  }
}
