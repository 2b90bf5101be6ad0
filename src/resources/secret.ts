import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, type DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../aws/clients.js';
import { errorMessage, isAwsError } from '../aws/errors.js';
import { ThreeTierError } from '../errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames, type StackSecretRole } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { keyValueTags, orGone, retryOn, waitFor } from './common.js';

/**
 * A secret three-tier generates for the stack and keeps in Secrets Manager: the API key that writes need, the AUTH
 * token of the cache. The value is made here, sent once in CreateSecret, and read back only where AWS needs it
 * (ECS injects it into the task; CreateReplicationGroup takes the AUTH token; `three-tier api-key` shows it): it is
 * never recorded in the manifest, never in an event, never in an error. The manifest holds the ARN and the name.
 */
const DESCRIPTIONS: Record<StackSecretRole, string> = {
  'api-key': 'the API key that writes to the API need (Authorization: Bearer KEY)',
  'redis-auth': 'the AUTH token of the ElastiCache Redis cache',
};

/**
 * 32 random bytes as base64url: 43 characters of [A-Za-z0-9_-]. Fits the API's key rule (16-512, no spaces) and
 * ElastiCache's AUTH token rule (16-128 printable characters, none of @ " /).
 */
export function generateSecretValue(): string {
  return randomBytes(32).toString('base64url');
}

async function describe(clients: AwsClients, secretId: string): Promise<DescribeSecretResponse | undefined> {
  return orGone(() => clients.secrets.send(new DescribeSecretCommand({ SecretId: secretId })));
}

/** A secret scheduled for deletion cannot be read or used: for the stack it is gone. */
function live(s: DescribeSecretResponse | undefined): DescribeSecretResponse | undefined {
  return s && s.DeletedDate === undefined ? s : undefined;
}

function outputsOf(s: DescribeSecretResponse): Outputs {
  return { arn: s.ARN ?? '', name: s.Name ?? '' };
}

const scheduledForDeletion = (err: unknown): boolean => isAwsError(err, 'InvalidRequestException') && /scheduled for deletion/i.test(errorMessage(err));

/**
 * The secret's current value. The error never holds the value (there is none to hold) and names only the secret.
 */
export async function readSecretValue(clients: AwsClients, arn: string, what: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (err) {
    throw new ThreeTierError('SECRET_UNREADABLE', `${what} could not be read from Secrets Manager (${arn}): ${errorMessage(err)}`, {
      cause: err,
      hints: ['check that the secret exists and that your credentials may call secretsmanager:GetSecretValue on it; three-tier up recreates a deleted one'],
    });
  }
  if (!value) throw new ThreeTierError('SECRET_UNREADABLE', `${what} in Secrets Manager (${arn}) holds no string value`, { hints: ['run three-tier up: it converges the stack'] });
  return value;
}

export function secretKind(role: StackSecretRole): StackResourceKind {
  const nameOf = (ctx: NodeContext): string => stackNames(ctx.config.stack).secret[role];
  return firstOf({
    kind: 'secret',

    async create(ctx) {
      const name = nameOf(ctx);
      const make = async (): Promise<string | undefined> =>
        (
          await ctx.clients.secrets.send(
            new CreateSecretCommand({ Name: name, SecretString: generateSecretValue(), Description: `three-tier ${ctx.config.stack}: ${DESCRIPTIONS[role]}`, Tags: keyValueTags(ctx) }),
          )
        ).ARN;
      let arn: string | undefined;
      try {
        arn = await make();
      } catch (err) {
        if (isAwsError(err, 'ResourceExistsException')) {
          // Made by an earlier run that lost the answer (or someone else's: the ownership check below says).
          arn = (await describe(ctx.clients, name))?.ARN;
        } else if (scheduledForDeletion(err)) {
          // The name stays taken while a deleted secret waits out its recovery window. The stack's own is deleted
          // for good (it held a value nobody uses any more); AWS deletes asynchronously, so the create is retried.
          const old = await describe(ctx.clients, name);
          await assertOwned(ctx, 'secret', { arn: old?.ARN ?? name, name });
          await ctx.clients.secrets.send(new DeleteSecretCommand({ SecretId: old?.ARN ?? name, ForceDeleteWithoutRecovery: true }));
          arn = await retryOn(ctx, `create secret ${name} once the deleted one is gone`, 'consistency', make, { retryable: scheduledForDeletion });
        } else throw err;
      }
      const identity: Identity = { arn: arn ?? '', name };
      // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
      await assertOwned(ctx, 'secret', identity);
      ctx.record({ identity });
      return identity;
    },

    async read(ctx, identity) {
      const s = live(await describe(ctx.clients, identity['arn'] || identity['name'] || ''));
      return s ? { state: 'active', ready: true, outputs: outputsOf(s) } : undefined;
    },

    async findAll(ctx) {
      const s = live(await describe(ctx.clients, nameOf(ctx)));
      return s ? [{ arn: s.ARN ?? '', name: s.Name ?? '' }] : [];
    },

    async waitReady(ctx, identity) {
      const id = identity['arn'] || identity['name'] || '';
      return waitFor(ctx, `secret ${identity['name'] ?? id} to be visible`, 'quickReady', async () => {
        const s = live(await describe(ctx.clients, id));
        return s ? { done: true, value: outputsOf(s) } : { done: false, state: 'not visible yet' };
      });
    },

    /** For good, without a recovery window: a scheduled deletion would keep the name taken for 7 to 30 days. */
    async delete(ctx, identity) {
      // A forced delete of a secret already deleted answers success (DeleteSecret API reference).
      await orGone(() => ctx.clients.secrets.send(new DeleteSecretCommand({ SecretId: identity['arn'] || identity['name'] || '', ForceDeleteWithoutRecovery: true })));
    },

    async waitGone(ctx, identity) {
      const id = identity['arn'] || identity['name'] || '';
      await waitFor(ctx, `secret ${identity['name'] ?? id} to be deleted`, 'quickGone', async () => {
        const s = await describe(ctx.clients, id);
        return s === undefined ? { done: true, value: undefined } : { done: false, state: s.DeletedDate ? 'being deleted' : 'exists' };
      });
    },
  });
}
