import { randomInt } from 'node:crypto';
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  Filter,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../errors.js';
import { ResourceType, type SecretData } from '../model.js';
import { op, type SandboxService } from '../service.js';
import { creationKey, pageAfterKey } from '../paging.js';
import { tagList, tagMap } from '../tags.js';
import type { Resource, World } from '../world.js';
import { secretReadHandlers } from './secretsmanager/reads.js';

/**
 * Secrets Manager (JSON 1.1): secrets the caller creates and the ones RDS manages for a database's master user.
 * The secret value leaves the sandbox only through GetSecretValue. The promises are in docs/sandbox/secretsmanager.md.
 */
const SERVICE = 'secretsmanager';
const DAY_MS = 86_400_000;

/** The shared SecretData plus what only Secrets Manager reads. World states: active, then scheduled-deletion. */
interface StoredSecret extends SecretData {
  /** Base64 of a binary value (SecretBinary), when the secret holds one. */
  secretBinary?: string;
  kmsKeyId?: string;
  lastChangedAt: number;
  /** Wall ms at which a scheduled deletion becomes permanent. */
  deletionDate?: number;
  rotationDays?: number;
}

const notFound = (): AwsError => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);
const markedForDeletion = (): AwsError =>
  new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.", 400);

function required<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null || value === '') throw invalidParameter(`You must specify a value for ${member}.`);
  return value;
}

const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomChars(n: number, alphabet = SUFFIX_CHARS): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(0, alphabet.length)];
  return s;
}

function secrets(world: World): Resource<StoredSecret>[] {
  return world.list<StoredSecret>(ResourceType.secret);
}

/** A secret by full ARN, name, or partial ARN (the ARN without its 6-character suffix). */
function find(world: World, secretId: string): Resource<StoredSecret> | undefined {
  const exact = world.get<StoredSecret>(ResourceType.secret, secretId);
  if (exact) return exact;
  const all = secrets(world);
  return all.find((s) => s.data.name === secretId) ?? all.find((s) => s.data.arn.slice(0, -7) === secretId);
}

function lookup(world: World, secretId: string | undefined): Resource<StoredSecret> {
  const s = find(world, required(secretId, 'SecretId'));
  if (!s || world.hiddenByConsistency(s)) throw notFound();
  return s;
}

const NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;

export interface NewSecret {
  name: string;
  secretString?: string;
  description?: string;
  kmsKeyId?: string;
  owningService?: string;
  tags?: Record<string, string>;
  versionId?: string;
  /** Days between rotations, for secrets a service rotates (RDS: 7). */
  rotationDays?: number;
}

/** Store a secret (CreateSecret, and RDS for a managed master password). Names are unique per account and region. */
export function createSecret(world: World, s: NewSecret): Resource<SecretData> {
  const arn = world.arn(SERVICE, `secret:${s.name}-${randomChars(6)}`);
  const data: StoredSecret = {
    name: s.name,
    arn,
    secretString: s.secretString ?? '',
    versionId: s.versionId ?? world.uuid(),
    lastChangedAt: world.now(),
  };
  if (s.secretString === undefined) data.versionId = '';
  if (s.description !== undefined) data.description = s.description;
  if (s.kmsKeyId !== undefined) data.kmsKeyId = s.kmsKeyId;
  if (s.owningService !== undefined) data.owningService = s.owningService;
  if (s.rotationDays !== undefined) data.rotationDays = s.rotationDays;
  return world.create(SERVICE, ResourceType.secret, arn, { state: 'active', data, tags: s.tags ?? {} });
}

/**
 * Mark a secret for deletion after a recovery window (days, real time, scaled); 0 removes it at once. Used by
 * DeleteSecret and by RDS when a database with a managed password is deleted.
 */
export function scheduleSecretDeletion(world: World, arn: string, recoveryDays: number): Date {
  const s = world.get<StoredSecret>(ResourceType.secret, arn);
  const now = world.now();
  if (!s) return new Date(now);
  if (recoveryDays <= 0) {
    world.remove(ResourceType.secret, arn);
    return new Date(now);
  }
  s.data.deletedAt = now;
  s.data.deletionDate = now + recoveryDays * DAY_MS;
  world.setState(s, 'scheduled-deletion');
  world.clearTransitions(s);
  world.schedule(s, recoveryDays * DAY_MS, 'deleted', 'secret-gone');
  return new Date(s.data.deletionDate);
}

function metadata(s: Resource<StoredSecret>): SecretListEntry {
  const d = s.data;
  const out: SecretListEntry = {
    ARN: d.arn,
    Name: d.name,
    LastChangedDate: new Date(d.lastChangedAt),
    CreatedDate: new Date(s.createdAt),
    Tags: tagList(s.tags),
    RotationEnabled: d.rotationDays !== undefined,
  };
  if (d.description !== undefined) out.Description = d.description;
  if (d.kmsKeyId !== undefined) out.KmsKeyId = d.kmsKeyId;
  if (d.owningService !== undefined) out.OwningService = d.owningService;
  if (d.rotationDays !== undefined) out.RotationRules = { AutomaticallyAfterDays: d.rotationDays };
  if (d.deletedAt !== undefined) out.DeletedDate = new Date(d.deletedAt);
  return out;
}

const createSecretHandler = op<CreateSecretRequest, CreateSecretResponse>((input, { world }) => {
  const name = required(input.Name, 'Name');
  if (!NAME.test(name)) {
    throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  const existing = secrets(world).find((s) => s.data.name === name);
  if (existing) {
    if (existing.data.deletedAt !== undefined) {
      throw new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.", 400);
    }
    // Same idempotency token and value: the call already succeeded.
    if (input.ClientRequestToken !== undefined && input.ClientRequestToken === existing.data.versionId && (input.SecretString ?? '') === existing.data.secretString) {
      return { ARN: existing.data.arn, Name: name, VersionId: existing.data.versionId };
    }
    throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`, 400);
  }
  const tags = tagMap(input.Tags, { entry: (t) => [required(t.Key, 'Tags.Key'), t.Value ?? ''] });
  const created = createSecret(world, {
    name,
    secretString: input.SecretString ?? (input.SecretBinary !== undefined ? '' : undefined),
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    tags,
    versionId: input.ClientRequestToken,
  }) as Resource<StoredSecret>;
  if (input.SecretBinary !== undefined) {
    const raw: unknown = input.SecretBinary;
    created.data.secretBinary = typeof raw === 'string' ? raw : Buffer.from(input.SecretBinary).toString('base64');
  }
  return { ARN: created.data.arn, Name: name, VersionId: created.data.versionId || undefined };
});

const getSecretValue = op<GetSecretValueRequest, GetSecretValueResponse>((input, { world }) => {
  const s = lookup(world, input.SecretId);
  if (s.data.deletedAt !== undefined) throw markedForDeletion();
  const d = s.data;
  if (!d.versionId) {
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", 400);
  }
  if (input.VersionId !== undefined && input.VersionId !== d.versionId) {
    throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`, 400);
  }
  if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
    throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`, 400);
  }
  const out: GetSecretValueResponse = {
    ARN: d.arn,
    Name: d.name,
    VersionId: d.versionId,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: new Date(d.lastChangedAt),
  };
  if (d.secretBinary !== undefined) out.SecretBinary = Buffer.from(d.secretBinary, 'base64');
  else out.SecretString = d.secretString;
  return out;
});

/**
 * A new version becomes AWSCURRENT (how RDS rotates its managed password). The ClientRequestToken is the VersionId:
 * a repeat with the same token and value does nothing; the same token with another value is refused, since a
 * version never changes. Earlier versions are not kept (see "Knowingly not reproduced").
 */
const putSecretValue = op<PutSecretValueRequest, PutSecretValueResponse>((input, { world }) => {
  const s = lookup(world, input.SecretId);
  if (s.data.deletedAt !== undefined) throw markedForDeletion();
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString === undefined && input.SecretBinary === undefined) {
    throw invalidParameter('You must provide either SecretString or SecretBinary.');
  }
  const d = s.data;
  const binary = input.SecretBinary === undefined ? undefined : typeof (input.SecretBinary as unknown) === 'string' ? (input.SecretBinary as unknown as string) : Buffer.from(input.SecretBinary).toString('base64');
  const answer = (): PutSecretValueResponse => ({ ARN: d.arn, Name: d.name, VersionId: d.versionId, VersionStages: ['AWSCURRENT'] });
  if (input.ClientRequestToken !== undefined && input.ClientRequestToken === d.versionId) {
    if ((input.SecretString ?? '') === d.secretString && binary === d.secretBinary) return answer();
    throw new AwsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.", 400);
  }
  d.versionId = input.ClientRequestToken ?? world.uuid();
  d.secretString = input.SecretString ?? '';
  if (binary === undefined) delete d.secretBinary;
  else d.secretBinary = binary;
  d.lastChangedAt = world.now();
  return answer();
});

const describeSecret = op<DescribeSecretRequest, DescribeSecretResponse>((input, { world }) => {
  const s = lookup(world, input.SecretId);
  const out: DescribeSecretResponse = metadata(s);
  if (s.data.versionId) out.VersionIdsToStages = { [s.data.versionId]: ['AWSCURRENT'] };
  return out;
});

/** Filter values match as prefixes; a leading `!` negates. Values of one filter OR, filters AND. */
function matches(s: Resource<StoredSecret>, f: Filter): boolean {
  const key = f.Key;
  const fields = (): string[] => {
    switch (key) {
      case 'name':
        return [s.data.name];
      case 'description':
        return s.data.description === undefined ? [] : [s.data.description];
      case 'tag-key':
        return Object.keys(s.tags);
      case 'tag-value':
        return Object.values(s.tags);
      case 'owning-service':
        return s.data.owningService === undefined ? [] : [s.data.owningService];
      case 'primary-region':
        return [];
      case 'all':
        return [s.data.name, ...(s.data.description === undefined ? [] : [s.data.description]), ...Object.keys(s.tags), ...Object.values(s.tags)];
      default:
        throw invalidParameter(`Invalid filter key: ${String(key)}`);
    }
  };
  const values = fields();
  return (f.Values ?? []).some((v) => (v.startsWith('!') ? !values.some((x) => x.startsWith(v.slice(1))) : values.some((x) => x.startsWith(v))));
}

const listSecrets = op<ListSecretsRequest, ListSecretsResponse>((input, { world }) => {
  const filters = input.Filters ?? [];
  for (const f of filters) if (!(f.Values ?? []).length) throw invalidParameter(`You must specify at least one value for filter ${String(f.Key)}.`);
  const all = secrets(world)
    .filter((s) => !world.hiddenByConsistency(s))
    .filter((s) => input.IncludePlannedDeletion === true || s.data.deletedAt === undefined)
    .filter((s) => filters.every((f) => matches(s, f)));
  // Creation order, the token naming the last secret returned (which must still exist).
  const p = pageAfterKey(
    all,
    creationKey,
    input.NextToken,
    input.MaxResults,
    {
      min: 1,
      max: 100,
      default: 100,
      badSize: () => invalidParameter('MaxResults must be between 1 and 100.'),
      badToken: () => new AwsError('InvalidNextTokenException', 'The NextToken value is not valid.', 400),
    },
    { descending: input.SortOrder === 'desc', mustExist: true },
  );
  const out: ListSecretsResponse = {
    SecretList: p.items.map((s) => {
      const m = metadata(s);
      if (s.data.versionId) m.SecretVersionsToStages = { [s.data.versionId]: ['AWSCURRENT'] };
      return m;
    }),
  };
  if (p.next !== undefined) out.NextToken = p.next;
  return out;
});

const deleteSecret = op<DeleteSecretRequest, DeleteSecretResponse>((input, { world }) => {
  const force = input.ForceDeleteWithoutRecovery === true;
  if (force && input.RecoveryWindowInDays !== undefined) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  // "If you forcibly delete an already deleted or nonexistent secret, the operation does not return
  // ResourceNotFoundException" (DeleteSecret API reference): a forced delete of a secret scheduled for deletion
  // deletes it now, and of an unknown one answers as if it had.
  const secretId = required(input.SecretId, 'SecretId');
  const found = find(world, secretId);
  if (force && (!found || world.hiddenByConsistency(found))) return { Name: secretId, DeletionDate: new Date(world.now()) };
  const s = lookup(world, secretId);
  const days = input.ForceDeleteWithoutRecovery === true ? 0 : input.RecoveryWindowInDays ?? 30;
  if (input.ForceDeleteWithoutRecovery !== true && (!Number.isInteger(days) || days < 7 || days > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  if (s.data.owningService !== undefined) {
    throw new AwsError(
      'InvalidRequestException',
      `You can't delete secret ${s.data.name} because it's managed by ${s.data.owningService}. Delete it through ${s.data.owningService}.`,
      400,
    );
  }
  if (s.data.deletedAt !== undefined && !force) throw markedForDeletion();
  const { arn, name } = s.data;
  const deletionDate = scheduleSecretDeletion(world, arn, days);
  return { ARN: arn, Name: name, DeletionDate: deletionDate };
});

export const secretsmanager: SandboxService = {
  name: 'secretsmanager',
  protocol: 'json',
  targetPrefix: 'secretsmanager',
  loadClient: () => import('@aws-sdk/client-secrets-manager') as Promise<Record<string, unknown>>,
  handlers: {
    CreateSecret: createSecretHandler,
    GetSecretValue: getSecretValue,
    PutSecretValue: putSecretValue,
    DescribeSecret: describeSecret,
    ListSecrets: listSecrets,
    DeleteSecret: deleteSecret,
    ...secretReadHandlers({ lookup }),
  },
  install(world) {
    world.onTransition(ResourceType.secret, 'secret-gone', (w, s) => w.remove(ResourceType.secret, s.id));
  },
};
