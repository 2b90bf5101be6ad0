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
