import { fileURLToPath } from 'node:url';
import { resolveConfig, stackNameProblem, STACK_NAME_RULE } from '../../src/config.js';
import { usageError } from '../../src/errors.js';
import type { ImageSource } from '../../src/image.js';
import { ensureCanBuild } from '../../src/image-build.js';
import { plan, up } from '../../src/provisioner.js';
import { readManifest } from '../../src/engine/manifest.js';
import { buildStackGraph } from '../../src/stack.js';
import { checkCredentials, connect, defaultRegion, manifestPathFor, type CommonOptions } from '../aws-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { askChoice, askConfirm, askText, isInteractive } from '../prompts.js';
import { formatPlan } from '../render/plan.js';
import { outputMode, progressView } from '../render/progress.js';

export interface UpOptions extends CommonOptions {
  image?: string;
  vpcCidr?: string;
  arch?: string;
  tasks?: number;
}

/** The API image's build context: the root of this package, with package-lock.json and api/Dockerfile. */
function buildContextDir(): string {
  return fileURLToPath(new URL('../../..', import.meta.url));
}

async function gather(opts: UpOptions, interactive: boolean): Promise<{ stack: string; region: string; image: string | undefined }> {
  let stack = opts.stack;
  if (stack === undefined && interactive) {
    stack = await askText('Stack name', {
      default: 'demo',
      validate: (v) => {
        const p = stackNameProblem(v);
        return p ? `"${v}" ${p}; use ${STACK_NAME_RULE}` : true;
      },
    });
  }
  if (stack === undefined) throw usageError('MISSING_STACK', 'no stack name given: pass --stack NAME.', [`a name of ${STACK_NAME_RULE}, e.g. --stack demo`]);
  // A stack that exists keeps its region; otherwise the usual defaults.
  const recorded = readManifest(manifestPathFor(stack, opts.manifest));
  let region = opts.region ?? recorded?.region ?? (await defaultRegion(undefined, opts.sandbox === true));
  if (interactive && opts.region === undefined && recorded === undefined) region = await askText('AWS region', region === undefined ? {} : { default: region });
  if (region === undefined) {
    throw usageError('MISSING_REGION', 'no AWS region given: pass --region, set AWS_REGION, or set a region in your AWS profile.', ['e.g. --region us-east-1']);
  }
  let image = opts.image;
  if (image === undefined && interactive && !opts.sandbox) {
    const how = await askChoice('Which image should the service run?', [
      { name: 'Build api/ with Docker and push it to the stack\'s ECR repository', value: 'build' },
      { name: 'An image that already exists (URI)', value: 'existing' },
    ]);
    if (how === 'existing') image = await askText('Image URI (REGISTRY/REPOSITORY:TAG or @sha256:DIGEST)');
  }
  return { stack, region, image };
}

export async function runUp(opts: UpOptions): Promise<void> {
  const interactive = isInteractive(opts);
  const mode = outputMode(opts);
  const { stack, region, image } = await gather(opts, interactive);
  const config = resolveConfig({ stack, region, image, vpcCidr: opts.vpcCidr, cpuArchitecture: opts.arch, desiredCount: opts.tasks });
  const manifestPath = manifestPathFor(stack, opts.manifest);

  const contextDir = buildContextDir();
  const planned = plan({ config, manifestPath, ...(image === undefined ? {} : { image: { kind: 'existing', uri: image } }) });
  if (mode !== 'json') process.stderr.write(formatPlan(planned));
  if (!opts.yes) {
    if (!interactive) {
      throw usageError(
        'CONFIRMATION_NEEDED',
        opts.sandbox
          ? 'up needs a confirmation and there is no terminal to ask: add --yes.'
          : `up creates billed AWS resources (about $${planned.cost.monthly.toFixed(0)}/month) and there is no terminal to confirm it: add --yes.`,
        opts.sandbox ? [] : ['or rehearse for free with --sandbox'],
      );
    }
    if (!(await askConfirm(opts.sandbox ? `Create stack "${stack}" in the sandbox (simulated, free)?` : `Create stack "${stack}" in ${region}? It is billed from now on.`))) {
      process.stderr.write('Nothing was changed.\n');
      return;
    }
  }

  // Building needs Docker with buildx and the lockfile: find out before anything is created, not halfway.
  if (image === undefined && !opts.sandbox) await ensureCanBuild(contextDir);
  const target = await connect({ ...opts, stack, region, manifestPath });
  const interrupt = interruptOnSignals();
  try {
    await checkCredentials(target);
    let source: ImageSource;
    if (image !== undefined) source = { kind: 'existing', uri: image };
    else if (target.sandbox) source = { kind: 'sandbox-push', endpoint: target.sandbox.endpoint };
    else source = { kind: 'build', contextDir };

    const nodes = buildStackGraph(config, source);
    const view = progressView(mode, nodes.map((n) => ({ id: n.id, kind: n.kind.kind })), `three-tier up: ${stack} (${region}${target.sandbox ? ', sandbox' : ''})`);
    let result;
    try {
      result = await up({
        config,
        clients: target.clients,
        manifestPath,
        events: view.sink,
        signal: interrupt.signal,
        timing: target.timing,
        image: source,
        ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
      });
    } finally {
      await view.stop();
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ stack: result.stack, region, url: result.url, sandbox: Boolean(target.sandbox), manifest: manifestPath, created: result.created, adopted: result.adopted, unchanged: result.unchanged, elapsedMs: result.elapsedMs })}\n`);
      return;
    }
    const nothing = result.created.length === 0 && result.adopted.length === 0;
    const flags = `--stack ${stack}${opts.manifest ? ` --manifest ${opts.manifest}` : ''}${target.sandbox ? ' --sandbox' : ` --region ${region}`}`;
    process.stderr.write(
      `${nothing ? `Stack "${stack}" is complete; nothing changed.` : `Stack "${stack}" is up (${(result.elapsedMs / 1000).toFixed(1)} s).`}\n` +
        `Manifest: ${manifestPath}\n` +
        (target.sandbox || target.endpoint !== undefined
          ? `The URL is simulated (${target.sandbox ? 'sandbox' : target.endpoint}); on AWS you would try: curl ${result.url}/items\n`
          : `Try it:       curl ${result.url}/items\n`) +
        `Tear it down: npx three-tier destroy ${flags}\n`,
    );
    process.stdout.write(`${result.url}\n`);
  } finally {
    interrupt.dispose();
    await target.close();
  }
}
