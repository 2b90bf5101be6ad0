import { resolveConfig, type StackConfig } from '../config.js';
import type { Identity } from '../engine/kind.js';
import type { Manifest, ManifestResource } from '../engine/manifest.js';
import { buildStackGraph, type StackGraphNode } from '../stack.js';

/**
 * What the stack should be, against which status compares what AWS shows: the graph of its resources (src/stack.ts),
 * its settings, and what the manifest recorded of each (its AWS identity).
 *
 * `paused` holds the nodes that `three-tier pause` stopped or removed on purpose. Pause (issue 9) will record that in
 * the manifest; reading the record here is all status needs to show those nodes as paused, and never as drift or
 * as missing, with the lower burn rate.
 */
export interface Expected {
  config: StackConfig;
  nodes: StackGraphNode[];
  manifest: Manifest | undefined;
  paused: ReadonlySet<string>;
}

export function expectedShape(stack: string, region: string, manifest: Manifest | undefined): Expected {
  const config = manifest?.config ?? resolveConfig({ stack, region });
  return { config, nodes: buildStackGraph(config), manifest, paused: new Set() };
}

/** The manifest's record of a node, when it holds an AWS identity (a create that got its answer). */
export function recordedOf(e: Expected, id: string): (Readonly<ManifestResource> & { identity: Identity }) | undefined {
  const r = e.manifest?.resources[id];
  if (!r?.identity || !Object.values(r.identity).some((v) => v !== '')) return undefined;
  return r as Readonly<ManifestResource> & { identity: Identity };
}

export function recordedIdentity(e: Expected, id: string): Identity | undefined {
  return recordedOf(e, id)?.identity;
}

/** The AWS id of a recorded node, the first non-empty identity value, as the provisioner names it in events. */
export function recordedAwsId(e: Expected, id: string): string | undefined {
  const identity = recordedIdentity(e, id);
  return identity ? Object.values(identity).find((v) => v !== '') : undefined;
}
