/** One problem with one environment variable. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** The environment does not describe a runnable API. main.ts prints it as one JSON line and exits 1. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}
