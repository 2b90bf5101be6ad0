import { dirname, join, resolve } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromEnv, fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { getProfileName, loadSharedConfigFiles } from '@smithy/core/config';
import { createClients, type AwsClients } from '../src/aws/clients.js';
import { errorCodes, errorMessage, isCredentialsError } from '../src/aws/errors.js';
import { OPT_IN_REGIONS } from '../src/regions.js';
import { awsTiming, type Timing } from '../src/aws/wait.js';
import { ThreeTierError, usageError } from '../src/errors.js';
import { defaultManifestPath, type Manifest } from '../src/engine/manifest.js';
import { SandboxServer } from '../src/sandbox/server.js';
import { dataPlaneConfig } from '../src/sandbox/dataplane/config.js';

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

/**
 * The region to use: the flag, AWS_REGION, AWS_DEFAULT_REGION (which the AWS CLI reads and the SDK does not: users
 * coming from the CLI set it), the AWS profile's region; the sandbox falls back to us-east-1.
 */
export async function defaultRegion(flag: string | undefined, sandbox = false): Promise<string | undefined> {
  return flag ?? (process.env['AWS_REGION'] || undefined) ?? (process.env['AWS_DEFAULT_REGION'] || undefined) ?? (await profileRegion()) ?? (sandbox ? 'us-east-1' : undefined);
}

/**
 * Where the SDK's default chain takes credentials from first: keys in the environment win over any profile
 * (fromNodeProviderChain: env, then SSO / ini / process for the profile, then container and instance roles).
 */
export function credentialSource(): { label: string; profile?: string } {
  if (process.env['AWS_ACCESS_KEY_ID']) return { label: 'the environment (AWS_ACCESS_KEY_ID)' };
  const profile = process.env['AWS_PROFILE'] || 'default';
  return { label: `profile "${profile}"`, profile };
}

export function manifestPathFor(stack: string, flag: string | undefined): string {
  return flag === undefined ? defaultManifestPath(stack) : resolve(flag);
}

/** The sandbox's state file lives next to the manifest: `<dir>/<stack>.sandbox.json`. */
export function sandboxStatePath(manifestPath: string, stack: string): string {
  return join(dirname(manifestPath), `${stack}.sandbox.json`);
}

function scaledTiming(scale: number): Timing {
  return { pollMs: Math.max(20, Math.round(awsTiming.pollMs * scale)), scale };
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * For endpoints on this machine: the keys in the environment or the profile (SSO, process, assumed roles: all that
 * fromIni reads), or stand-in keys when there are none. The instance and container roles are not asked: they would
 * mean calls to a metadata address off this machine, for a sandbox that checks no signature.
 */
function credentialsOrStandIn(): AwsCredentialIdentityProvider {
  const sources = [fromEnv(), fromIni()];
  return async () => {
    for (const source of sources) {
      try {
        return await source();
      } catch {
        // next source
      }
    }
    return { accessKeyId: 'LOCAL', secretAccessKey: 'local-endpoint' };
  };
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
  // Every call is signed with the user's credentials: in clear text, only to this machine.
  if (parsed.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw usageError('INSECURE_ENDPOINT', `the endpoint "${url}" is plain http on another machine: every call would send signed requests (and their contents) in clear text. Nothing was sent.`, [
      'use https:// for an endpoint on another machine, or run the sandbox locally (three-tier sandbox) and use http://127.0.0.1:PORT',
    ]);
  }
  return url.replace(/\/$/, '');
}

/**
 * Where a stack lives: the flags, or else what its manifest recorded (a sandbox stack stays in its sandbox, a stack
 * behind an endpoint stays there). A manifest of a stack on AWS is never used against a sandbox or an endpoint, nor
 * the other way round: the run would find none of its resources and build a second stack there.
 */
export function stackLocation(opts: CommonOptions, recorded: Manifest | undefined, manifestPath: string): { sandbox: boolean; endpointUrl: string | undefined } {
  const envEndpoint = process.env['AWS_ENDPOINT_URL'] || undefined;
  const given = opts.endpointUrl ?? envEndpoint;
  if (!recorded) return { sandbox: opts.sandbox === true, endpointUrl: opts.endpointUrl };
  const where = recorded.endpoint === undefined ? 'on AWS' : recorded.endpoint === 'sandbox' ? 'in a sandbox (--sandbox)' : `behind ${recorded.endpoint}`;
  const wrong = (what: string): never => {
    throw usageError('STACK_ELSEWHERE', `the manifest ${manifestPath} records stack "${recorded.stack}" ${where}; ${what} would not reach it, and would make a second stack. Nothing was changed.`, [
      recorded.endpoint === undefined ? 'leave out --sandbox, --endpoint-url and AWS_ENDPOINT_URL' : recorded.endpoint === 'sandbox' ? 'run it with --sandbox (or with no target option)' : `run it with --endpoint-url ${recorded.endpoint} (or with no target option)`,
    ]);
  };
  if (recorded.endpoint === undefined) {
    if (opts.sandbox) wrong('--sandbox');
    if (given !== undefined) wrong(`the endpoint ${given}`);
    return { sandbox: false, endpointUrl: undefined };
  }
  if (recorded.endpoint === 'sandbox') {
    if (opts.endpointUrl !== undefined) wrong(`--endpoint-url ${opts.endpointUrl}`);
    return { sandbox: true, endpointUrl: undefined };
  }
  if (opts.sandbox) wrong('--sandbox');
  // The same endpoint, or (a sandbox restarted on another port) the one given now.
  return { sandbox: false, endpointUrl: opts.endpointUrl ?? recorded.endpoint };
}

/** The target options on their own, checked before anything is touched (no lock, no folder, no call). */
export function checkTargetOptions(opts: CommonOptions): void {
  if (opts.sandbox && opts.endpointUrl) {
    throw usageError('BAD_OPTIONS', '--sandbox and --endpoint-url cannot be used together: --sandbox runs its own endpoint.');
  }
  if (opts.endpointUrl !== undefined) checkEndpoint(opts.endpointUrl);
}

/**
 * `dataPlane`: an embedded sandbox runs its data plane (when the environment names a PostgreSQL and a Redis). Only
 * the commands that use the stack's URL ask for it; the others would start the API's processes for nothing.
 */
export async function connect(opts: CommonOptions & { stack: string; region: string; manifestPath: string; dataPlane?: boolean }): Promise<AwsTarget> {
  checkTargetOptions(opts);
  if (opts.timeScale !== undefined && !opts.sandbox && opts.endpointUrl === undefined && !process.env['AWS_ENDPOINT_URL']) {
    throw usageError('BAD_OPTIONS', '--time-scale only applies to a sandbox: use it with --sandbox or with --endpoint-url pointing at `three-tier sandbox`.');
  }
  if (opts.sandbox) {
    const scale = opts.timeScale ?? SANDBOX_TIME_SCALE;
    // The data plane of an embedded sandbox is turned on by the environment (THREE_TIER_DATA_PLANE_POSTGRES / _REDIS).
    const dataPlane = opts.dataPlane ? dataPlaneConfig({}) : undefined;
    const server = new SandboxServer({ world: { timeScale: scale, region: opts.region }, stateFile: sandboxStatePath(opts.manifestPath, opts.stack), ...(dataPlane ? { dataPlane } : {}) });
    await server.listen(0);
    const clients = createClients({
      region: opts.region,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'SANDBOX', secretAccessKey: 'sandbox' },
      retryMode: 'standard',
    });
    return {
      clients,
      timing: scaledTiming(scale),
      endpoint: 'sandbox',
      sandbox: server,
      close: async () => {
        await server.close();
      },
    };
  }
  const envEndpoint = process.env['AWS_ENDPOINT_URL'];
  const endpoint = opts.endpointUrl ?? (envEndpoint === undefined || envEndpoint === '' ? undefined : envEndpoint);
  // Real AWS: adaptive retries (they also slow down after throttling). A custom endpoint, usually a sandbox that
  // throttles at random, gets standard retries; one on this machine (a sandbox, an emulator) works without an AWS
  // login: the usual credentials if there are any, otherwise stand-in keys that sign nothing real.
  const checked = endpoint === undefined ? undefined : checkEndpoint(endpoint);
  const clients = createClients({
    region: opts.region,
    ...(checked === undefined ? {} : { endpoint: checked, retryMode: 'standard' as const }),
    ...(checked !== undefined && isLoopbackUrl(checked) ? { credentials: credentialsOrStandIn() } : {}),
  });
  // An endpoint that is a sandbox running faster than real time: poll and budget at its pace.
  const timing = opts.timeScale === undefined ? awsTiming : scaledTiming(opts.timeScale);
  return { clients, timing, endpoint, sandbox: undefined, close: async () => undefined };
}

/** Fail early, before any change, when the credentials are missing or expired: name the profile and the fix. */
export async function checkCredentials(target: AwsTarget): Promise<string> {
  try {
    const who = await target.clients.sts.send(new GetCallerIdentityCommand({}));
    return who.Account ?? 'unknown';
  } catch (err) {
    const where = target.sandbox ? 'the sandbox' : (target.endpoint ?? `AWS (${target.clients.region})`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EAI_AGAIN') {
      throw new ThreeTierError('ENDPOINT_UNREACHABLE', `cannot reach ${where}: ${code}`, {
        hints: target.endpoint ? ['check --endpoint-url / AWS_ENDPOINT_URL; start the sandbox with `three-tier sandbox` if that is what it points at'] : ['check your network connection'],
      });
    }
    if (/deserializ|parse error/i.test(errorMessage(err))) {
      throw new ThreeTierError('ENDPOINT_NOT_AWS', `${where} did not answer like AWS STS (${errorMessage(err).split('\n')[0]})`, {
        hints: ['check --endpoint-url / AWS_ENDPOINT_URL: it should be an AWS-compatible endpoint such as `three-tier sandbox`'],
      });
    }
    if (isCredentialsError(err) || /credential|token/i.test(errorMessage(err))) {
      const source = credentialSource();
      const codes = errorCodes(err);
      const optIn = OPT_IN_REGIONS.has(target.clients.region) && codes.some((c) => c === 'InvalidClientTokenId' || c === 'UnrecognizedClientException');
      const hints = [
        ...(optIn ? [`${target.clients.region} is an opt-in region, and AWS answers this way while it is not enabled for the account: enable it (AWS console: Account > AWS Regions), or choose another --region`] : []),
        ...(source.profile
          ? [`aws sso login --profile ${source.profile}   (IAM Identity Center)`, `aws configure --profile ${source.profile}   (access keys)`]
          : ['the environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) hold keys AWS refused: renew them, or unset them to use a profile']),
        'or rehearse without an account: add --sandbox',
      ];
      throw new ThreeTierError('CREDENTIALS', `no valid AWS credentials from ${source.label}: ${errorMessage(err)}`, { hints });
    }
    throw err;
  }
}
