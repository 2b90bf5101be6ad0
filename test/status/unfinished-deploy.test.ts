import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '@aws-sdk/client-ecs';
import { paint } from '../../cli/render/color.js';
import { formatStatus } from '../../cli/render/status.js';
import type { DeployOptions, DeployResult } from '../../src/deploy.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { ManifestStore, readManifest } from '../../src/engine/manifest.js';
import { openStack } from '../../src/provisioner.js';
import type { StackStatus } from '../../src/status/model.js';
import { failed, seen } from '../../src/status/read.js';
import { unfinishedDeploy } from '../../src/status/unfinished-deploy.js';
import { harness, type Harness } from '../provisioner/harness.js';
import { threeTierFailure } from '../provisioner/expect.js';
import { registerVariant } from '../provisioner/task-variant.js';
import { statusOf, statusWhen } from './support.js';

const STACK = 'half';
/** Outside ECR: the sandbox's tasks pull it without a registry to read. */
const IMAGE = 'public.ecr.aws/nginx/nginx:1.29';

/**
 * A deploy that did not see its end: stopped (its signal aborted, as Ctrl-C does) while it watched the rollout, it
 * leaves its record in the manifest, which the next deploy continues. Status reads that record (no AWS call of its
 * own) and says it: while ECS rolls it out the stack is changing; once ECS completed it the stack is healthy, its
 * new revision is not drift, and the record is named with the command that records the outcome; after that
 * command, nothing is said. A record of a deploy stopped before UpdateService, and one a running deploy is
 * watching, are said as such.
 */
describe('status tells of a deploy that did not see its end', () => {
  let h: Harness;
  before(async () => {
    // Slower than the other status tests: the rollout stays in progress long enough (seconds) to be observed.
    h = await harness({ stack: STACK, timeScale: 0.02, pollMs: 100 });
    await h.up();
  });
  after(async () => h.close());

  const text = (s: StackStatus): string => formatStatus(s, paint(false));
  const deploy = async (extra: Partial<DeployOptions>): Promise<DeployResult> => (await h.deploy(extra)).result;

  it('says nothing of a deploy when the manifest records none', async () => {
    const s = await statusWhen(h, (x) => x.verdict === 'healthy', 'the new stack healthy');
    assert.equal(s.deployment, undefined);
    assert.equal('deployment' in JSON.parse(JSON.stringify(s)), false, 'no field in the JSON');
    assert.doesNotMatch(text(s), /Deploy of|three-tier deploy/);
  });

  it('a deploy stopped during its rollout: changing, with the revision, the image and what watches it again', async () => {
    const stop = new AbortController();
    const events = (e: EngineEvent): void => {
      if (e.type === 'resource' && e.id === 'ecs-service' && e.phase === 'waiting' && /^rollout /.test(e.detail ?? '')) stop.abort();
    };
    const err = await threeTierFailure(deploy({ image: { kind: 'existing', uri: IMAGE }, imageAsked: true, events, signal: stop.signal }));
    assert.equal(err.code, 'INTERRUPTED', err.message);
    const record = readManifest(h.manifestPath)?.deployment;
    assert.ok(record?.deploymentId, 'the deploy recorded its deployment, as Ctrl-C leaves it');

    const s = await statusOf(h);
    assert.equal(s.deployment?.rollout, 'in-progress', JSON.stringify(s.deployment));
    assert.equal(s.verdict, 'changing', JSON.stringify([s.reasons, s.drift]));
    assert.deepEqual(s.drift, [], 'the revision the deploy rolls out is not drift');
    assert.ok(s.reasons.some((r) => r === `ECS is rolling out ${STACK}-api:2, which a three-tier deploy started ${record.startedAt} and did not see to its end`), s.reasons.join('; '));
    assert.deepEqual(
      { ...s.deployment, note: undefined },
      { taskDefinitionArn: record.taskDefinitionArn, revision: `${STACK}-api:2`, image: IMAGE, startedAt: record.startedAt, deploymentId: record.deploymentId, previousTaskDefinitionArn: record.previousTaskDefinitionArn, rollout: 'in-progress', watched: false, command: `three-tier deploy --stack ${STACK}`, note: undefined },
    );
    assert.match(text(s), new RegExp(`\\n  Deploy of ${STACK}-api:2 \\(public\\.ecr\\.aws/nginx/nginx:1\\.29\\), started ${record.startedAt}: ECS is still rolling it out; the deploy that started it did not see its end: \`three-tier deploy --stack ${STACK}\` watches it again to its end`));
  });

  it('once ECS completed it: healthy, not drift, and the command that records the outcome', async () => {
    const s = await statusWhen(h, (x) => x.deployment?.rollout === 'completed' && x.service?.health === 'ok', 'the rollout completed');
    assert.equal(s.verdict, 'healthy', JSON.stringify([s.reasons, s.drift]));
    assert.deepEqual(s.reasons, []);
    assert.deepEqual(s.drift, []);
    assert.equal(s.deployment?.command, `three-tier deploy --stack ${STACK}`);
    assert.match(text(s), new RegExp(`Deploy of ${STACK}-api:2 .*: ECS completed it; the deploy that started it did not see its end: \`three-tier deploy --stack ${STACK}\` records the outcome \\(until then up and resume refuse to run\\)\\.`));
  });

  it('the next deploy records the outcome: then status says nothing of it', async () => {
    const r = await deploy({ image: { kind: 'existing', uri: IMAGE }, imageAsked: true });
    assert.equal(r.action, 'continue');
    assert.equal(readManifest(h.manifestPath)?.deployment, undefined);
    const s = await statusOf(h);
    assert.equal(s.verdict, 'healthy', JSON.stringify([s.reasons, s.drift]));
    assert.equal(s.deployment, undefined);
    assert.doesNotMatch(text(s), /Deploy of/);
  });

  it('a deploy stopped before UpdateService: not started, the verdict what ECS shows, no AWS call of its own; a running deploy watches it', async () => {
    const before = readManifest(h.manifestPath);
    const arn = await registerVariant(h.clients.ecs, before?.resources['task-definition']?.outputs?.['arn'], (c) => ({ ...c, image: 'public.ecr.aws/nginx/nginx:1.30' }));
    const plain = await h.calls();
    await statusOf(h);
    const withoutRecord = (await h.calls()).total - plain.total;
    const store = ManifestStore.open(h.manifestPath, { config: h.config });
    // What deploy writes just before it calls UpdateService (src/deploy.ts applyDeploy).
    store.setDeployment({ startedAt: new Date().toISOString(), source: 'public.ecr.aws/nginx/nginx:1.30', image: 'public.ecr.aws/nginx/nginx:1.30', taskDefinitionArn: arn });
    try {
      const counted = await h.calls();
      const s = await statusOf(h);
      assert.equal((await h.calls()).total - counted.total, withoutRecord, 'the same calls as without the record');
      assert.equal(s.deployment?.rollout, 'not-started');
      assert.equal(s.verdict, 'healthy', JSON.stringify([s.reasons, s.drift]));
      assert.match(s.deployment?.note ?? '', /^ECS has not been asked to roll it out yet; the deploy that started it did not see its end: `three-tier deploy --stack half` starts it and watches it to its end/);

      const session = openStack(h.manifestPath, 'deploy');
      try {
        const watched = await statusOf(h);
        assert.equal(watched.deployment?.watched, true);
        assert.equal(watched.deployment?.command, undefined, 'nothing to run while a deploy watches it');
        assert.match(text(watched), /Deploy of half-api:3 .*: ECS has not been asked to roll it out yet; the three-tier deploy holding the lock is watching it\./);
      } finally {
        session.close();
      }
    } finally {
      store.setDeployment(undefined);
    }
  });

  it('a deployment ECS no longer lists (rolled back or replaced): said so, the verdict what ECS shows', async () => {
    const m = readManifest(h.manifestPath);
    const arn = m?.resources['task-definition']?.outputs?.['arn'] ?? '';
    const store = ManifestStore.open(h.manifestPath, { config: h.config });
    // A deploy killed after UpdateService answered, whose deployment another one has since replaced.
    store.setDeployment({ startedAt: new Date().toISOString(), source: IMAGE, image: IMAGE, taskDefinitionArn: arn.replace(/:\d+$/, ':1'), deploymentId: 'ecs-svc/1111111111111111111', previousTaskDefinitionArn: arn });
    try {
      const s = await statusOf(h);
      assert.equal(s.deployment?.rollout, 'replaced');
      assert.equal(s.verdict, 'healthy', JSON.stringify([s.reasons, s.drift]));
      assert.match(s.deployment?.note ?? '', /^it is no longer the service's deployment \(the circuit breaker rolled it back, or another deployment replaced it\); .*`three-tier deploy --stack half` records the outcome/);
    } finally {
      store.setDeployment(undefined);
    }
  });
});

/**
 * The states the sandbox shows only for an instant (a failed deployment is gone once the breaker's rollback
 * completes) or not on demand (a read that fails), read from a service value built by hand as DescribeServices
 * answers it.
 */
describe('what ECS shows of an unfinished deploy, from the service status read', () => {
  const td = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/half-api:${n}`;
  const record = { startedAt: '2026-01-30T09:12:01.532Z', source: IMAGE, image: IMAGE, taskDefinitionArn: td(3), deploymentId: 'ecs-svc/3', previousTaskDefinitionArn: td(2) };

  it('failed while the circuit breaker rolls back; unknown when the service could not be read', () => {
    const service: Service = {
      deployments: [
        { id: 'ecs-svc/4', status: 'PRIMARY', taskDefinition: td(2), rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/3', status: 'ACTIVE', taskDefinition: td(3), rolloutState: 'FAILED' },
      ],
    };
    const rollingBack = seen(service);
    const f = unfinishedDeploy(record, rollingBack, undefined, '--stack half');
    assert.equal(f?.rollout, 'failed');
    assert.equal(f?.note, 'the circuit breaker failed it; the deploy that started it did not see its end: `three-tier deploy --stack half` records the outcome (until then up and resume refuse to run)');
    assert.equal(unfinishedDeploy(record, failed, undefined, '--stack half')?.rollout, 'unknown');
    assert.equal(unfinishedDeploy(undefined, rollingBack, undefined, '--stack half'), undefined);
  });
});
