import { z } from 'zod';
import { DB_SSL_MODES, LOG_LEVELS } from './app-config';

// The environment as the ECS task definition (or a developer) sets it. Each variable is validated on its own here;
// the rules that involve several variables (URL or split variables, TLS file) live in load-config.ts.
// Error messages never echo a value: some of these variables carry credentials.

function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));
}

const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });
const port = integer(1, 65535);

export const envSchema = z.object({
  // 0 asks the OS for a free port (tests); the chosen one is logged.
  PORT: integer(0, 65535).default(3000),
  // The address to listen on: all interfaces in a task (the ALB reaches the container on its ENI address); the
  // sandbox's data plane sets 127.0.0.1 so a local run stays on loopback.
  HOST: z
    .string()
    .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|::1?|localhost)$/, { error: 'must be an IPv4 address, ::, ::1 or localhost' })
    .default('0.0.0.0'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),

  DATABASE_URL: nonEmpty.optional(),
  DB_HOST: nonEmpty.optional(),
  DB_PORT: port.optional(),
  DB_NAME: nonEmpty.optional(),
  DB_USER: nonEmpty.optional(),
  DB_PASSWORD: z.string().optional(),
  DB_SSL: z.enum(DB_SSL_MODES, { error: `must be one of ${DB_SSL_MODES.join(', ')}` }).optional(),
  DB_SSL_CA_FILE: nonEmpty.default('/etc/ssl/certs/rds-global-bundle.pem'),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error: 'must be a lower-case SQL identifier (a-z, 0-9, _; not starting with a digit; at most 63 characters)',
    })
    .default('public'),

  REDIS_URL: nonEmpty.optional(),
  REDIS_HOST: nonEmpty.optional(),
  REDIS_PORT: port.optional(),
  REDIS_TLS: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  // The ElastiCache AUTH token (or the Redis password), injected as an ECS secret.
  REDIS_AUTH_TOKEN: nonEmpty.optional(),

  // Writes need this key when it is set. Long enough that guessing is hopeless; the value is never echoed.
  API_KEY: z
    .string()
    .regex(/^\S{16,512}$/, { error: 'must be 16 to 512 characters without spaces' })
    .optional(),
  // Requests per client IP and window; 0 turns the limit off.
  RATE_LIMIT_MAX: integer(0, 1_000_000_000).default(600),
  RATE_LIMIT_WINDOW_SECONDS: integer(1, 3_600).default(60),
  // Proxies in front of the API whose X-Forwarded-For entry is trusted to name the client: 1 for the ALB.
  TRUST_PROXY_HOPS: integer(0, 10).default(1),

  // The RDS-managed secret holding the database password; read at start and again when the password stops working.
  DB_SECRET_ARN: nonEmpty.optional(),
  AWS_REGION: nonEmpty.optional(),
  AWS_DEFAULT_REGION: nonEmpty.optional(),

  CACHE_TTL_SECONDS: integer(1, 86_400).default(30),
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^\S{1,128}$/, { error: 'must be 1 to 128 characters without spaces' })
    .default('three-tier:'),
});

export type Env = z.infer<typeof envSchema>;
