import { createHash } from 'node:crypto';
import type { World } from './world.js';

/**
 * The ARN of an AWS managed KMS key (alias `aws/<service>`), which a service uses when asked to encrypt without a
 * key of the caller's: one key per service, account and region, created by AWS on first use and reported by its key
 * ARN (RDS StorageEncrypted without KmsKeyId reports the aws/rds key's ARN; a managed master password's secret is
 * encrypted with aws/secretsmanager). Derived from the account, region and alias, so it is the same key every time.
 */
export function awsManagedKeyArn(world: World, service: 'rds' | 'secretsmanager'): string {
  const h = createHash('sha256').update(`${world.config.accountId}:${world.config.region}:alias/aws/${service}`).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return world.arn('kms', `key/${id}`);
}
