/** A backing service (PostgreSQL or Redis) cannot answer now. The HTTP layer turns it into a 503. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly service: 'database' | 'cache',
    readonly reason: string,
  ) {
    super(`${service} unavailable: ${reason}`);
    this.name = 'DependencyUnavailableError';
  }
}
