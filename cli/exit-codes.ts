import type { ErrorKind } from '../src/errors.js';

/** The one exit-code table of the CLI (see DESIGN.md, "Commands"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  unhealthy: 3,
  interrupted: 130,
} as const;

export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'usage':
      return ExitCode.usage;
    case 'unhealthy':
      return ExitCode.unhealthy;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'failure':
      return ExitCode.failure;
  }
}

let resultCode: number | undefined;

/**
 * For a command whose result is printed and whose exit code tells how it went (`status`: 3 when the stack is not
 * healthy): nothing more is printed, as an error would be, and the process exits with `code`.
 */
export function exitWith(code: number): void {
  resultCode = code;
}

/** The exit code of a command that returned normally. */
export function resultExitCode(): number {
  return resultCode ?? ExitCode.ok;
}
