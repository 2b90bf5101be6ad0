// The container's entry point: `node dist/main.js` (not npm, so SIGTERM from ECS reaches this process).
import type { AppConfig } from './config/app-config';
import { ConfigError } from './config/config.error';
import { loadConfig } from './config/load-config';
import { JsonLogger } from './logging/json-logger';

let logger: JsonLogger | undefined;

/** One JSON line on stdout, after whatever the logger still buffers, then exit 1. */
function fatal(msg: string, fields: Record<string, unknown>): never {
  logger?.flush();
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'fatal', msg, ...fields }) + '\n');
  process.exit(1);
}

function describe(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.name, reason: error.message, stack: error.stack } : { reason: String(error) };
}

// A bug that escapes every handler still ends as one JSON line rather than Node's multi-line stderr dump.
process.on('uncaughtException', (error) => fatal('uncaught exception', describe(error)));
process.on('unhandledRejection', (reason) => fatal('unhandled rejection', describe(reason)));

function configFromEnvironment(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    // The message names each variable and what it allows; a stack would only hide that.
    if (error instanceof ConfigError) fatal(error.message, { code: error.code, errors: error.issues });
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configFromEnvironment();
  // Nest is loaded only once the configuration is known to be good: a bad environment fails in milliseconds.
  const { createApp } = await import('./app.factory');
  const app = await createApp(config);
  const appLogger = app.get(JsonLogger);
  logger = appLogger;
  // On SIGTERM/SIGINT: stop accepting, drain in-flight requests, close the pools, then exit 0 (useProcessExit)
  // rather than re-raising the signal, which would end the task with exit code 143.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  // Buffered lines are written whatever way the process ends. After a SIGTERM this runs once the requests have
  // drained and the pools are closed, so "stopped" is the last line.
  process.on('exit', (code) => {
    appLogger.info('stopped', { code });
    appLogger.flush();
  });
  // All interfaces by default: in the task, the ALB reaches the container on its ENI address.
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  appLogger.info('listening', { port: typeof address === 'object' && address ? address.port : config.port });
}

main().catch((error: unknown) => fatal('start-up failed', { reason: error instanceof Error ? error.message : String(error) }));
