/**
 * Secrets Manager reads beyond the ones three-tier uses: a secret's resource policy (never set: PutResourcePolicy
 * is not modelled), its versions (the sandbox keeps one, AWSCURRENT), and GetRandomPassword. See
 * docs/sandbox/secretsmanager.md.
 */
import { randomInt } from 'node:crypto';
import type {
  GetRandomPasswordRequest,
  GetRandomPasswordResponse,
  GetResourcePolicyRequest,
  GetResourcePolicyResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../../errors.js';
import { pageByOffset } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import type { SecretData } from '../../model.js';

/** What the handlers borrow from secretsmanager.ts: the secret lookup by id, name or partial ARN, with its errors. */
export interface SecretReadDeps {
  lookup: (world: World, secretId: string | undefined) => Resource<SecretData & { kmsKeyId?: string; lastChangedAt: number }>;
}

const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function pick(alphabet: string): string {
  return alphabet[randomInt(0, alphabet.length)] as string;
}

/** A password from the character types asked for, with at least one of each unless RequireEachIncludedType is false. */
function randomPassword(input: GetRandomPasswordRequest): string {
  const length = input.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw invalidParameter('PasswordLength must be between 1 and 4096.');
  const excluded = new Set(input.ExcludeCharacters ?? '');
  const keep = (s: string): string => [...s].filter((c) => !excluded.has(c)).join('');
  const types = [
    input.ExcludeLowercase ? '' : keep(LOWER),
    input.ExcludeUppercase ? '' : keep(UPPER),
    input.ExcludeNumbers ? '' : keep(DIGITS),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
    input.IncludeSpace ? keep(' ') : '',
  ].filter((t) => t.length > 0);
  if (types.length === 0) throw invalidParameter('The password cannot be generated: every character type is excluded.');
  const every = input.RequireEachIncludedType ?? true;
  if (every && length < types.length) {
    throw invalidParameter(`PasswordLength ${length} is too short to include one character of each of the ${types.length} included types.`);
  }
  const all = types.join('');
  const chars = every ? types.map(pick) : [];
  while (chars.length < length) chars.push(pick(all));
  // Shuffle, so the required characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

export function secretReadHandlers({ lookup }: SecretReadDeps): Record<string, Handler> {
  const getResourcePolicy = op<GetResourcePolicyRequest, GetResourcePolicyResponse>((input, { world }) => {
    const s = lookup(world, input.SecretId);
    return { ARN: s.data.arn, Name: s.data.name };
  });

  const listSecretVersionIds = op<ListSecretVersionIdsRequest, ListSecretVersionIdsResponse>((input, { world }) => {
    const s = lookup(world, input.SecretId);
    const versions: SecretVersionsListEntry[] = s.data.versionId
      ? [{ VersionId: s.data.versionId, VersionStages: ['AWSCURRENT'], CreatedDate: new Date(s.data.lastChangedAt), KmsKeyIds: [s.data.kmsKeyId ?? 'DefaultEncryptionKey'] }]
      : [];
    const p = pageByOffset(versions, input.NextToken, input.MaxResults, {
      min: 1,
      max: 100,
      badSize: () => invalidParameter('MaxResults must be between 1 and 100.'),
      badToken: () => new AwsError('InvalidNextTokenException', 'The NextToken value is not valid.', 400),
    });
    const out: ListSecretVersionIdsResponse = { Versions: p.items, ARN: s.data.arn, Name: s.data.name };
    if (p.next !== undefined) out.NextToken = p.next;
    return out;
  });

  const getRandomPassword = op<GetRandomPasswordRequest, GetRandomPasswordResponse>((input) => ({ RandomPassword: randomPassword(input) }));

  return {
    GetResourcePolicy: getResourcePolicy,
    ListSecretVersionIds: listSecretVersionIds,
    GetRandomPassword: getRandomPassword,
  };
}
