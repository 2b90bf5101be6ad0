import { resolveConfig, type StackConfig } from '../config.js';
import type { Identity } from '../engine/kind.js';
import type { Manifest, ManifestResource } from '../engine/manifest.js';
import { buildStackGraph, type StackGraphNode } from '../stack.js';

/**
 * What the stack should be, against which status compares what AWS shows: the graph of its resources (src/stack.ts),
 * its settings, and what the manifest recorded of each (its AWS identity).
 *
 * While the manifest records a pause (`paused`, written by `three-tier pause`), what pause takes down is expected to
 * be down: the NAT gateway and its address (so the private subnets have no default route), the service's tasks
 * (desired count 0) and the database (stopped, not deleted); `--deep` also the load balancer with its listener and
 * the cache. Those show as paused, never as drift or as missing, and cost nothing.
 */
export interface Expected {
  config: StackConfig;
  nodes: StackGraphNode[];
  manifest: Manifest | undefined;
  /** Nodes a pause took down on purpose. */
  paused: ReadonlySet<string>;
  /** The service's desired count the stack asks for now: 0 while paused. */
  desiredCount: number;
}

const PAUSED = ['nat-gateway', 'nat-eip', 'database', 'ecs-service'];
const DEEP_PAUSED = ['load-balancer', 'listener', 'cache'];

export function expectedShape(stack: string, region: string, manifest: Manifest | undefined): Expected {
  const config = manifest?.config ?? resolveConfig({ stack, region });
  const pause = manifest?.paused;
  const paused = new Set(pause ? [...PAUSED, ...(pause.deep ? DEEP_PAUSED : [])] : []);
  return { config, nodes: buildStackGraph(config), manifest, paused, desiredCount: pause ? 0 : config.desiredCount };
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
