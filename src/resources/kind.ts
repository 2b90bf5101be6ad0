import type { Identity, NodeContext, ResourceKind } from '../engine/kind.js';
import { foundByName, notOwned, ownedOnly } from './ownership.js';

/**
 * The resource contract (src/engine/kind.ts) plus what destroy's sweep needs: every copy of this node's resource
 * that AWS holds, found by its tags or its derived name (a lost manifest or an interrupted create can leave more
 * than the one the manifest knows).
 */
export interface StackResourceKind extends ResourceKind {
  findAll(ctx: NodeContext): Promise<Identity[]>;
  /** What holds this node's derived name without being the stack's (no stack tag): up would collide with it. */
  foreign?(ctx: NodeContext): Promise<Identity[]>;
}

/**
 * A kind whose find is "the first of findAll". What findAll finds by a derived name counts only when it carries
 * the stack's tag (ownership.ts): up adopts, and destroy deletes, nothing of anyone else's.
 */
export function firstOf(kind: Omit<StackResourceKind, 'find'>): StackResourceKind {
  const findAll = async (ctx: NodeContext): Promise<Identity[]> => ownedOnly(ctx, kind.kind, await kind.findAll(ctx));
  const find = async (ctx: NodeContext): Promise<Identity | undefined> => (await findAll(ctx))[0];
  // EC2 kinds find by the stack's tag already: nothing of theirs can be foreign.
  if (!foundByName(kind.kind)) return { ...kind, findAll, find };
  const foreign = async (ctx: NodeContext): Promise<Identity[]> => notOwned(ctx, kind.kind, await kind.findAll(ctx));
  return { ...kind, findAll, foreign, find };
}
