import type { Filter, ResourceType as Ec2ResourceType, TagSpecification } from '@aws-sdk/client-ec2';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { ThreeTierError } from '../errors.js';
import { errorMessage, isDependencyError, isNotFound } from '../aws/errors.js';
import { pollUntil, retryWithin } from '../aws/wait.js';
import { RESOURCE_TAG, STACK_TAG, type NodeContext } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { budgetMs, consistencyWindowWallMs, waitBudgetMs, type Budget } from './budgets.js';

/** Helpers every resource module shares: tags in each service's shape, bounded waits and retries with progress. */

/** EC2 tags go in the create call (TagSpecifications), never in a later CreateTags. A Name tag helps the console. */
export function ec2TagSpecifications(ctx: NodeContext, resourceType: Ec2ResourceType): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: [...ctx.tags(), { Key: 'Name', Value: stackNames(ctx.config.stack).ec2Name(ctx.id) }] }];
}

/** Filters that find this node's EC2 resources by tag (both tags), or every resource of the stack (`stackOnly`). */
export function ec2TagFilters(ctx: NodeContext, stackOnly = false): Filter[] {
  const filters: Filter[] = [{ Name: `tag:${STACK_TAG}`, Values: [ctx.config.stack] }];
  if (!stackOnly) filters.push({ Name: `tag:${RESOURCE_TAG}`, Values: [ctx.id] });
  return filters;
}

/** [{Key, Value}]: EC2, ELBv2, RDS, ElastiCache, ECR, IAM. */
export function keyValueTags(ctx: NodeContext): { Key: string; Value: string }[] {
  return ctx.tags().map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** [{key, value}]: ECS. */
export function ecsTags(ctx: NodeContext): { key: string; value: string }[] {
  return ctx.tags().map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
}

/** {key: value}: CloudWatch Logs. */
export function tagMap(ctx: NodeContext): Record<string, string> {
  return Object.fromEntries(ctx.tags().map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The output of a dependency, or a clear error when it is missing (a graph or manifest bug, not a user error). */
export function needOutput(ctx: NodeContext, id: string, key: string): string {
  const v = ctx.outputsOf(id)[key];
  if (v === undefined || v === '') {
    throw new ThreeTierError('MISSING_INPUT', `${ctx.id} needs ${key} of ${id}, which is not known yet`, {
      hints: ['run the same command again; if it persists, the manifest may be damaged: move it away and run again to adopt by tags'],
    });
  }
  return v;
}

export type Check<T> = { done: true; value: T } | { done: false; state: string };

/**
 * Poll until `check` says done, within a budget from the table. Progress is reported when the state changes, not
 * on every poll. A NotFound during the first `budgets.consistency` of the wait counts as "not visible yet" (EC2 and
 * friends are eventually consistent right after a create); later it means the resource is gone.
 */
export async function waitFor<T>(ctx: NodeContext, what: string, budget: Budget, check: () => Promise<Check<T>>): Promise<T> {
  const started = Date.now();
  let last: string | undefined;
  const report = (state: string): void => {
    if (state !== last) {
      last = state;
      ctx.progress('waiting', `${what}: ${state}`);
    }
  };
  return pollUntil(
    async () => {
      try {
        return await check();
      } catch (err) {
        if (isNotFound(err) && Date.now() - started < consistencyWindowWallMs(ctx.timing.scale)) return { done: false, state: 'not visible yet' };
        throw err;
      }
    },
    { timing: ctx.timing, budgetMs: waitBudgetMs(budget, ctx.timing.scale), what, signal: ctx.signal, onWait: report },
  );
}

/** Retry `fn` on errors `retryable` accepts (DependencyViolation-class by default) within a budget, reporting why. */
export async function retryOn<T>(
  ctx: NodeContext,
  what: string,
  budget: Budget,
  fn: () => Promise<T>,
  options: { retryable?: (err: unknown) => boolean; explain?: (err: unknown) => Promise<string> } = {},
): Promise<T> {
  let lastReport = 0;
  let explaining = false;
  let finished = false;
  const say = (detail: string): void => {
    // An explanation that arrives after the retries ended would report a state that is over.
    if (!finished) ctx.progress('retrying', detail);
  };
  try {
    return await retryWithin(fn, {
      timing: ctx.timing,
      budgetMs: budgetMs(budget, ctx.timing.scale),
      retryable: options.retryable ?? isDependencyError,
      signal: ctx.signal,
      what,
      onRetry: (err) => {
        // Say why at most every few polls: a long ENI linger should not flood the sink.
        const now = Date.now();
        if (now - lastReport < ctx.timing.pollMs * 5 || explaining) return;
        lastReport = now;
        if (!options.explain) {
          say(`${what}: ${errorMessage(err)}`);
          return;
        }
        explaining = true;
        options
          .explain(err)
          .then((why) => say(`${what}: ${why}`))
          .catch(() => say(`${what}: ${errorMessage(err)}`))
          .finally(() => {
            explaining = false;
          });
      },
    });
  } finally {
    finished = true;
  }
}

/** Retry NotFound for the eventual-consistency window after a create (a fresh VPC id in CreateSubnet, ...). */
export async function whenVisible<T>(ctx: NodeContext, what: string, fn: () => Promise<T>): Promise<T> {
  return retryOn(ctx, what, 'consistency', fn, { retryable: isNotFound });
}

/** Run a describe-by-id; NotFound means gone (undefined). */
export async function orGone<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Run a delete; NotFound means it was already gone, which is success. */
export async function ignoreNotFound(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * The network interfaces still in a VPC, subnet or group, named with their descriptions: the requester-managed
 * ones (ALB, RDS, ElastiCache, Fargate, NAT) linger after their owner is gone and block deletion.
 */
export async function blockingEnis(ctx: NodeContext, filter: Filter, err: unknown): Promise<string> {
  const out = await ctx.clients.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter] }));
  const enis = out.NetworkInterfaces ?? [];
  if (enis.length === 0) return errorMessage(err);
  const named = enis
    .slice(0, 6)
    .map((e) => `${e.NetworkInterfaceId ?? '?'} (${e.Description || e.InterfaceType || 'no description'}, ${e.Status ?? '?'})`)
    .join(', ');
  return `waiting for ${enis.length} network interface(s) to be released: ${named}${enis.length > 6 ? ', ...' : ''}`;
}

/** The one-line summary of a ThreeTierError cause for a resource in a failed state. */
export function failedState(what: string, state: string, reason?: string, hints: string[] = []): ThreeTierError {
  return new ThreeTierError('RESOURCE_FAILED', `${what} is ${state}${reason ? `: ${reason}` : ''}`, {
    hints: hints.length ? hints : [`look at ${what} in the AWS console; delete it (three-tier destroy) and run up again`],
  });
}
