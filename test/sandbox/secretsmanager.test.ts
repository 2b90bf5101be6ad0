import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';


describe('sandbox Secrets Manager', () => {
  let sb: Sandbox;
  let sm: SecretsManagerClient;

  before(async () => {
    sb = await sandbox();
    sm = new SecretsManagerClient(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });
  // A test that fails midway must not leave a fault or a clock setting to the next one.
  afterEach(async () => {
    sb.world.config.timeScale = 0.001;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0, eniLingerMs: null });
  });

  it('PutSecretValue makes a new current version; a repeated token is idempotent, another value for it refused', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'app/rotated', SecretString: '{"password":"first"}' }));
    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"password":"second"}', ClientRequestToken: 'rotation-token-0000000000000000001' }));
    assert.equal(put.ARN, created.ARN);
    assert.equal(put.VersionId, 'rotation-token-0000000000000000001');
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    const read = await sm.send(new GetSecretValueCommand({ SecretId: 'app/rotated' }));
    assert.equal(read.SecretString, '{"password":"second"}');
    assert.equal(read.VersionId, put.VersionId);
    const again = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"password":"second"}', ClientRequestToken: 'rotation-token-0000000000000000001' }));
    assert.equal(again.VersionId, put.VersionId);
    await rejectsWith(
      sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"password":"third"}', ClientRequestToken: 'rotation-token-0000000000000000001' })),
      'ResourceExistsException',
      /can't modify an existing version/,
    );
    await rejectsWith(sm.send(new PutSecretValueCommand({ SecretId: created.ARN })), 'InvalidParameterException');
    await rejectsWith(sm.send(new PutSecretValueCommand({ SecretId: 'app/none', SecretString: 'x' })), 'ResourceNotFoundException');
  });

  it('creates a secret and reads it back by name, ARN and partial ARN', async () => {
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'app/db', SecretString: '{"password":"s3cret-value"}', Description: 'db creds', Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }),
    );
    assert.match(created.ARN ?? '', /^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-[A-Za-z0-9]{6}$/);
    assert.ok(created.VersionId);
    for (const id of ['app/db', created.ARN ?? '', (created.ARN ?? '').slice(0, -7)]) {
      const v = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(v.SecretString, '{"password":"s3cret-value"}');
      assert.equal(v.ARN, created.ARN);
      assert.equal(v.Name, 'app/db');
      assert.equal(v.VersionId, created.VersionId);
      assert.deepEqual(v.VersionStages, ['AWSCURRENT']);
    }
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'AWSPREVIOUS' })), 'ResourceNotFoundException');
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'nope' })), 'ResourceNotFoundException');
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'x' })), 'ResourceExistsException');
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'bad name', SecretString: 'x' })), 'InvalidParameterException');

    const meta = await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }));
    assert.equal(meta.Description, 'db creds');
    assert.deepEqual(meta.Tags, [{ Key: 'three-tier:stack', Value: 'demo' }]);
    assert.equal(meta.OwningService, undefined);
    assert.deepEqual(meta.VersionIdsToStages, { [created.VersionId ?? '']: ['AWSCURRENT'] });
    assert.equal(JSON.stringify(meta).includes('s3cret-value'), false, 'DescribeSecret never carries the value');
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'nope' })), 'ResourceNotFoundException');
  });

  it('keeps the value out of every answer but GetSecretValue, and out of /_sandbox/resources', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'hidden', SecretString: 'needle-4f1c' }));
    const listed = await sm.send(new ListSecretsCommand({}));
    assert.equal(JSON.stringify(listed).includes('needle-4f1c'), false);
    const all = await resources(sb);
    assert.ok(all.some((r) => r.type === 'secret' && r.id.includes(':secret:hidden-')));
    assert.equal(JSON.stringify(all).includes('needle-4f1c'), false);
  });

  it('treats a repeated CreateSecret with the same ClientRequestToken and value as the same call', async () => {
    const token = '0f1e2d3c-4b5a-4968-8776-655443322110';
    const a = await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v1', ClientRequestToken: token }));
    const b = await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v1', ClientRequestToken: token }));
    assert.equal(b.ARN, a.ARN);
    assert.equal(b.VersionId, token);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v2', ClientRequestToken: token })), 'ResourceExistsException');
  });

  it('hides a fresh secret inside the consistency window', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 1_000 });
    await sm.send(new CreateSecretCommand({ Name: 'fresh', SecretString: 'v' }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'fresh' })), 'ResourceNotFoundException');
    await eventually(() => sm.send(new GetSecretValueCommand({ SecretId: 'fresh' })).then(() => true, () => undefined), 10_000, 'fresh to show');
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
  });

  it('stores binary secrets', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'blob', SecretBinary: new Uint8Array([1, 2, 3, 250]) }));
    const v = await sm.send(new GetSecretValueCommand({ SecretId: 'blob' }));
    assert.deepEqual([...(v.SecretBinary ?? [])], [1, 2, 3, 250]);
    assert.equal(v.SecretString, undefined);
  });

  it('filters ListSecrets by name, tag key and tag value (prefixes, ! negates) and pages with NextToken', async () => {
    for (let i = 0; i < 5; i++) {
      await sm.send(new CreateSecretCommand({ Name: `list/s${i}`, SecretString: 'v', Tags: [{ Key: i % 2 ? 'odd' : 'even', Value: `n${i}` }] }));
    }
    const names = async (filters: { Key: 'name' | 'tag-key' | 'tag-value' | 'all'; Values: string[] }[]) =>
      ((await sm.send(new ListSecretsCommand({ Filters: filters }))).SecretList ?? []).map((s) => s.Name).sort();
    assert.deepEqual(await names([{ Key: 'name', Values: ['list/'] }]), ['list/s0', 'list/s1', 'list/s2', 'list/s3', 'list/s4']);
    assert.deepEqual(await names([{ Key: 'tag-key', Values: ['odd'] }]), ['list/s1', 'list/s3']);
    assert.deepEqual(await names([{ Key: 'tag-value', Values: ['n4', 'n0'] }]), ['list/s0', 'list/s4']);
    assert.deepEqual(await names([{ Key: 'name', Values: ['list/'] }, { Key: 'tag-key', Values: ['!odd'] }]), ['list/s0', 'list/s2', 'list/s4']);
    assert.deepEqual(await names([{ Key: 'all', Values: ['n3'] }]), ['list/s3']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken: token, Filters: [{ Key: 'name', Values: ['list/'] }] }));
      assert.ok((page.SecretList ?? []).length <= 2);
      seen.push(...(page.SecretList ?? []).map((s) => s.Name ?? ''));
      token = page.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), ['list/s0', 'list/s1', 'list/s2', 'list/s3', 'list/s4']);
    await rejectsWith(sm.send(new ListSecretsCommand({ NextToken: 'garbage' })), 'InvalidNextTokenException');
    await rejectsWith(sm.send(new ListSecretsCommand({ MaxResults: 0 })), 'InvalidParameterException');
  });

  it('schedules deletion with a recovery window; the secret is unreadable and unlisted, its name still taken', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'v' }));
    await rejectsWith(sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 3 })), 'InvalidParameterException', /between 7 and 30/);
    await rejectsWith(
      sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      'InvalidParameterException',
    );
    const before = Date.now();
    const out = await sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));
    assert.equal(out.ARN, created.ARN);
    const days = ((out.DeletionDate?.getTime() ?? 0) - before) / 86_400_000;
    assert.ok(days > 6.9 && days < 7.1, `deletion date ~7 days out, got ${days}`);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'doomed' })), 'InvalidRequestException', /marked for deletion/);
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: 'doomed' }))).DeletedDate instanceof Date);
    const live = (await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['doomed'] }] }))).SecretList ?? [];
    assert.equal(live.length, 0);
    const planned = (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['doomed'] }] }))).SecretList ?? [];
    assert.equal(planned.length, 1);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'v' })), 'InvalidRequestException', /scheduled for deletion/);
    await rejectsWith(sm.send(new DeleteSecretCommand({ SecretId: 'doomed' })), 'InvalidRequestException');
    // A forced delete ends the recovery window now, and frees the name.
    await sm.send(new DeleteSecretCommand({ SecretId: 'doomed', ForceDeleteWithoutRecovery: true }));
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'doomed' })), 'ResourceNotFoundException');
    await sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'again' }));
  });

  it('answers the remaining rules: both value kinds, missing values and versions, filters, sort order, the end of the window', async () => {
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'a', SecretBinary: new Uint8Array([1]) })), 'InvalidParameterException');
    await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'empty' })), 'ResourceNotFoundException', /AWSCURRENT/);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionId: '00000000-0000-4000-8000-000000000000' })), 'ResourceNotFoundException', /VersionId/);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: undefined })), 'InvalidParameterException');
    await rejectsWith(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as 'name', Values: ['x'] }] })), 'InvalidParameterException');
    const asc = ((await sm.send(new ListSecretsCommand({ SortOrder: 'asc' }))).SecretList ?? []).map((x) => x.Name);
    const desc = ((await sm.send(new ListSecretsCommand({ SortOrder: 'desc' }))).SecretList ?? []).map((x) => x.Name);
    assert.ok(asc.length > 2);
    assert.deepEqual(desc, [...asc].reverse());

    // A much faster clock: 7 days of AWS time pass in ~0.6 s, and the scheduled secret is gone for good.
    await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'v' }));
    sb.world.config.timeScale = 0.000001;
    await sm.send(new DeleteSecretCommand({ SecretId: 'short-lived', RecoveryWindowInDays: 7 }));
    sb.world.config.timeScale = 0.001;
    await eventually(
      () => sm.send(new DescribeSecretCommand({ SecretId: 'short-lived' })).then(() => undefined, (e: Error) => (e.name === 'ResourceNotFoundException' ? true : undefined)),
      10_000,
      'the recovery window to end',
    );
    await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'v2' }));
  });

  it('deletes at once with ForceDeleteWithoutRecovery', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'now', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'now', ForceDeleteWithoutRecovery: true }));
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'now' })), 'ResourceNotFoundException');
    // "If you forcibly delete an already deleted or nonexistent secret, the operation does not return
    // ResourceNotFoundException" (DeleteSecret API reference).
    await sm.send(new DeleteSecretCommand({ SecretId: 'now', ForceDeleteWithoutRecovery: true }));
    await rejectsWith(sm.send(new DeleteSecretCommand({ SecretId: 'now' })), 'ResourceNotFoundException');
    await sm.send(new CreateSecretCommand({ Name: 'now', SecretString: 'again' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'now' }))).SecretString, 'again');
  });
});
