import { SandboxServer } from '../../src/sandbox/server.js';
import type { FaultConfig } from '../../src/sandbox/world.js';
import { regionProblem } from '../../src/config.js';
import { usageError } from '../../src/errors.js';
import { dataPlaneConfig } from '../../src/sandbox/dataplane/config.js';

/** The options as commander parsed them: numbers are already range-checked by numberIn (cli/commands/options.ts). */
export interface SandboxOptions {
  port: number;
  timeScale: number;
  state?: string;
  region: string;
  throttleRate?: number;
  errorRate?: number;
  consistencyWindow?: number;
  eniLinger?: number;
  seed?: number;
  latency?: number;
  dataPlanePostgres?: string;
  dataPlaneRedis?: string;
  json?: boolean;
}

/** `three-tier sandbox`: serve the simulator until SIGINT/SIGTERM. Prints the endpoint on stdout, the rest on stderr. */
export async function runSandbox(o: SandboxOptions): Promise<void> {
  const badRegion = regionProblem(o.region, '--region');
  if (badRegion) throw usageError('BAD_REGION', badRegion);
  const faults: Partial<FaultConfig> = {};
  if (o.throttleRate !== undefined) faults.throttleRate = o.throttleRate;
  if (o.errorRate !== undefined) faults.errorRate = o.errorRate;
  if (o.consistencyWindow !== undefined) faults.consistencyWindowMs = o.consistencyWindow;
  if (o.eniLinger !== undefined) faults.eniLingerMs = o.eniLinger;
  if (o.seed !== undefined) faults.seed = o.seed;
  if (o.latency !== undefined) faults.latencyMs = o.latency;

  const dataPlane = dataPlaneConfig({ postgres: o.dataPlanePostgres, redis: o.dataPlaneRedis });
  const server = new SandboxServer({
    world: { timeScale: o.timeScale, region: o.region },
    ...(o.state === undefined ? {} : { stateFile: o.state }),
    ...(dataPlane ? { dataPlane } : {}),
  });
  server.world.setFaults(faults);
  let port: number;
  try {
    port = await server.listen(o.port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw usageError('PORT_IN_USE', `port ${o.port} on 127.0.0.1 is already in use.`, ['pick another with --port N, or --port 0 for any free port']);
    }
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  if (o.json) process.stdout.write(`${JSON.stringify({ endpoint, port, region: o.region, timeScale: o.timeScale, dataPlane: dataPlane !== undefined })}\n`);
  else {
    process.stdout.write(`${endpoint}\n`);
    process.stderr.write(
      `three-tier sandbox listening on ${endpoint} (region ${o.region}, time scale ${o.timeScale}${o.state ? `, state in ${o.state}` : ''}).\n` +
        `Point the AWS SDK or CLI at it with AWS_ENDPOINT_URL=${endpoint}; resources: ${endpoint}/_sandbox/resources. Ctrl-C stops it.\n` +
        (dataPlane
          ? `Data plane on: tasks of api/ run as local processes against PostgreSQL ${dataPlane.postgres.host}:${dataPlane.postgres.port}/${dataPlane.postgres.database} and Redis ${dataPlane.redis.host}:${dataPlane.redis.port}; load balancer URLs: ${endpoint}/_sandbox/data-plane.\n`
          : ''),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
