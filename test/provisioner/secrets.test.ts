import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { eventually } from '../sandbox/helpers.js';
import { DeleteSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { UpResult } from '../../src/provisioner.js';
import { statusOf } from '../status/support.js';
import { harness, type Harness } from './harness.js';

/**
 * The secrets three-tier generates for a stack, against the sandbox through the real SDK: a secret deleted outside
 * three-tier (scheduled for deletion, so its name stays taken) is drift, and `up` makes a new one under the same
 * name and deploys it.
 */
describe("the stack's generated secrets", () => {
  let h: Harness;
  let first: UpResult;
  before(async () => {
    h = await harness({ stack: 'keys' });
    first = await h.up();
  });
  after(async () => h.close());

  it('a key scheduled for deletion outside three-tier is drift; up replaces it under its name and deploys the new one', async () => {
    const oldArn = first.outputs['api-key']?.['arn'] ?? '';
    await h.clients.secrets.send(new DeleteSecretCommand({ SecretId: oldArn, RecoveryWindowInDays: 7 }));
    const s = await statusOf(h);
    assert.ok(s.drift.some((d) => d.resource === 'api-key' && d.change === 'deleted'), JSON.stringify(s.drift));

    const again = await h.up();
    assert.ok(again.created.includes('api-key'), `created: ${again.created.join(', ')}`);
    const newArn = again.outputs['api-key']?.['arn'] ?? '';
    assert.notEqual(newArn, oldArn);
    const described = await h.clients.secrets.send(new DescribeSecretCommand({ SecretId: 'keys/api-key' }));
    assert.equal(described.ARN, newArn);
    assert.equal(described.DeletedDate, undefined);
    const td = (await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: again.outputs['task-definition']?.['arn'] }))).taskDefinition;
    assert.equal(td?.containerDefinitions?.[0]?.secrets?.find((x) => x.name === 'API_KEY')?.valueFrom, newArn);
    assert.equal((await statusOf(h)).verdict, 'healthy');
  });

  it('the cache requires its AUTH token: a revision without REDIS_AUTH_TOKEN fails its health checks with NOAUTH', async () => {
    const arn = (await h.up()).outputs['task-definition']?.['arn'];
    const td = (await h.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
    assert.ok(td?.containerDefinitions?.[0]);
    const container = { ...td.containerDefinitions[0], secrets: (td.containerDefinitions[0].secrets ?? []).filter((x) => x.name !== 'REDIS_AUTH_TOKEN') };
    const input: RegisterTaskDefinitionCommandInput = {
      family: td.family,
      networkMode: td.networkMode,
      requiresCompatibilities: td.requiresCompatibilities,
      cpu: td.cpu,
      memory: td.memory,
      executionRoleArn: td.executionRoleArn,
      containerDefinitions: [container],
    };
    const bare = (await h.clients.ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition?.taskDefinitionArn;
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'keys', service: 'keys-api', taskDefinition: bare }));
    // The tasks fail their health checks, ECS replaces them, and the circuit breaker rolls the service back.
    const failed = await eventually(
      async () => (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'keys', services: ['keys-api'] }))).services?.[0]?.deployments?.find((d) => d.taskDefinition === bare && d.rolloutState === 'FAILED'),
      30_000,
      'the revision without the token to fail',
    );
    assert.ok(failed);
    const lines = await h.clients.logs.send(new FilterLogEventsCommand({ logGroupName: '/three-tier/keys/api', filterPattern: '"NOAUTH"' }));
    assert.ok((lines.events ?? []).some((e) => e.message?.includes('NOAUTH Authentication required.')), JSON.stringify(lines.events));
  });
});
