import { dirname, join, resolve } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { getProfileName, loadSharedConfigFiles } from '@smithy/core/config';
import { createClients, type AwsClients } from '../src/aws/clients.js';
import { errorMessage, isCredentialsError } from '../src/aws/errors.js';
import { awsTiming, type Timing } from '../src/aws/wait.js';
import { ThreeTierError, usageError } from '../src/errors.js';
import { defaultManifestPath } from '../src/engine/manifest.js';
import { SandboxServer } from '../src/sandbox/server.js';

/**
 * Where a command's AWS calls go: real AWS (credentials from the SDK's default chain), a custom endpoint
 * (--endpoint-url or AWS_ENDPOINT_URL), or an in-process sandbox whose simulated cloud persists beside the manifest.
 */
export interface CommonOptions {
  stack?: string;
  region?: string;
  manifest?: string;
  endpointUrl?: string;
  sandbox?: boolean;
  timeScale?: number;
  yes?: boolean;
  json?: boolean;
}

export interface AwsTarget {
  clients: AwsClients;
  timing: Timing;
  /** The endpoint recorded in the manifest (sandbox or custom), undefined for real AWS. */
  endpoint: string | undefined;
  /** Set in sandbox mode. */
  sandbox: SandboxServer | undefined;
  close(): Promise<void>;
}

/** The default time scale of --sandbox: a rehearsal of the ~8-minute real `up` takes about 10 seconds. */
export const SANDBOX_TIME_SCALE = 0.02;

/** Region from the AWS config files' current profile, if any. */
export async function profileRegion(): Promise<string | undefined> {
  try {
    const files = await loadSharedConfigFiles();
    const profile = getProfileName({});
    return files.configFile?.[profile]?.['region'] ?? files.credentialsFile?.[profile]?.['region'];
  } catch {
    return undefined;
  }
}

export async function defaultRegion(flag: string | undefined): Promise<string | undefined> {
  return flag ?? process.env['AWS_REGION'] ?? (await profileRegion());
}

export function manifestPathFor(stack: string, flag: string | undefined): string {
  return flag === undefined ? defaultManifestPath(stack) : resolve(flag);
}

/** The sandbox's state file lives next to the manifest: `<dir>/<stack>.sandbox.json`. */
export function sandboxStatePath(manifestPath: string, stack: string): string {
  return join(dirname(manifestPath), `${stack}.sandbox.json`);
}

function checkEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError('BAD_ENDPOINT', `--endpoint-url "${url}" is not a URL; use one like http://127.0.0.1:4566.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError('BAD_ENDPOINT', `--endpoint-url "${url}" must start with http:// or https://.`);
  }
  return url.replace(/\/$/, '');
}

export async function connect(opts: CommonOptions & { stack: string; region: string; manifestPath: string }): Promise<AwsTarget> {
  if (opts.sandbox && opts.endpointUrl) {
    throw usageError('BAD_OPTIONS', '--sandbox and --endpoint-url cannot be used together: --sandbox runs its own endpoint.');
  }
  if (opts.sandbox) {
    const scale = opts.timeScale ?? SANDBOX_TIME_SCALE;
    const server = new SandboxServer({ world: { timeScale: scale, region: opts.region }, stateFile: sandboxStatePath(opts.manifestPath, opts.stack) });
    await server.listen(0);
    const clients = createClients({
      region: opts.region,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'SANDBOX', secretAccessKey: 'sandbox' },
    });
    return {
      clients,
      timing: { pollMs: Math.max(20, Math.round(awsTiming.pollMs * scale)), scale },
      endpoint: 'sandbox',
      sandbox: server,
      close: async () => {
        await server.close();
      },
    };
  }
  const envEndpoint = process.env['AWS_ENDPOINT_URL'];
  const endpoint = opts.endpointUrl ?? (envEndpoint === undefined || envEndpoint === '' ? undefined : envEndpoint);
  const clients = createClients({ region: opts.region, ...(endpoint === undefined ? {} : { endpoint: checkEndpoint(endpoint) }) });
  return { clients, timing: awsTiming, endpoint, sandbox: undefined, close: async () => undefined };
}

/** Fail early, before any change, when the credentials are missing or expired: name the profile and the fix. */
export async function checkCredentials(target: AwsTarget): Promise<string> {
  try {
    const who = await target.clients.sts.send(new GetCallerIdentityCommand({}));
    return who.Account ?? 'unknown';
  } catch (err) {
    const profile = process.env['AWS_PROFILE'] ?? 'default';
    if (isCredentialsError(err) || /credential|token/i.test(errorMessage(err))) {
      throw new ThreeTierError('CREDENTIALS', `no valid AWS credentials for profile "${profile}": ${errorMessage(err)}`, {
        hints: [
          `aws sso login --profile ${profile}   (IAM Identity Center)`,
          `aws configure --profile ${profile}   (access keys)`,
          'or rehearse without an account: add --sandbox',
        ],
      });
    }
    throw err;
  }
}
