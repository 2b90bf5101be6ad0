import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

/** A secret's resource policy (never set), its versions (one), and GetRandomPassword. */
describe('sandbox Secrets Manager: resource policy, versions, random passwords', () => {
  let sb: Sandbox;
  let sm: SecretsManagerClient;
  let arn: string;
  before(async () => {
    sb = await sandbox();
    sm = new SecretsManagerClient(clientConfig(sb, { maxAttempts: 1 }));
    arn = (await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'x', ClientRequestToken: '11111111-1111-4111-8111-111111111111' }))).ARN ?? '';
  });
  after(async () => {
    await sb.close();
  });

  it('answers GetResourcePolicy without a policy, and ListSecretVersionIds with the one AWSCURRENT version', async () => {
    const policy = await sm.send(new GetResourcePolicyCommand({ SecretId: 'app/db' }));
    assert.equal(policy.ARN, arn);
    assert.equal(policy.Name, 'app/db');
    assert.equal(policy.ResourcePolicy, undefined);
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
    assert.equal(versions.Name, 'app/db');
    assert.deepEqual(versions.Versions?.map((v) => [v.VersionId, v.VersionStages]), [['11111111-1111-4111-8111-111111111111', ['AWSCURRENT']]]);
    assert.deepEqual(versions.Versions?.[0]?.KmsKeyIds, ['DefaultEncryptionKey']);
    await rejectsWith(sm.send(new ListSecretVersionIdsCommand({ SecretId: 'nope' })), 'ResourceNotFoundException');
    await rejectsWith(sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, MaxResults: 101 })), 'InvalidParameterException');
    const empty = await sm.send(new CreateSecretCommand({ Name: 'no-value' }));
    assert.deepEqual((await sm.send(new ListSecretVersionIdsCommand({ SecretId: empty.ARN }))).Versions, []);
  });

  it('generates passwords of the length and character types asked for', async () => {
    const pw = async (input: ConstructorParameters<typeof GetRandomPasswordCommand>[0] = {}) => (await sm.send(new GetRandomPasswordCommand(input ?? {}))).RandomPassword ?? '';
    const standard = await pw();
    assert.equal(standard.length, 32);
    assert.match(standard, /[a-z]/);
    assert.match(standard, /[A-Z]/);
    assert.match(standard, /[0-9]/);
    assert.match(standard, /[^a-zA-Z0-9]/);
    assert.doesNotMatch(standard, / /);
    const digits = await pw({ PasswordLength: 12, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true });
    assert.match(digits, /^[0-9]{12}$/);
    const excluded = await pw({ PasswordLength: 200, ExcludeCharacters: 'abc0/@"' });
    assert.doesNotMatch(excluded, /[abc0/@"]/);
    await rejectsWith(sm.send(new GetRandomPasswordCommand({ PasswordLength: 0 })), 'InvalidParameterException');
    await rejectsWith(
      sm.send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })),
      'InvalidParameterException',
    );
  });
});
