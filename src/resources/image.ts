import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ThreeTierError } from '../errors.js';
import { isAwsError } from '../aws/errors.js';
import { CONTAINER_NAME, stackNames } from '../names.js';
import type { AwsClients } from '../aws/clients.js';
import type { Identity, NodeContext } from '../engine/kind.js';
import { checkImageInGraph, describeSource, digestOf, imageExists, parseEcrUri, platformOf, stageSandboxImage, type ImageSource } from '../image.js';
import { buildAndPush } from '../image-build.js';
import type { StackResourceKind } from './kind.js';
import { needOutput } from './common.js';

/** An image reference as the tasks will pull it: by digest when it is in ECR (a tag can move under a running service). */
export async function pinnedUri(clients: AwsClients, uri: string): Promise<string> {
  const ref = parseEcrUri(uri);
  if (!ref) return uri;
  const digest = await digestOf(clients, ref);
  return digest ? `${ref.host}/${ref.repository}@${digest}` : uri;
}

/**
 * The API image as a node of the graph: obtained from its source (an existing reference, a docker build pushed to
 * the stack's repository, or a sandbox stand-in for the push), resolved to a digest when it is in ECR, and checked
 * for the stack's CPU architecture BEFORE the service exists: an image that does not exist or was built for another
 * architecture fails here, not minutes later as stopped tasks. The identity is recorded only once the check passed,
 * so a failing image is never taken as done. Nothing to delete: the repository is deleted with its images.
 */
async function obtain(ctx: NodeContext, source: ImageSource): Promise<string> {
  switch (source.kind) {
    case 'existing':
      return pinnedUri(ctx.clients, source.uri);
    case 'sandbox-push': {
      const repository = needOutput(ctx, 'ecr-repository', 'name');
      const repositoryUri = needOutput(ctx, 'ecr-repository', 'uri');
      ctx.progress('waiting', `staging an ${platformOf(ctx.config.cpuArchitecture).oci} image in ${repository} (sandbox stand-in for docker push)`);
      await stageSandboxImage(source.endpoint, repository, 'sandbox', platformOf(ctx.config.cpuArchitecture).oci, ctx.signal);
      const ref = parseEcrUri(`${repositoryUri}:sandbox`);
      const digest = ref ? await digestOf(ctx.clients, ref) : undefined;
      return digest ? `${repositoryUri}@${digest}` : `${repositoryUri}:sandbox`;
    }
    case 'build':
      return buildAndPush(ctx.clients, {
        contextDir: source.contextDir,
        repositoryUri: needOutput(ctx, 'ecr-repository', 'uri'),
        architecture: ctx.config.cpuArchitecture,
        ...(source.docker ? { docker: source.docker } : {}),
        signal: ctx.signal,
        onStep: (step) => ctx.progress('waiting', step),
      });
  }
}

async function verify(ctx: NodeContext, uri: string, source: ImageSource): Promise<void> {
  ctx.progress('waiting', `reading the architecture of ${uri}`);
  const registry = source.kind === 'existing' ? source.registry : undefined;
  const check = await checkImageInGraph(ctx.clients, uri, ctx.config.cpuArchitecture, { signal: ctx.signal, ...(registry ? { registry } : {}) });
  if (!check.checked) ctx.events({ type: 'message', level: 'warn', text: check.note, at: Date.now() });
}

/** The image of the latest ACTIVE revision of the stack's task family, if there is one. */
async function deployedImage(ctx: NodeContext): Promise<string | undefined> {
  try {
    const out = await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: stackNames(ctx.config.stack).taskFamily }));
    return out.taskDefinition?.status === 'ACTIVE' ? out.taskDefinition.containerDefinitions?.find((c) => c.name === CONTAINER_NAME)?.image : undefined;
  } catch (err) {
    if (isAwsError(err, 'ClientException')) return undefined;
    throw err;
  }
}

export function imageKind(source: ImageSource | undefined): StackResourceKind {
  const wanted = source === undefined ? undefined : describeSource(source);
  const resolve = async (ctx: NodeContext): Promise<Identity> => {
    if (!source) {
      throw new ThreeTierError('IMAGE_SOURCE_MISSING', 'no image to deploy was given', {
        kind: 'usage',
        hints: ['pass --image URI, or run up where Docker can build api/'],
      });
    }
    const uri = await obtain(ctx, source);
    await verify(ctx, uri, source);
    const identity: Identity = { uri, source: describeSource(source), arch: ctx.config.cpuArchitecture };
    ctx.record({ identity });
    return identity;
  };
  return {
    kind: 'image',
    create: resolve,

    async read(ctx, identity) {
      const uri = identity['uri'] ?? '';
      if (wanted !== undefined && identity['source'] !== wanted) return { state: 'another image requested', ready: false, outputs: { uri } };
      if (identity['arch'] !== undefined && identity['arch'] !== ctx.config.cpuArchitecture) {
        return { state: `checked for ${identity['arch']}; the tasks now run ${ctx.config.cpuArchitecture}`, ready: false, outputs: { uri } };
      }
      const ref = parseEcrUri(uri);
      if (ref && (await imageExists(ctx.clients, ref)) === false) return undefined;
      return { state: ref ? 'in registry' : 'external', ready: true, outputs: { uri } };
    },

    /**
     * With a lost manifest: the image the stack's task definition already runs, if it is what the source gives
     * (the same reference, or an image of the stack's own repository for a build or a sandbox push) and still
     * exists. It passed the architecture check when it was first deployed.
     */
    async find(ctx) {
      if (!source) return undefined;
      const deployed = await deployedImage(ctx);
      if (!deployed) return undefined;
      let matches: boolean;
      if (source.kind === 'existing') {
        matches = deployed === source.uri || deployed === (await obtain(ctx, source));
      } else {
        const repositoryUri = ctx.outputsOf('ecr-repository')['uri'];
        const ref = parseEcrUri(deployed);
        matches = !!repositoryUri && deployed.startsWith(`${repositoryUri}@`) && ref !== undefined && (await imageExists(ctx.clients, ref)) === true;
      }
      return matches ? { uri: deployed, source: describeSource(source), arch: ctx.config.cpuArchitecture } : undefined;
    },
    findAll: async () => [],

    async waitReady(ctx, identity) {
      const otherArch = identity['arch'] !== undefined && identity['arch'] !== ctx.config.cpuArchitecture;
      if ((wanted !== undefined && identity['source'] !== wanted) || otherArch) return { uri: (await resolve(ctx))['uri'] ?? '' };
      return { uri: identity['uri'] ?? '' };
    },

    // The repository's force delete removes the images.
    async delete() {},
    async waitGone() {},
  };
}
