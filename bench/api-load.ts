// A typed view of the autocannon programmatic API (the package ships no types), and a runner that reports the
// figures bench/api.ts prints.
import { createRequire } from 'node:module';

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  /** Requests per second across all connections; unlimited when absent. */
  overallRate?: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly failures: number;
}

/** Load that is not measured: lets the JIT and the connections settle. */
export async function warmUp(url: string, connections: number, seconds: number): Promise<void> {
  await autocannon({ url, connections, duration: seconds });
}

export async function measure(url: string, connections: number, seconds: number, rate?: number): Promise<LoadFigures> {
  const result = await autocannon({ url, connections, duration: seconds, ...(rate === undefined ? {} : { overallRate: rate }) });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
