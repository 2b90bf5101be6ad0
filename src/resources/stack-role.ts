import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { iamRoleName, REGION_TAG } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, orGone, retryOn, waitFor } from './common.js';

/**
 * An IAM role of the stack that ECS tasks assume, held to exactly what the stack asks: its trust policy, one inline
 * policy, and nothing else (no managed policy, no other inline policy). `read` says whether it holds; `waitReady`
 * converges a role made by an earlier version or changed by hand: trust first, then the wanted policy, then what
 * must go (so a running stack never loses a permission it still uses).
 */
export type PolicyDocument = { Version: '2012-10-17'; Statement: Record<string, unknown>[] };

export interface RoleSpec {
  purpose: 'task-execution' | 'task';
  description: string;
  policyName(ctx: NodeContext): string;
  /** The trust policy (needs nothing but the config). */
  trust(ctx: NodeContext): PolicyDocument;
  /** The inline policy, or undefined while an input it names is not known yet (read-only planning). */
  policy(ctx: NodeContext, strict: boolean): PolicyDocument | undefined;
}

/** IAM returns policy documents URL-encoded. */
export function decodePolicy(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    return undefined;
  }
}

const LIST_KEYS = new Set(['Action', 'NotAction', 'Resource', 'NotResource', 'Statement']);

/** A document in a form where equal policies compare equal: keys sorted, one-element lists as lists, lists sorted. */
export function canonicalPolicy(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonicalPolicy(x));
    return items.map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as unknown);
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonicalPolicy((v as Record<string, unknown>)[k], k)]),
    );
  }
  if (LIST_KEYS.has(key) && typeof v === 'string') return [v];
  return v;
}

export function samePolicy(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(canonicalPolicy(a)) === JSON.stringify(canonicalPolicy(b));
}

async function getRole(ctx: NodeContext, name: string): Promise<Role | undefined> {
  return orGone(async () => (await ctx.clients.iam.send(new GetRoleCommand({ RoleName: name }))).Role);
}

interface RoleState {
  role: Role;
  trustOk: boolean;
  managed: string[];
  /** Inline policies other than the wanted one. */
  otherInline: string[];
  policyOk: boolean;
}

async function inspect(ctx: NodeContext, spec: RoleSpec, name: string): Promise<RoleState | undefined> {
  const role = await getRole(ctx, name);
  if (!role) return undefined;
  const attached = await ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  const inline = await ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName: name }));
  const policyName = spec.policyName(ctx);
  const want = spec.policy(ctx, false);
  let policyOk = false;
  if (want && (inline.PolicyNames ?? []).includes(policyName)) {
    const have = await orGone(() => ctx.clients.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })));
    policyOk = samePolicy(decodePolicy(have?.PolicyDocument), want);
  }
  return {
    role,
    trustOk: samePolicy(decodePolicy(role.AssumeRolePolicyDocument), spec.trust(ctx)),
    managed: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''),
    otherInline: (inline.PolicyNames ?? []).filter((p) => p !== policyName),
    policyOk,
  };
}

function stateOf(s: RoleState): { state: string; ready: boolean } {
  if (!s.trustOk) return { state: 'trust policy differs', ready: false };
  if (!s.policyOk) return { state: 'inline policy missing or stale', ready: false };
  if (s.managed.length > 0) return { state: `managed policy attached (${s.managed.join(', ')})`, ready: false };
  if (s.otherInline.length > 0) return { state: `other inline policies (${s.otherInline.join(', ')})`, ready: false };
  return { state: 'active', ready: true };
}

function outputsOf(role: Role): Outputs {
  return { arn: role.Arn ?? '', name: role.RoleName ?? '' };
}

/** IAM is eventually consistent: a call on a role made a moment ago may answer NoSuchEntity. */
const fresh = { retryable: (err: unknown) => isAwsError(err, 'NoSuchEntityException', 'NoSuchEntity') };

export function stackRoleKind(spec: RoleSpec): StackResourceKind {
  const nameOf = (ctx: NodeContext): string => iamRoleName(ctx.config.stack, ctx.config.region, spec.purpose);
  return firstOf({
    kind: 'iam-role',

    async create(ctx) {
      const name = nameOf(ctx);
      let role: Role | undefined;
      try {
        const out = await ctx.clients.iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify(spec.trust(ctx)),
            Description: `three-tier ${ctx.config.stack}: ${spec.description}`,
            Tags: [...keyValueTags(ctx), { Key: REGION_TAG, Value: ctx.config.region }],
          }),
        );
        role = out.Role;
      } catch (err) {
        if (!isAwsError(err, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw err;
        role = await getRole(ctx, name);
      }
      const identity: Identity = { name, arn: role?.Arn ?? '' };
      // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
      await assertOwned(ctx, 'iam-role', identity);
      ctx.record({ identity });
      return identity;
    },

    async read(ctx, identity) {
      const s = await inspect(ctx, spec, identity['name'] ?? '');
      if (!s) return undefined;
      return { ...stateOf(s), outputs: outputsOf(s.role) };
    },

    async findAll(ctx) {
      const role = await getRole(ctx, nameOf(ctx));
      return role ? [{ name: role.RoleName ?? '', arn: role.Arn ?? '' }] : [];
    },

    async waitReady(ctx, identity) {
      const name = identity['name'] ?? '';
      const want = spec.policy(ctx, true);
      const s = await waitFor(ctx, `IAM role ${name} to be visible`, 'iam', async () => {
        const found = await inspect(ctx, spec, name);
        return found ? { done: true, value: found } : { done: false, state: 'not visible yet' };
      });
      const iam = ctx.clients.iam;
      if (!s.trustOk) {
        await retryOn(ctx, `set the trust policy of ${name}`, 'iam', () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(spec.trust(ctx)) })), fresh);
      }
      if (!s.policyOk && want) {
        await retryOn(ctx, `put the policy of ${name}`, 'iam', () => iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: spec.policyName(ctx), PolicyDocument: JSON.stringify(want) })), fresh);
      }
      // What the role must not have (an earlier version's AWS managed policy, a policy added by hand) goes last.
      for (const arn of s.managed) await ignoreNotFound(() => iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })));
      for (const p of s.otherInline) await ignoreNotFound(() => iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: p })));
      return outputsOf(s.role);
    },

    async delete(ctx, identity) {
      const name = identity['name'] ?? '';
      const role = await getRole(ctx, name);
      if (!role) return;
      const attached = await orGone(() => ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })));
      for (const p of attached?.AttachedPolicies ?? []) {
        await ignoreNotFound(() => ctx.clients.iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn ?? '' })));
      }
      const inline = await orGone(() => ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName: name })));
      for (const policyName of inline?.PolicyNames ?? []) {
        await ignoreNotFound(() => ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })));
      }
      // DeleteConflict while a detach has not propagated yet.
      await retryOn(ctx, `delete IAM role ${name}`, 'iam', () => ignoreNotFound(() => ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: name }))));
    },

    async waitGone(ctx, identity) {
      const name = identity['name'] ?? '';
      await waitFor(ctx, `IAM role ${name} to be deleted`, 'quickGone', async () => {
        const r = await getRole(ctx, name);
        return r === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
      });
    },
  });
}
