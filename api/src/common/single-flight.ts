/**
 * Collapses concurrent calls with the same key into one: while a call for a key is in flight, later callers get the
 * same promise instead of starting their own. Nothing is remembered once the call settles, so a later caller
 * starts afresh.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
