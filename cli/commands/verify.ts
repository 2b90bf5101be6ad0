import { apiKeyOf, verifyStack, type VerifyReport, type VerifyStep } from '../../src/verify.js';
import { usageError } from '../../src/errors.js';
import type { Manifest } from '../../src/engine/manifest.js';
import { localUrlOf } from '../../src/sandbox-data-plane.js';
import { connect, type AwsTarget, type CommonOptions } from '../aws-context.js';
import { ExitCode, exitWith } from '../exit-codes.js';
import { chooseStack, readingTarget } from '../stacks.js';

/**
 * `three-tier verify`: the three tiers through the stack's public URL (src/verify.ts), each step with its latency.
 * Exit 0 when every step holds, 3 when one fails (the tier named), 2 when there is nothing to verify.
 */
export interface VerifyOptions extends CommonOptions {
  /** Verify this URL instead of a stack's (no API key is sent). */
  url?: string;
}

/** Where the stack answers: its load balancer's URL on AWS; on a sandbox, the data plane's loopback URL if any. */
export async function publicUrl(target: AwsTarget, awsUrl: string): Promise<{ url: string } | { skipped: string }> {
  const endpoint = target.sandbox?.endpoint ?? target.endpoint;
  if (endpoint === undefined) return { url: awsUrl };
  const local = await localUrlOf(endpoint, awsUrl);
  if (local) return { url: local };
  const what = target.sandbox ? 'the sandbox has no data plane' : `the endpoint ${endpoint} runs no sandbox data plane`;
  return {
    skipped: `${what}, so nothing answers at the load balancer's URL (${awsUrl}): there is nothing to verify. Give the sandbox a PostgreSQL and a Redis (three-tier sandbox --data-plane-postgres URL --data-plane-redis URL, or THREE_TIER_DATA_PLANE_POSTGRES / THREE_TIER_DATA_PLANE_REDIS with --sandbox) to run the API for real.`,
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatStep(s: VerifyStep): string {
  const mark = s.ok ? 'ok  ' : 'FAIL';
  const status = s.status === undefined ? '   ' : String(s.status);
  return `  ${mark} ${pad(s.request, 22)} ${status} ${pad(`${s.latencyMs} ms`, 8)} ${s.detail}${s.tier ? `  [tier: ${s.tier}]` : ''}\n`;
}

export function formatVerdict(r: VerifyReport): string {
  if (r.ok) return `Verified ${r.url}: load balancer, API, database and cache all work (${r.elapsedMs} ms${r.usedApiKey ? ', writes with the stack\'s API key' : ''}).\n`;
  return `Verify failed at ${r.url}: the ${r.failed?.tier ?? 'API'} tier (${r.failed?.step ?? ''}): ${r.failed?.reason ?? ''}\n`;
}

/** Run the checks against a stack whose target is open; steps go to stderr as they finish unless `quiet`. */
export async function verifyOpened(target: AwsTarget, manifest: Manifest | undefined, awsUrl: string, quiet: boolean): Promise<VerifyReport | { skipped: string }> {
  const where = await publicUrl(target, awsUrl);
  if ('skipped' in where) return where;
  const apiKey = await apiKeyOf(target.clients, manifest);
  if (!quiet) process.stderr.write(`Verifying ${where.url}${apiKey === undefined ? '' : ' (writes with the API key)'}:\n`);
  return verifyStack({ url: where.url, apiKey, ...(quiet ? {} : { onStep: (s: VerifyStep) => process.stderr.write(formatStep(s)) }) });
}

function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError('BAD_URL', `--url "${raw}" is not a URL; use one like http://demo-alb-123.us-east-1.elb.amazonaws.com.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError('BAD_URL', `--url "${raw}" must start with http:// or https://.`);
  return raw;
}

export async function runVerify(opts: VerifyOptions): Promise<void> {
  let report: VerifyReport;
  if (opts.url !== undefined) {
    if (opts.stack !== undefined || opts.manifest !== undefined || opts.sandbox || opts.endpointUrl !== undefined) {
      throw usageError('BAD_OPTIONS', '--url verifies a URL on its own: leave out --stack, --manifest, --sandbox and --endpoint-url.');
    }
    const url = checkUrl(opts.url);
    if (!opts.json) process.stderr.write(`Verifying ${url}:\n`);
    report = await verifyStack({ url, ...(opts.json ? {} : { onStep: (s: VerifyStep) => process.stderr.write(formatStep(s)) }) });
  } else {
    const chosen = await chooseStack(opts, 'three-tier verify');
    const t = await readingTarget(chosen, opts);
    const lb = t.manifest?.resources['load-balancer'];
    const awsUrl = lb?.outputs?.['url'];
    if (!t.manifest || !awsUrl) {
      throw usageError('NO_URL', `stack "${t.stack}" has no load balancer URL in ${t.manifestPath}: there is nothing to verify.`, ['create it first: three-tier up']);
    }
    const target = await connect({ ...opts, dataPlane: true, sandbox: t.sandbox, ...(t.endpointUrl === undefined ? {} : { endpointUrl: t.endpointUrl }), stack: t.stack, region: t.region, manifestPath: t.manifestPath });
    try {
      const out = await verifyOpened(target, t.manifest, awsUrl, Boolean(opts.json));
      if ('skipped' in out) throw usageError('NOTHING_TO_VERIFY', out.skipped);
      report = out;
    } finally {
      await target.close();
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatVerdict(report));
  if (!report.ok) exitWith(ExitCode.unhealthy);
}
