import { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { safeReason } from '../common/safe-reason';
import type { JsonLogger } from '../logging/json-logger';
import { redisOptions } from './redis-options';

/**
 * Creates the shared client and logs its state changes once per change: while Redis is down ioredis emits an error
 * on every reconnect attempt, and one line per attempt would drown the log.
 */
export function createRedisClient(config: AppConfig, logger: JsonLogger): Redis {
  const client = new Redis(redisOptions(config.redis));
  const secrets = [config.redis.password];
  let healthy: boolean | undefined;
  client.on('ready', () => {
    if (healthy !== true) logger.info('cache connected', { host: config.redis.host, port: config.redis.port });
    healthy = true;
  });
  client.on('error', (error: unknown) => {
    if (healthy !== false) logger.warn('cache unavailable, serving from the database', { reason: safeReason(error, secrets) });
    healthy = false;
  });
  return client;
}
