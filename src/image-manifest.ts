/**
 * What an image manifest says about the platforms it runs on, read the same way whether it came from ECR
 * (BatchGetImage) or from another registry's v2 API: an index lists its platforms; a single manifest names a config
 * blob that holds the architecture; a schema 1 manifest carries it inline.
 */

/** The manifest types asked for: without them some registries answer 404 for an index (docs/aws-facts.md). */
export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export type ManifestPlatforms =
  /** An index: the Linux architectures it lists (attestation entries, unknown/unknown, are not platforms). */
  | { kind: 'index'; architectures: string[] }
  /** A single image: its architecture is in the config blob of this digest. */
  | { kind: 'single'; configDigest: string }
  /** Schema 1 (old registries): the architecture is in the manifest itself. */
  | { kind: 'inline'; architectures: string[] }
  | { kind: 'unreadable'; reason: string };

interface Manifest {
  schemaVersion?: number;
  architecture?: unknown;
  manifests?: { platform?: { architecture?: unknown; os?: unknown } }[];
  config?: { digest?: unknown };
}

export function readManifestPlatforms(text: string): ManifestPlatforms {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return { kind: 'unreadable', reason: 'the image manifest is not JSON' };
  }
  if (!manifest || typeof manifest !== 'object') return { kind: 'unreadable', reason: 'the image manifest is not a JSON object' };
  if (Array.isArray(manifest.manifests)) {
    const architectures = manifest.manifests
      .map((m) => m.platform)
      // Fargate runs Linux tasks: a windows/amd64 entry would not run either.
      .filter((p) => p !== undefined && p.os === 'linux' && typeof p.architecture === 'string' && p.architecture !== 'unknown')
      .map((p) => String(p?.architecture));
    return { kind: 'index', architectures: [...new Set(architectures)] };
  }
  if (typeof manifest.config?.digest === 'string') return { kind: 'single', configDigest: manifest.config.digest };
  if (manifest.schemaVersion === 1 && typeof manifest.architecture === 'string') return { kind: 'inline', architectures: [manifest.architecture] };
  return { kind: 'unreadable', reason: 'the image manifest names neither platforms nor a config' };
}

/** The architecture an image config blob declares, if it is a JSON object with one. */
export function configArchitecture(text: string): string | undefined {
  try {
    const config = JSON.parse(text) as { architecture?: unknown } | null;
    return typeof config?.architecture === 'string' ? config.architecture : undefined;
  } catch {
    return undefined;
  }
}
