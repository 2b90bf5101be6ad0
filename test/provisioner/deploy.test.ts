import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeServicesCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { applyDeploy, planDeploy, type DeployOptions } from '../../src/deploy.js';
import { readManifest } from '../../src/engine/manifest.js';
import { openStack, planChangesSomething, planUp } from '../../src/provisioner.js';
import { watchRollout } from '../../src/rollout.js';
import { readOnlyContext } from '../../src/run.js';
import { ResourceType } from '../../src/sandbox/model.js';
import { control } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';
import { mutatingCalls, threeTierFailure } from './expect.js';
import { registerVariant } from './task-variant.js';
import { fakeDocker } from './fake-docker.js';
import { freePort } from '../../src/sandbox/dataplane/processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const STACK = 'dp';
/** Outside ECR: a rehearsal does not read its registry, and the sandbox's tasks pull it as linux/amd64. */
const AMD64_OUTSIDE = 'ghcr.io/example/api:amd64-only';

/**
 * `deploy` as plan and apply against the sandbox through the real SDK: a stack of ARM64 tasks (the sandbox's stand-in
 * push stages an arm64 image), then deploys that do nothing, that cannot succeed (each stops after the first
 * stopped task and rolls back, long before the circuit breaker's 3 failed tasks), that redeploy, that complete.
 */
describe('deploy: plan, apply and the rollout watcher against the sandbox', () => {
  let h: Harness;
  let repositoryUri = '';
  before(async () => {
    h = await harness({ stack: STACK, input: { cpuArchitecture: 'ARM64' } });
    await h.up();
    repositoryUri = readManifest(h.manifestPath)?.resources['ecr-repository']?.outputs?.['uri'] ?? '';
  });
  after(async () => h.close());

  const service = async (): Promise<Service> => {
    const svc = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
    assert.ok(svc);
    return svc;
  };
  const stage = async (tag: string, architecture: 'amd64' | 'arm64'): Promise<string> => {
    const r = await control<{ digest: string }>(h.sb, 'POST', '/_sandbox/images', { repository: `${STACK}-api`, tag, architecture });
    assert.equal(r.status, 201);
    return `${repositoryUri}:${tag}`;
  };
  const deploy = (extra: Partial<DeployOptions>) => h.deploy(extra);
  type Calls = Awaited<ReturnType<Harness['calls']>>;
  const describedTaskDefinitions = (before: Calls, after: Calls): number =>
    (after.operations['ecs:DescribeTaskDefinition'] ?? 0) - (before.operations['ecs:DescribeTaskDefinition'] ?? 0);
  /** The breaker's own verdict never came: no deployment failed event, no breaker rollback. */
  const assertBreakerNeverTripped = (svc: Service): void => {
    const events = (svc.events ?? []).map((e) => e.message ?? '');
    assert.ok(!events.some((m) => /deployment failed|rolling back to deployment/.test(m)), events.slice(0, 5).join('\n'));
  };

  it('deploying the image the service runs plans nothing and calls nothing that changes', async () => {
    const running = readManifest(h.manifestPath)?.resources['image']?.outputs?.['uri'] ?? '';
    const before = await h.calls();
    const { plan, result } = await deploy({ image: { kind: 'existing', uri: running }, imageAsked: true });
    assert.equal(plan.action, 'none', plan.reason);
    assert.equal(result.changed, false);
    assert.deepEqual(mutatingCalls(before, await h.calls()), {});
  });

  it('a paused stack is refused (usage) before any AWS call', async () => {
    const copy = join(h.dir, 'paused', `${STACK}.json`);
    mkdirSync(dirname(copy), { recursive: true });
    const m = readManifest(h.manifestPath);
    assert.ok(m);
    writeFileSync(copy, JSON.stringify({ ...m, paused: { since: new Date().toISOString(), deep: false, desiredCount: 1 } }));
    const before = await h.calls();
    const session = openStack(copy, 'deploy');
    try {
      const err = await threeTierFailure(planDeploy(session, { ...h.options(), manifestPath: copy, image: { kind: 'existing', uri: AMD64_OUTSIDE } } as DeployOptions));
      assert.equal(err.code, 'STACK_PAUSED');
      assert.equal(err.kind, 'usage');
      assert.match(err.hints.join('\n'), /three-tier resume --stack dp/);
    } finally {
      session.close();
    }
    assert.equal((await h.calls()).total, before.total);
  });

  it('an image of another architecture in ECR is refused before anything changes (usage)', async () => {
    const uri = await stage('x86', 'amd64');
    const before = await h.calls();
    const err = await threeTierFailure(deploy({ image: { kind: 'existing', uri }, imageAsked: true }));
    assert.equal(err.code, 'IMAGE_ARCH_MISMATCH');
    assert.equal(err.kind, 'usage');
    assert.deepEqual(mutatingCalls(before, await h.calls()), {});
  });

  it('an --image whose registry cannot be read: the plan says its architecture is unchecked, and why, and goes on to deploy it', async () => {
    const uri = 'ghcr.io/acme/api:unreadable';
    // Nothing listens at the registry's address: it cannot be read.
    const port = await freePort();
    const registry = { baseUrl: () => `http://127.0.0.1:${port}`, timeoutMs: 5_000 };
    const before = await h.calls();
    const session = openStack(h.manifestPath, 'deploy');
    try {
      const plan = await planDeploy(session, { ...h.options(), image: { kind: 'existing', uri, registry }, imageAsked: true } as DeployOptions);
      assert.equal(plan.action, 'deploy', plan.reason);
      assert.equal(plan.image, uri);
      const unchecked = plan.notes.filter((n) => /architecture was not checked/.test(n));
      assert.equal(unchecked.length, 1, plan.notes.join('\n'));
      assert.match(unchecked[0] ?? '', /ghcr\.io could not be reached \(ECONNREFUSED\)/);
      assert.ok(unchecked[0]?.includes(uri), 'names the image');
      assert.doesNotMatch(unchecked[0] ?? '', /not checked.*not checked/, 'says it once');
    } finally {
      session.close();
    }
    assert.deepEqual(mutatingCalls(before, await h.calls()), {});
  });

  it('exec format error: rolled back after the first stopped task, not after the breaker', async () => {
    const previous = (await service()).taskDefinition;
    const err = await threeTierFailure(deploy({ image: { kind: 'existing', uri: AMD64_OUTSIDE }, imageAsked: true }));
    assert.equal(err.code, 'DEPLOY_FAILED', err.message);
    assert.match(err.message, /exec format error/);
    assert.match(err.message, /rolled back to dp-api:1 at once/);
    assert.ok(err.hints.some((x) => /--platform linux\/amd64|buildx/.test(x)), err.hints.join('\n'));
    const svc = await service();
    assert.equal(svc.taskDefinition, previous, 'the service runs the previous revision again');
    assertBreakerNeverTripped(svc);
    const m = readManifest(h.manifestPath);
    assert.equal(m?.deployment, undefined, 'the deployment record is cleared');
    assert.equal(m?.config.image, undefined, 'the failed image did not become the stack image');
    assert.equal(m?.resources['task-definition']?.outputs?.['arn'], previous);
  });

  it('an image deleted after the plan: rolled back at the first "not found", not after the breaker', async () => {
    const uri = await stage('soon-gone', 'arm64');
    const previous = (await service()).taskDefinition;
    const opts: DeployOptions = { ...h.options(), image: { kind: 'existing', uri }, imageAsked: true } as DeployOptions;
    const session = openStack(h.manifestPath, 'deploy');
    try {
      const plan = await planDeploy(session, opts);
      assert.equal(plan.action, 'deploy');
      // Someone deletes the image between the check and the tasks' pull.
      for (const img of h.sb.world.list<{ tags: string[] }>(ResourceType.ecrImage)) if (img.data.tags.includes('soon-gone')) h.sb.world.remove(ResourceType.ecrImage, img.id);
      const err = await threeTierFailure(applyDeploy(session, plan, opts));
      assert.equal(err.code, 'DEPLOY_FAILED', err.message);
      assert.match(err.message, /does not exist in the registry/);
      assert.match(err.message, /CannotPullContainerError/);
    } finally {
      session.close();
    }
    const svc = await service();
    assert.equal(svc.taskDefinition, previous);
    assertBreakerNeverTripped(svc);
  });

  it('a new image completes: a new revision, recorded as the stack image once the rollout completed', async () => {
    const uri = await stage('v2', 'arm64');
    const calls = await h.calls();
    const { plan, result } = await deploy({ image: { kind: 'existing', uri }, imageAsked: true });
    assert.equal(plan.action, 'deploy');
    assert.equal(result.changed, true);
    // Each task definition is described once in the run: the service's and the family's latest (neither matches, so
    // a revision is registered, whose family and revision come with RegisterTaskDefinition's answer). It was 6: plan
    // and apply each described both again, and the new revision was described once the rollout completed.
    assert.equal(describedTaskDefinitions(calls, await h.calls()), 2);
    const svc = await service();
    assert.equal(svc.taskDefinition, result.taskDefinitionArn);
    assert.notEqual(result.taskDefinitionArn, plan.current.taskDefinitionArn);
    const primary = svc.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(primary?.rolloutState, 'COMPLETED');
    const m = readManifest(h.manifestPath);
    assert.equal(m?.config.image, uri);
    assert.equal(m?.resources['task-definition']?.outputs?.['arn'], result.taskDefinitionArn);
    assert.match(m?.resources['image']?.outputs?.['uri'] ?? '', /@sha256:/, 'deployed by digest');
    assert.equal(m?.deployment, undefined);
  });

  it('--force: a fresh deployment of the same revision', async () => {
    const before = await service();
    const oldId = before.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    const { plan, result } = await deploy({ image: { kind: 'existing', uri: readManifest(h.manifestPath)?.config.image ?? '' }, force: true });
    assert.equal(plan.action, 'force');
    assert.equal(result.changed, true);
    const after = await service();
    const primary = after.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(after.taskDefinition, before.taskDefinition, 'the same revision');
    assert.notEqual(primary?.id, oldId, 'a new deployment');
    assert.equal(primary?.id, result.deploymentId);
    assert.equal(primary?.rolloutState, 'COMPLETED');
  });

  it('without --image: api/ is built for the tasks and pushed to the stack repository, then rolled out', async () => {
    const docker = fakeDocker(h.dir, h.sb.endpoint);
    const before = await service();
    const calls = await h.calls();
    const { plan, result } = await deploy({ image: { kind: 'build', contextDir: ROOT, docker: docker.path } });
    assert.equal(plan.action, 'deploy');
    // The service's revision (described by the plan, used again by apply) and, once built, the family's latest. It was 4.
    assert.equal(describedTaskDefinitions(calls, await h.calls()), 2);
    const build = docker.calls().find((c) => c.args[0] === 'buildx' && c.args[1] === 'build');
    assert.ok(build, 'docker buildx build ran');
    assert.equal(build.args[build.args.indexOf('--platform') + 1], 'linux/arm64');
    assert.ok(result.image.startsWith(`${repositoryUri}@sha256:`), result.image);
    const after = await service();
    assert.notEqual(after.taskDefinition, before.taskDefinition);
    assert.equal(after.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState, 'COMPLETED');
  });

  it('the watcher reports a breaker rollback as the breaker failing, with the revision it went back to', async () => {
    // Health checks that fail (RDS refuses a connection without TLS): retries might fix that, so deploy leaves it to
    // the breaker, which fails the deployment after its 3 failed tasks and rolls back.
    const current = await service();
    const arn = await registerVariant(h.clients.ecs, current.taskDefinition, (c) => ({ ...c, environment: (c.environment ?? []).map((e) => (e.name === 'DB_SSL' ? { name: 'DB_SSL', value: 'disable' } : e)) }));
    const up = await h.clients.ecs.send(new UpdateServiceCommand({ cluster: STACK, service: `${STACK}-api`, taskDefinition: arn }));
    const id = up.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id ?? '';
    const ctx = readOnlyContext(h.options(), h.config, { id: 'ecs-service' }, (x) => readManifest(h.manifestPath)?.resources[x]?.outputs ?? {});
    const outcome = await watchRollout(ctx, { cluster: STACK, service: `${STACK}-api`, taskDefinitionArn: arn, deploymentId: id }, { report: () => undefined });
    assert.equal(outcome.kind, 'breaker');
    assert.ok(outcome.kind === 'breaker' && outcome.rolledBackTo === current.taskDefinition, JSON.stringify(outcome));
  });
});

/**
 * The seed author's trap: a first deployment the circuit breaker fails has nothing to roll back to, `up` never sees
 * the service ready, and later deployments of the same revision keep failing. deploy works on such a stack: a
 * forced redeploy of the broken revision fails fast and says there is nothing to roll back to; a working image
 * completes, and the stack is whole for `up` again.
 */
describe('deploy after a first deployment the circuit breaker failed', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'dq', input: { cpuArchitecture: 'ARM64' } });
    const err = await threeTierFailure(h.up({ image: { kind: 'existing', uri: AMD64_OUTSIDE } }));
    assert.equal(err.code, 'SERVICE_DEPLOYMENT_FAILED');
  });
  after(async () => h.close());

  const run = async (extra: Partial<DeployOptions>) => (await h.deploy(extra)).result;

  it('--force of the broken revision fails fast, with nothing to roll back to', async () => {
    const err = await threeTierFailure(run({ image: { kind: 'existing', uri: AMD64_OUTSIDE }, force: true }));
    assert.equal(err.code, 'DEPLOY_FAILED', err.message);
    assert.match(err.message, /exec format error/);
    assert.match(err.message, /not rolled back: there is no earlier completed revision/);
  });

  it('a working image completes, and up then finds nothing to do', async () => {
    const result = await run({});
    assert.equal(result.changed, true);
    const m = readManifest(h.manifestPath);
    assert.equal(m?.resources['ecs-service']?.status, 'ready');
    const session = openStack(h.manifestPath, 'up');
    try {
      const plan = await planUp(session, h.options());
      assert.equal(planChangesSomething(plan), false, JSON.stringify(plan.steps.filter((s) => s.action !== 'none')));
    } finally {
      session.close();
    }
  });
});
