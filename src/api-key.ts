import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from './aws/clients.js';
import { errorMessage, isNotFound } from './aws/errors.js';
import { STACK_TAG } from './engine/kind.js';
import type { Manifest } from './engine/manifest.js';
import { ThreeTierError, usageError } from './errors.js';
import { stackNames } from './names.js';
import { readSecretValue } from './resources/secret.js';

/**
 * `three-tier api-key`: the key that writes to the stack's API need, read from the stack's own secret (up generated
 * it; it is never in the manifest). The secret is the one the manifest records, else the one holding the stack's
 * derived name, and only if it carries the stack's tag: nobody else's secret is shown. Read-only, no lock.
 */
export interface ApiKeyResult {
  stack: string;
  region: string;
  secretName: string;
  secretArn: string;
  apiKey: string;
  /** The request headers the API takes the key in (api/README.md). */
  headers: string[];
}

/** How a write sends the key; the API takes either (api/src/http). */
export const API_KEY_HEADERS = ['Authorization: Bearer <key>', 'x-api-key: <key>'] as const;

export async function readApiKey(clients: AwsClients, stack: string, region: string, manifest: Manifest | undefined): Promise<ApiKeyResult> {
  const name = stackNames(stack).secret['api-key'];
  const recorded = manifest?.resources['api-key']?.identity?.['arn'];
  const noKey = (why: string): ThreeTierError =>
    usageError('NO_API_KEY', `stack "${stack}" in ${region} has no API key: ${why}.`, [
      `run three-tier up --stack ${stack}: it creates the key (a stack made before keys existed gets one) and deploys it`,
    ]);
  let described;
  try {
    described = await clients.secrets.send(new DescribeSecretCommand({ SecretId: recorded || name }));
  } catch (err) {
    if (isNotFound(err)) throw noKey(`there is no secret ${recorded || name}`);
    throw new ThreeTierError('AWS_ERROR', `reading the secret ${recorded || name} failed: ${errorMessage(err)}`, { cause: err, hints: ['check your credentials and the region, then run the same command again'] });
  }
  if (described.Tags?.find((t) => t.Key === STACK_TAG)?.Value !== stack) throw noKey(`the secret ${described.Name ?? name} is not the stack's (no ${STACK_TAG}=${stack} tag)`);
  if (described.DeletedDate !== undefined) throw noKey(`its secret ${described.Name ?? name} is scheduled for deletion`);
  const secretArn = described.ARN ?? '';
  const apiKey = await readSecretValue(clients, secretArn, `the API key of stack "${stack}"`);
  return { stack, region, secretName: described.Name ?? name, secretArn, apiKey, headers: [...API_KEY_HEADERS] };
}
