/**
 * Typed errors of the core. Every error the core raises carries a stable code, a message a user understands,
 * and hints: what to try next. The CLI maps the kind to an exit code in one place (cli/exit-codes.ts).
 */
export type ErrorKind =
  /** Bad input or usage: the user can fix it by changing what they typed. Nothing was created. */
  | 'usage'
  /** The work failed. */
  | 'failure'
  /** The work finished, but what it looked at is unhealthy or only partly there. */
  | 'unhealthy'
  /** The user interrupted the work. */
  | 'interrupted';

export interface ThreeTierErrorOptions {
  kind?: ErrorKind;
  hints?: readonly string[];
  cause?: unknown;
}

export class ThreeTierError extends Error {
  override readonly name = 'ThreeTierError';
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hints: readonly string[];

  constructor(code: string, message: string, options: ThreeTierErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? 'failure';
    this.hints = options.hints ?? [];
  }
}

export function usageError(code: string, message: string, hints: readonly string[] = []): ThreeTierError {
  return new ThreeTierError(code, message, { kind: 'usage', hints });
}

export function isThreeTierError(err: unknown): err is ThreeTierError {
  return err instanceof ThreeTierError;
}

/** The first few problems of a failed schema check (zod's issues), each with where it is: for error messages. */
export function issuesText(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
