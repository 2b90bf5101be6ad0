import type { Identity, NodeContext, ResourceKind } from '../engine/kind.js';

/**
 * The resource contract (src/engine/kind.ts) plus what destroy's sweep needs: every copy of this node's resource
 * that AWS holds, found by its tags or its derived name (a lost manifest or an interrupted create can leave more
 * than the one the manifest knows).
 */
export interface StackResourceKind extends ResourceKind {
  findAll(ctx: NodeContext): Promise<Identity[]>;
}

/** A kind whose find is "the first of findAll". */
export function firstOf(kind: Omit<StackResourceKind, 'find'>): StackResourceKind {
  return { ...kind, find: async (ctx) => (await kind.findAll(ctx))[0] };
}
