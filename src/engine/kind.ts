import type { Tag } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients.js';
import type { Timing } from '../aws/wait.js';
import type { StackConfig } from '../config.js';
import type { EventSink } from './events.js';
import type { ManifestResource } from './manifest.js';
import type { GraphNode } from './graph.js';

/**
 * The resource contract (DESIGN.md, "The resource contract"). One module per AWS resource kind implements it.
 * - create: all or nothing; records its identity (or idempotency token) through ctx.record the moment AWS answers,
 *   before any wait; tags on create: three-tier:stack and three-tier:resource (the logical id).
 * - read: the live state, or undefined when the resource is gone; never throws for "not found".
 * - find: the resource found by its tags or its name when the manifest lost it (adoption on resume).
 * - update: an in-place change of what the config asks for (optional; waitReady converges the rest).
 * - delete: done when the resource is gone or going; "already gone" is success; a failed delete means it still exists.
 * - waitReady / waitGone: bounded waits whose timeout error names the resource and its last state.
 */
export type Identity = Record<string, string>;
export type Outputs = Record<string, string>;

export interface Observed {
  /** The AWS state (available, pending, active, ...). */
  state: string;
  /** Whether this state is the finished, usable one. */
  ready: boolean;
  outputs: Outputs;
}

export interface NodeContext {
  /** This node's logical id. */
  id: string;
  config: StackConfig;
  clients: AwsClients;
  timing: Timing;
  signal: AbortSignal;
  /** Outputs of this node's dependencies (and of any node already done), by logical id. */
  outputsOf(id: string): Outputs;
  /** What the manifest knows of this node. */
  recorded(): Readonly<ManifestResource> | undefined;
  /** Write identity, token or outputs to the manifest now. */
  record(change: { identity?: Identity; token?: string; outputs?: Outputs }): void;
  /** The two tags every resource carries, in EC2's shape ({Key, Value}); other services map them. */
  tags(): Tag[];
  /** Report progress: what it waits for, or why it retries. */
  progress(phase: 'waiting' | 'retrying', detail: string): void;
  events: EventSink;
  /** destroy: keep the data of what holds data (a final snapshot of the database) before deleting it. */
  finalSnapshot: boolean;
  /** create: restore the data from this snapshot (resume of a deep pause: the cache from the snapshot pause took). */
  restoreFrom?: string;
}

export interface ResourceKind {
  /** The kind's name in the manifest and the progress (vpc, subnet, nat-gateway, ...). */
  kind: string;
  create(ctx: NodeContext): Promise<Identity>;
  read(ctx: NodeContext, identity: Identity): Promise<Observed | undefined>;
  find?(ctx: NodeContext): Promise<Identity | undefined>;
  /**
   * Change in place what differs between the live resource and what the config asks for (a task count, a DB class);
   * waitReady then waits until the change holds. Kinds without it converge in waitReady alone.
   */
  update?(ctx: NodeContext, identity: Identity): Promise<void>;
  delete(ctx: NodeContext, identity: Identity): Promise<void>;
  waitReady(ctx: NodeContext, identity: Identity): Promise<Outputs>;
  waitGone(ctx: NodeContext, identity: Identity): Promise<void>;
}

/** A node of the stack graph: a logical id, its kind, and what it needs. */
export interface StackNode extends GraphNode {
  kind: ResourceKind;
  /** Nodes started first when several are ready: the long poles (RDS, ElastiCache, NAT). */
  priority?: number;
  /** Real-AWS duration estimate (ms) for the plan and the critical-path figure. */
  estimateMs: number;
  /** Whether the resource is billed while it exists (the sweep after destroy looks for these). */
  billable?: boolean;
}

export const STACK_TAG = 'three-tier:stack';
export const RESOURCE_TAG = 'three-tier:resource';
