import { fileURLToPath } from 'node:url';
import { IMAGE_RULE, imageProblem, resolveConfig, STACK_NAME_RULE, type StackConfig, type StackInput } from '../../src/config.js';
import { usageError } from '../../src/errors.js';
import type { ImageSource } from '../../src/image.js';
import { ensureCanBuild } from '../../src/image-build.js';
import { applyUp, openStack, planChangesSomething, planUp, type UpPlan } from '../../src/provisioner.js';
import { buildStackGraph } from '../../src/stack.js';
import { readDataPlane } from '../../src/sandbox-data-plane.js';
import { readManifest } from '../../src/engine/manifest.js';
import type { VerifyReport } from '../../src/verify.js';
import { ExitCode, exitWith } from '../exit-codes.js';
import { formatVerdict, publicUrl, verifyOpened } from './verify.js';
import { checkCredentials, checkTargetOptions, connect, defaultRegion, manifestPathFor, stackLocation, type AwsTarget, type CommonOptions } from '../aws-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { askChoice, askConfirm, askValue, isInteractive } from '../prompts.js';
import { askRegion, stackNameQuestion } from '../questions.js';
import { stackNames } from '../stack-files.js';
import { stackFlags } from '../stacks.js';
import { formatPlan, planSummary } from '../render/plan.js';
import { outputMode, withProgress } from '../render/progress.js';

export interface UpOptions extends CommonOptions {
  image?: string;
  vpcCidr?: string;
  arch?: string;
  tasks?: number;
  cpu?: number;
  memory?: number;
  dbClass?: string;
  cacheNodeType?: string;
  fromSnapshot?: string;
  /** false with --no-verify. */
  verify?: boolean;
}

/** The stack name `--yes` takes when none is given. */
export const DEFAULT_STACK = 'demo';

/** The API image's build context: the root of this package, with package-lock.json and api/Dockerfile. */
function buildContextDir(): string {
  return fileURLToPath(new URL('../../..', import.meta.url));
}

/**
 * Where the service's image comes from: the one the stack records, the sandbox's stand-in push (an embedded sandbox,
 * or an endpoint that is a sandbox running api/ on its data plane), or a build of api/.
 */
export function imageSourceFor(config: StackConfig, target: AwsTarget, dataPlane = false): ImageSource {
  if (config.image !== undefined) return { kind: 'existing', uri: config.image };
  if (target.sandbox) return { kind: 'sandbox-push', endpoint: target.sandbox.endpoint };
  if (dataPlane && target.endpoint !== undefined) return { kind: 'sandbox-push', endpoint: target.endpoint };
  return { kind: 'build', contextDir: buildContextDir() };
}

async function askStack(opts: UpOptions, interactive: boolean): Promise<string> {
  if (opts.stack !== undefined) return opts.stack;
  if (interactive) {
    // A new name, or one of the stacks here (up continues it or changes its settings).
    const existing = opts.manifest === undefined ? stackNames() : [];
    return askValue(
      'Stack name (a new one, or one of this folder)',
      stackNameQuestion({
        default: DEFAULT_STACK,
        offered: existing.map((value) => ({ value, description: 'exists here: up continues it or changes its settings' })),
        hint: `type a name: ${STACK_NAME_RULE}`,
      }),
    );
  }
  if (opts.yes) return DEFAULT_STACK;
  throw usageError('MISSING_STACK', 'no stack name given: pass --stack NAME (or --yes for the default stack "demo").', [`a name of ${STACK_NAME_RULE}, e.g. --stack demo`]);
}

function inputOf(opts: UpOptions): Omit<StackInput, 'stack' | 'region'> {
  return {
    image: opts.image,
    vpcCidr: opts.vpcCidr,
    cpuArchitecture: opts.arch,
    desiredCount: opts.tasks,
    taskCpu: opts.cpu,
    taskMemory: opts.memory,
    dbInstanceClass: opts.dbClass,
    cacheNodeType: opts.cacheNodeType,
    dbSnapshot: opts.fromSnapshot,
  };
}

export async function runUp(opts: UpOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  const stack = await askStack(opts, interactive);
  // Every flag is checked on its own before anything is touched (no lock, no folder, no AWS call).
  resolveConfig({ stack, region: opts.region ?? 'us-east-1', ...inputOf(opts) });
  checkTargetOptions(opts);
  const manifestPath = manifestPathFor(stack, opts.manifest);

  // One command at a time: the lock is taken before anything is planned or asked.
  const session = openStack(manifestPath, 'up');
  let closeTarget = async (): Promise<void> => undefined;
  try {
    const recorded = session.recorded;
    const location = stackLocation(opts, recorded, manifestPath);
    if (recorded?.paused) {
      // A paused stack is brought back by resume: ask at a terminal, otherwise say which command does it.
      const { resumeOpened, offerResume } = await import('./resume.js');
      if (!(await offerResume(opts, { stack, manifestPath, recorded, location }, interactive))) return;
      await resumeOpened(opts, { stack, manifestPath, session, recorded }, interactive, true);
      return;
    }
    // A stack that exists keeps its region; otherwise the usual defaults, then the prompt.
    let region = opts.region ?? recorded?.region ?? (await defaultRegion(undefined, location.sandbox));
    if (interactive && opts.region === undefined && recorded === undefined) region = await askRegion(region);
    if (region === undefined) {
      throw usageError('MISSING_REGION', 'no AWS region given: pass --region, set AWS_REGION, or set a region in your AWS profile.', ['e.g. --region us-east-1']);
    }
    let image = opts.image;
    if (image === undefined && recorded === undefined && interactive && !location.sandbox) {
      const how = await askChoice('Which image should the service run?', [
        { name: "Build api/ with Docker and push it to the stack's ECR repository", value: 'build' },
        { name: 'An image that already exists (URI)', value: 'existing' },
      ]);
      if (how === 'existing') {
        image = await askValue('Image URI', {
          problem: imageProblem,
          hint: `type ${IMAGE_RULE}, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0`,
        });
      }
    }
    const config = resolveConfig({ stack, region, ...inputOf({ ...opts, ...(image === undefined ? {} : { image }) }) }, recorded?.config);

    const target = await connect({ ...opts, dataPlane: true, sandbox: location.sandbox, ...(location.endpointUrl === undefined ? {} : { endpointUrl: location.endpointUrl }), stack, region, manifestPath });
    closeTarget = () => target.close();
    // Credentials first: a plan is only shown when it can be carried out.
    await checkCredentials(target);
    // A sandbox endpoint with a data plane runs api/ itself: the image is its stand-in push, as with --sandbox.
    const dataPlane = target.sandbox ? undefined : await readDataPlane(target.endpoint);
    const source = imageSourceFor(config, target, dataPlane !== undefined);

    const interrupt = interruptOnSignals();
    try {
      const base = {
        config,
        clients: target.clients,
        manifestPath,
        signal: interrupt.signal,
        timing: target.timing,
        image: source,
        ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
      };
      const plan = await planUp(session, { ...base, events: () => undefined });
      const changes = planChangesSomething(plan);
      if (mode === 'json') process.stderr.write(`${JSON.stringify({ type: 'plan', at: Date.now(), plan: planSummary(plan) })}\n`);
      else process.stderr.write(formatPlan(plan));
      if (!changes) {
        const url = plan.observations['load-balancer']?.observed?.outputs['url'] ?? '';
        const checked = await verifyAtEnd(opts, target, manifestPath, url);
        finish(opts, plan, { stack, region, manifestPath, sandbox: Boolean(target.sandbox), endpoint: target.endpoint, url, nothing: true, ...checked });
        return;
      }
      if (!opts.yes && !(await confirm(plan, interactive, Boolean(target.sandbox)))) return;
      // Building needs Docker with buildx and the lockfile: find out before anything is created, not halfway.
      if (source.kind === 'build' && plan.steps.some((s) => s.id === 'image' && s.action !== 'none')) await ensureCanBuild(source.contextDir);

      const nodes = buildStackGraph(plan.config, source);
      const title = `three-tier up: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`;
      const result = await withProgress(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), title, plan.criticalPath.totalMs * target.timing.scale, (events) =>
        applyUp(session, plan, { ...base, events }),
      );
      const checked = await verifyAtEnd(opts, target, manifestPath, result.url);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ stack: result.stack, region, url: result.url, ...verifyJson(checked), sandbox: Boolean(target.sandbox), manifest: manifestPath, created: result.created, adopted: result.adopted, updated: result.updated, unchanged: result.unchanged, elapsedMs: result.elapsedMs })}\n`,
        );
        return;
      }
      finish(opts, plan, { stack, region, manifestPath, sandbox: Boolean(target.sandbox), endpoint: target.endpoint, url: result.url, nothing: false, elapsedMs: result.elapsedMs, ...checked });
    } finally {
      interrupt.dispose();
    }
  } finally {
    session.close();
    await closeTarget();
  }
}

/** Ask before a plan that changes something; without a terminal, say that --yes is needed. */
async function confirm(plan: UpPlan, interactive: boolean, sandbox: boolean): Promise<boolean> {
  const creating = plan.steps.some((s) => s.action === 'create');
  const verb = plan.existing ? (plan.changes.length > 0 ? 'Change' : 'Continue') : 'Create';
  if (!interactive) {
    throw usageError(
      'CONFIRMATION_NEEDED',
      sandbox
        ? `up needs a confirmation and there is no terminal to ask: add --yes.`
        : `up ${creating ? 'creates' : 'changes'} billed AWS resources (about $${plan.cost.monthly.toFixed(0)}/month) and there is no terminal to confirm it: add --yes.`,
      sandbox ? [] : ['or rehearse for free with --sandbox'],
    );
  }
  const where = sandbox ? 'in the sandbox (simulated, free)' : `in ${plan.region}`;
  const billed = sandbox || !creating ? '' : ' It is billed from now on.';
  if (await askConfirm(`${verb} stack "${plan.stack}" ${where}?${billed}`)) return true;
  process.stderr.write('Nothing was changed.\n');
  return false;
}

/** What the end of up found: the URL that answers on this machine (a sandbox's data plane), and verify's report. */
export interface Checked {
  localUrl?: string;
  report?: VerifyReport;
  /** Why verify did not run. */
  skipped?: string;
}

/** Unless --no-verify: prove the tiers through the URL (exit 3 when a tier fails); a sandbox without data plane skips. */
export async function verifyAtEnd(opts: { verify?: boolean; json?: boolean }, target: AwsTarget, manifestPath: string, url: string): Promise<Checked> {
  const where = url === '' ? { skipped: 'the stack has no load balancer URL' } : await publicUrl(target, url);
  const localUrl = 'url' in where && where.url !== url ? where.url : undefined;
  if (opts.verify === false) return { ...(localUrl ? { localUrl } : {}), skipped: 'not run (--no-verify)' };
  if ('skipped' in where) return { skipped: where.skipped };
  const out = await verifyOpened(target, readManifest(manifestPath), url, Boolean(opts.json));
  if ('skipped' in out) return { skipped: out.skipped };
  if (!out.ok) exitWith(ExitCode.unhealthy);
  return { ...(localUrl ? { localUrl } : {}), report: out };
}

export function verifyJson(c: Checked): Record<string, unknown> {
  return { ...(c.localUrl ? { localUrl: c.localUrl } : {}), verify: c.report ?? { skipped: c.skipped ?? 'not run' } };
}

interface Outcome extends Checked {
  stack: string;
  region: string;
  manifestPath: string;
  sandbox: boolean;
  endpoint: string | undefined;
  url: string;
  nothing: boolean;
  elapsedMs?: number;
}

function finish(opts: UpOptions, plan: UpPlan, o: Outcome): void {
  if (opts.json) {
    if (o.nothing) {
      const ids = plan.steps.map((s) => s.id);
      process.stdout.write(`${JSON.stringify({ stack: o.stack, region: o.region, url: o.url, ...verifyJson(o), sandbox: o.sandbox, manifest: o.manifestPath, created: [], adopted: [], updated: [], unchanged: ids, elapsedMs: 0 })}\n`);
    }
    return;
  }
  const flags = stackFlags(o.stack, opts, { sandbox: o.sandbox, endpoint: o.sandbox ? undefined : o.endpoint, region: o.region });
  const head = o.nothing ? `Stack "${o.stack}" is complete; nothing changed.` : `Stack "${o.stack}" is up (${((o.elapsedMs ?? 0) / 1000).toFixed(1)} s).`;
  const tryIt = o.localUrl
    ? `The sandbox's data plane serves the load balancer (${o.url}) at ${o.localUrl}${o.sandbox ? ' until this command ends (for a URL that stays, run `three-tier sandbox --data-plane-postgres URL --data-plane-redis URL` and up --endpoint-url)' : ''}.\nTry it:       curl ${o.localUrl}/items\n`
    : o.sandbox
      ? `The URL is simulated (sandbox); on AWS you would try: curl ${o.url}/items\n`
      : o.endpoint !== undefined
        ? `The stack lives behind ${o.endpoint}; its URL is whatever that endpoint simulates: ${o.url}\n`
        : `Try it:       curl ${o.url}/items\n`;
  const verified = o.report ? formatVerdict(o.report) : o.skipped && !o.skipped.startsWith('not run') ? `Verify skipped: ${o.skipped}\n` : '';
  process.stderr.write(`${head}\nManifest: ${o.manifestPath}\n${verified}${tryIt}Status:       npx three-tier status ${flags}\nVerify:       npx three-tier verify ${flags}\nTear it down: npx three-tier destroy ${flags}\n`);
  process.stdout.write(`${o.localUrl ?? o.url}\n`);
}
