import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake container registry on loopback, speaking the parts of the OCI distribution API that three-tier reads:
 * GET /v2/NAME/manifests/REF (tag or digest, Accept honoured), GET /v2/NAME/blobs/DIGEST (a redirect to a blob store
 * on another origin that, like S3, refuses a request that carries an Authorization header), and the token service
 * (anonymous `repository:NAME:pull` tokens; 401 with WWW-Authenticate: Bearer realm/service/scope without one).
 * It is a test double of remote registries (Docker Hub, GHCR, ...) which have no counterpart on this machine.
 */
export interface FakeImage {
  repository: string;
  tag: string;
  architectures: string[];
  /** `index`: an OCI index listing each architecture and an attestation entry; `single`: one Docker v2 manifest. */
  format: 'index' | 'single';
}

export interface RecordedRequest {
  server: 'registry' | 'blobs';
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
}

export interface FakeRegistry {
  url: string;
  requests: RecordedRequest[];
  /** The digest of an image's manifest (what `NAME@DIGEST` names). */
  digestOf(repository: string, tag: string): string;
  /** Make `repository@digest` answer with another image's manifest (a registry that lies). */
  alias(repository: string, digest: string, servedTag: string): void;
  close(): Promise<void>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const SERVICE = 'fake.registry';

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function fakeRegistry(images: FakeImage[], options: { private?: string[] } = {}): Promise<FakeRegistry> {
  const blobs = new Map<string, string>();
  /** `repository@tag-or-digest` -> [media type, body]. */
  const manifests = new Map<string, [string, string]>();
  const requests: RecordedRequest[] = [];
  for (const image of images) {
    const singles = image.architectures.map((architecture) => {
      const config = JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
      blobs.set(sha256(config), config);
      return {
        architecture,
        body: JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) }, layers: [] }),
      };
    });
    let entry: [string, string];
    if (image.format === 'single') {
      entry = [DOCKER_MANIFEST, singles[0]?.body ?? '{}'];
    } else {
      const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: singles.flatMap((s) => [
          { mediaType: DOCKER_MANIFEST, digest: sha256(s.body), size: s.body.length, platform: { architecture: s.architecture, os: 'linux' } },
          { mediaType: DOCKER_MANIFEST, digest: sha256(`${s.body}:attestation`), size: 10, platform: { architecture: 'unknown', os: 'unknown' } },
        ]),
      };
      entry = [OCI_INDEX, JSON.stringify(index)];
    }
    manifests.set(`${image.repository}@${image.tag}`, entry);
    manifests.set(`${image.repository}@${sha256(entry[1])}`, entry);
  }

  const blobServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ server: 'blobs', path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    if (req.headers.authorization) {
      res.writeHead(400, { 'content-type': 'application/xml' }).end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
      return;
    }
    const body = blobs.get((req.url ?? '').replace(/^\/blob\//, ''));
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  const blobUrl = await listen(blobServer);

  let registryUrl = '';
  const registryServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ server: 'registry', path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    const url = new URL(req.url ?? '/', registryUrl);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      const name = /^repository:(.+):pull$/.exec(scope)?.[1];
      if (url.searchParams.get('service') !== SERVICE || !name) return json(400, { errors: [{ code: 'UNSUPPORTED' }] });
      return json(200, { token: `anon-${name}`, expires_in: 300 });
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return json(404, { errors: [{ code: 'NOT_FOUND' }] });
    const [, name = '', kind, ref = ''] = m;
    const challenge = `Bearer realm="${registryUrl}/token",service="${SERVICE}",scope="repository:${name}:pull"`;
    if (req.headers.authorization !== `Bearer anon-${name}`) return json(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': challenge });
    // An anonymous token grants nothing on a private repository (Docker Hub answers the same for one that does not exist).
    if (options.private?.includes(name)) return json(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `${challenge},error="insufficient_scope"` });
    if (kind === 'blobs') {
      if (!blobs.has(ref)) return json(404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
      res.writeHead(307, { location: `${blobUrl}/blob/${ref}` }).end();
      return undefined;
    }
    const found = manifests.get(`${name}@${ref}`);
    // A registry answers only in a media type the client accepts.
    if (!found || !(req.headers.accept ?? '').includes(found[0])) return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    res.writeHead(200, { 'content-type': found[0], 'docker-content-digest': sha256(found[1]) }).end(found[1]);
    return undefined;
  });
  registryUrl = await listen(registryServer);

  return {
    url: registryUrl,
    requests,
    digestOf: (repository, tag) => sha256(manifests.get(`${repository}@${tag}`)?.[1] ?? ''),
    alias: (repository, digest, servedTag) => {
      const served = manifests.get(`${repository}@${servedTag}`);
      if (served) manifests.set(`${repository}@${digest}`, served);
    },
    close: async () => {
      await Promise.all(
        [registryServer, blobServer].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
