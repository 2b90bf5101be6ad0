/**
 * Ctrl-C during long work: the first SIGINT (or SIGTERM) aborts the signal, so the core stops starting work, records
 * what it made in the manifest and returns an "interrupted" error (exit 130, run again to continue). A second one
 * exits at once.
 */
export function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping after the calls in flight; the manifest stays true. Press Ctrl-C again to quit at once.\n`);
      controller.abort();
      return;
    }
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
