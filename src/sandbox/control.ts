import { z } from 'zod';
import { ResourceType, type ImageData } from './model.js';
import { configBlob, stageImage } from './images.js';
import { AwsError } from './errors.js';
import type { World } from './world.js';

/**
 * Routes outside the AWS namespace, for tests, benchmarks and users. Their paths and shapes are a stable contract
 * (docs/sandbox.md):
 *   GET  /_sandbox/resources   every resource, with service, type, id, state and tags
 *   GET  /_sandbox/calls       AWS calls served since the last reset, per operation, with a total
 *   POST /_sandbox/reset       forget everything
 *   GET  /_sandbox/faults      the fault settings;  POST: change them (partial JSON)
 *   POST /_sandbox/images      stage an image in the simulated ECR {repository, tag, architecture, format?}
 *   GET  /_sandbox/blobs/REPO/DIGEST   an image config blob (what GetDownloadUrlForLayer points at)
 *   GET  /_sandbox/offerings   what each zone id does not offer;  POST: replace it {"use1-az2": ["db.t4g.micro"]}
 */
export interface ControlAnswer {
  status: number;
  body: unknown;
}

const faultsSchema = z
  .object({
    throttleRate: z.number().min(0).max(1),
    errorRate: z.number().min(0).max(1),
    consistencyWindowMs: z.number().int().min(0),
    freshIdWindowMs: z.number().int().min(0),
    iamPropagationUses: z.number().int().min(0).max(100),
    eniLingerMs: z.number().int().min(0).nullable(),
    seed: z.number().int(),
    latencyMs: z.number().int().min(0).max(60_000),
  })
  .partial()
  .strict();

/** Zone id -> what it does not offer: DB classes (db.*) and cache node types (cache.*). */
const unofferedSchema = z.record(
  z.string(),
  z.array(z.string().regex(/^(?:db|cache)\.[a-z0-9]+\.[a-z0-9]+$/, 'a DB class (db.t4g.micro) or a cache node type (cache.t4g.micro)')),
);

const imageSchema = z
  .object({
    repository: z.string().min(2).max(256),
    tag: z.string().min(1).max(300),
    architecture: z.enum(['amd64', 'arm64']),
    format: z.enum(['index', 'manifest']).optional(),
  })
  .strict();

function parseJson(body: string): unknown {
  try {
    return body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return Symbol.for('invalid');
  }
}

function invalid(message: string): ControlAnswer {
  return { status: 400, body: { error: message } };
}

export async function handleControl(world: World, method: string, url: URL, body: string, _endpoint: string): Promise<ControlAnswer> {
  const path = url.pathname;
  if (method === 'GET' && path === '/_sandbox/resources') {
    return {
      status: 200,
      body: {
        resources: world.all().map((r) => ({ service: r.service, type: r.type, id: r.id, state: r.state, tags: r.tags })),
      },
    };
  }
  if (method === 'GET' && path === '/_sandbox/calls') {
    const operations: Record<string, number> = {};
    let total = 0;
    for (const [k, n] of [...world.calls.entries()].sort()) {
      operations[k] = n;
      total += n;
    }
    return { status: 200, body: { total, operations } };
  }
  if (method === 'POST' && path === '/_sandbox/reset') {
    world.reset();
    return { status: 200, body: { reset: true } };
  }
  if (path === '/_sandbox/faults' && (method === 'GET' || method === 'POST')) {
    if (method === 'POST') {
      const parsed = faultsSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(`invalid faults: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
      const update = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
      world.setFaults(update);
    }
    return { status: 200, body: { faults: world.config.faults } };
  }
  if (path === '/_sandbox/offerings' && (method === 'GET' || method === 'POST')) {
    if (method === 'POST') {
      const parsed = unofferedSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(`invalid offerings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
      const badZone = Object.keys(parsed.data).find((k) => !/^[a-z]+\d+-az\d+$/.test(k));
      if (badZone !== undefined) return invalid(`invalid offerings: ${badZone} is not a zone id (such as use1-az2)`);
      world.setUnoffered(parsed.data);
    }
    return { status: 200, body: { unoffered: world.config.unoffered } };
  }
  if (method === 'POST' && path === '/_sandbox/images') {
    const parsed = imageSchema.safeParse(parseJson(body));
    if (!parsed.success) return invalid(`invalid image: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    try {
      const { format, ...rest } = parsed.data;
      const image = stageImage(world, format === undefined ? rest : { ...rest, format });
      return { status: 201, body: { repository: image.data.repositoryName, digest: image.data.digest, tags: image.data.tags, architecture: image.data.architecture } };
    } catch (e) {
      if (e instanceof AwsError) return { status: 404, body: { error: e.message, code: e.code } };
      throw e;
    }
  }
  const blob = /^\/_sandbox\/blobs\/(.+)\/(sha256:[0-9a-f]{64})$/.exec(path);
  if (method === 'GET' && blob) {
    const [, repository, digest] = blob;
    const image = world
      .list<ImageData>(ResourceType.ecrImage)
      .find((i) => i.data.repositoryName === repository && i.data.configDigest === digest);
    if (!image) return { status: 404, body: { error: `no blob ${digest} in ${repository}` } };
    return { status: 200, body: JSON.parse(configBlob(image.data)) };
  }
  return { status: 404, body: { error: `no sandbox route ${method} ${path}` } };
}
