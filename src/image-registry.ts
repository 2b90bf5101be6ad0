import { createHash } from 'node:crypto';
import { interrupted } from './aws/wait.js';
import { ACCEPTED_MEDIA_TYPES, configArchitecture, readManifestPlatforms } from './image-manifest.js';

/**
 * An image outside ECR (Docker Hub, GHCR, public.ecr.aws, ...) read through the registry's v2 API, as the tasks
 * will pull it: anonymously. A 401 answer names a token service (WWW-Authenticate: Bearer realm, service, scope),
 * whose anonymous token for `repository:NAME:pull` then reads the manifest; an index lists its platforms, a single
 * manifest names a config blob holding the architecture (docs/aws-facts.md, "Images: registries outside ECR").
 * Every outcome that is not an answer (no network, a timeout, a refusal) says so: the caller reports the image as
 * not checked and never guesses.
 */

/** Where the registries are. Only tests change it, to a fake registry on loopback. */
export interface RegistryAccess {
  /** The base URL of a registry host's API: https://HOST for every real registry. */
  baseUrl(host: string): string;
  /** How long the whole check may take, ms. */
  timeoutMs: number;
}

export const PUBLIC_REGISTRIES: RegistryAccess = { baseUrl: (host) => `https://${host}`, timeoutMs: 10_000 };

export interface ImageReference {
  /** The registry as users write it (docker.io for Docker Hub). */
  registry: string;
  /** The host whose /v2/ API serves it (registry-1.docker.io for Docker Hub). */
  apiHost: string;
  /** The repository's full name (library/nginx for nginx). */
  repository: string;
  /** What the manifest is asked by: the digest if there is one, else the tag. */
  reference: string;
  digest?: string;
}

/** Docker's rules: a first component with a dot or a port, or `localhost`, is a registry; else it is Docker Hub. */
export function parseImageReference(uri: string): ImageReference {
  const at = uri.indexOf('@');
  const nameAndTag = at >= 0 ? uri.slice(0, at) : uri;
  const digest = at >= 0 ? uri.slice(at + 1) : undefined;
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : 'latest';
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  const ref: ImageReference = { registry, apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry, repository, reference: digest ?? tag };
  if (digest) ref.digest = digest;
  return ref;
}

export type RegistryAnswer =
  | { found: true; architectures: string[] }
  /** The registry says the repository, tag or digest does not exist. */
  | { found: false; missing: true; reason: string }
  /** No answer to go by: unreachable, too slow, refused, or unreadable. */
  | { found: false; missing: false; reason: string };

/** The largest manifest or config read (the OCI distribution spec lets registries refuse manifests over 4 MiB). */
const MAX_BODY = 4 * 1024 * 1024;
const MAX_REDIRECTS = 3;

/** An answer that ends the check early: thrown through the fetch helpers, caught in readRegistryImage, never further. */
class Stop extends Error {
  constructor(readonly answer: RegistryAnswer) {
    super(answer.found ? 'found' : answer.reason);
  }
}

function notChecked(reason: string): Stop {
  return new Stop({ found: false, missing: false, reason });
}

function sha256(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

async function readCapped(res: Response, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY) {
      await reader.cancel();
      throw notChecked(`its ${what} is larger than ${MAX_BODY / 1024 / 1024} MiB`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function challengeOf(res: Response): Record<string, string> | undefined {
  const header = res.headers.get('www-authenticate') ?? '';
  if (!/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
  return params['realm'] ? params : undefined;
}

/** One registry conversation: the anonymous pull token is fetched at the first 401 and reused. */
class RegistrySession {
  private token: string | undefined;

  constructor(
    private readonly ref: ImageReference,
    private readonly base: URL,
    private readonly signal: AbortSignal,
  ) {}

  /** GET a /v2/ path, following redirects by hand so the token never goes to another origin (blob stores). */
  async get(path: string, accept?: string): Promise<Response> {
    let url = new URL(path, this.base);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = {};
      if (accept) headers['accept'] = accept;
      if (this.token && url.origin === this.base.origin) headers['authorization'] = `Bearer ${this.token}`;
      let res = await fetch(url, { headers, redirect: 'manual', signal: this.signal });
      if (res.status === 401 && this.token === undefined && url.origin === this.base.origin) {
        const challenge = challengeOf(res);
        if (!challenge) throw notChecked(`${this.ref.registry} asks for credentials (HTTP 401 without a token service): the tasks pull without credentials`);
        await res.body?.cancel();
        this.token = await this.anonymousToken(challenge);
        headers['authorization'] = `Bearer ${this.token}`;
        res = await fetch(url, { headers, redirect: 'manual', signal: this.signal });
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url);
        continue;
      }
      return res;
    }
    throw notChecked(`${this.ref.registry} redirected more than ${MAX_REDIRECTS} times`);
  }

  private async anonymousToken(challenge: Record<string, string>): Promise<string> {
    const realm = new URL(challenge['realm'] ?? '');
    // A registry may not send the token request to a weaker scheme than the registry's own.
    if (realm.protocol !== 'https:' && realm.protocol !== this.base.protocol) throw notChecked(`${this.ref.registry} names a token service that is not https (${realm.origin})`);
    if (challenge['service']) realm.searchParams.set('service', challenge['service']);
    realm.searchParams.set('scope', `repository:${this.ref.repository}:pull`);
    const res = await fetch(realm, { redirect: 'follow', signal: this.signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw notChecked(`${this.ref.registry}'s token service refused an anonymous pull token (HTTP ${res.status}): the image is private, and the tasks pull without credentials`);
    }
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse((await readCapped(res, 'token answer')).toString('utf8')) as typeof body;
    } catch {
      throw notChecked(`${this.ref.registry}'s token service answered something that is not JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw notChecked(`${this.ref.registry}'s token service answered without a token`);
    return token;
  }
}

function refusal(ref: ImageReference, res: Response): Stop {
  const name = `${ref.repository}:${ref.reference}`;
  if (res.status === 404) return new Stop({ found: false, missing: true, reason: `${ref.registry} has no image ${name} (HTTP 404)` });
  if (res.status === 401 || res.status === 403) {
    return notChecked(`${ref.registry} refused anonymous access to ${ref.repository} (HTTP ${res.status}): the image is private or does not exist, and the tasks pull without credentials`);
  }
  if (res.status === 429) return notChecked(`${ref.registry} is rate-limiting anonymous pulls from this address (HTTP 429)`);
  return notChecked(`${ref.registry} answered HTTP ${res.status} for ${name}`);
}

async function readImage(session: RegistrySession, ref: ImageReference): Promise<RegistryAnswer> {
  const manifestRes = await session.get(`/v2/${ref.repository}/manifests/${ref.reference}`, ACCEPTED_MEDIA_TYPES.join(', '));
  if (manifestRes.status !== 200) {
    await manifestRes.body?.cancel();
    throw refusal(ref, manifestRes);
  }
  const manifest = await readCapped(manifestRes, 'manifest');
  if (ref.digest && sha256(manifest) !== ref.digest) throw notChecked(`${ref.registry} answered a manifest whose digest is not ${ref.digest}`);
  const platforms = readManifestPlatforms(manifest.toString('utf8'));
  switch (platforms.kind) {
    case 'index':
    case 'inline':
      return { found: true, architectures: platforms.architectures };
    case 'unreadable':
      throw notChecked(platforms.reason);
    case 'single': {
      const blobRes = await session.get(`/v2/${ref.repository}/blobs/${platforms.configDigest}`);
      if (blobRes.status !== 200) {
        await blobRes.body?.cancel();
        throw notChecked(`the image config could not be read (HTTP ${blobRes.status})`);
      }
      const blob = await readCapped(blobRes, 'config');
      if (sha256(blob) !== platforms.configDigest) throw notChecked('the image config does not match its digest');
      const architecture = configArchitecture(blob.toString('utf8'));
      return { found: true, architectures: architecture ? [architecture] : [] };
    }
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Read the architectures of an image outside ECR from its registry. Throws only when `signal` interrupts it. */
export async function readRegistryImage(uri: string, access: RegistryAccess, signal?: AbortSignal): Promise<RegistryAnswer> {
  const ref = parseImageReference(uri);
  const budget = AbortSignal.timeout(access.timeoutMs);
  const session = new RegistrySession(ref, new URL(access.baseUrl(ref.apiHost)), signal ? AbortSignal.any([signal, budget]) : budget);
  try {
    return await readImage(session, ref);
  } catch (err) {
    if (signal?.aborted) throw interrupted();
    if (err instanceof Stop) return err.answer;
    if (budget.aborted) return { found: false, missing: false, reason: `${ref.registry} did not answer within ${access.timeoutMs / 1000} s` };
    return { found: false, missing: false, reason: `${ref.registry} could not be reached (${causeOf(err)})` };
  }
}
