import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeleteServiceCommand, DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { readManifest } from '../../src/engine/manifest.js';
import { clientConfig } from '../sandbox/helpers.js';
import { calls, e2eSuite, mutatingCalls, resourceEventOf, runCli, stackArgs } from './cli.js';

const image = (tag: string): string => `public.ecr.aws/nginx/nginx:${tag}`;

/**
 * What `three-tier deploy` refuses, and what it reports when the rollout is taken from under it, each with what to
 * do, through the CLI against the sandbox: a stack whose up stopped before its service was made (STACK_INCOMPLETE,
 * exit 2, nothing called that changes anything), a deployment that someone else's deployment replaced while deploy
 * watched it (DEPLOY_SUPERSEDED, exit 1, the record cleared and the manifest still describing what runs), and a
 * stack whose ECS service was deleted outside three-tier (SERVICE_MISSING, exit 2, nothing changed); the fix each
 * names works.
 */
describe('deploy refuses a stack it cannot deploy to, and says what to do', () => {
  const suite = e2eSuite('deploy-refusals');
  const dir = suite.dir;
  const args = (stack: string): string[] => stackArgs(suite.sb, stack, join(dir, `${stack}.json`));
  const ecs = (): ECSClient => new ECSClient(clientConfig(suite.sb));
  const service = async (stack: string): Promise<Service> => {
    const svc = (await ecs().send(new DescribeServicesCommand({ cluster: stack, services: [`${stack}-api`] }))).services?.[0];
    assert.ok(svc, `the service ${stack}-api`);
    return svc;
  };

  it('a stack whose up stopped before its service was made: exit 2, STACK_INCOMPLETE naming what is missing and up; nothing changes', async () => {
    const stack = 'inc';
    // up is killed as soon as its first resource is made: the manifest records it, and no service.
    const killed = await runCli(['up', ...args(stack), '--image', image('1.27'), '--json'], {
      cwd: dir,
      killWhen: (line) => resourceEventOf(line)?.phase === 'ready',
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr.slice(-1500));
    const recorded = readManifest(join(dir, `${stack}.json`));
    assert.ok(recorded && Object.keys(recorded.resources).length > 0, 'the manifest records what up made');
    assert.equal(recorded.resources['ecs-service']?.identity, undefined, 'no service yet');

    const before = await calls(suite.sb);
    const r = await runCli(['deploy', ...args(stack), '--image', image('1.28')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr.slice(-2000));
    assert.match(r.stderr, /STACK_INCOMPLETE/);
    assert.match(r.stderr, /stack "inc" is not complete \([^)]*ecs-service[^)]* not made yet\): deploy needs a running service\. Nothing was changed\./);
    assert.match(r.stderr, /Try: .*three-tier up --stack inc/);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});

    // The fix it names: up finishes the stack, and deploy then takes it.
    const up = await runCli(['up', ...args(stack), '--image', image('1.27')], { cwd: dir });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    const again = await runCli(['deploy', ...args(stack), '--image', image('1.28')], { cwd: dir });
    assert.equal(again.code, 0, again.stderr.slice(-2000));
  });

  it("a deployment replaced by someone else's while deploy watches it: exit 1, DEPLOY_SUPERSEDED naming the other deployment and status", async () => {
    const stack = 'sup';
    const manifest = join(dir, `${stack}.json`);
    const up = await runCli(['up', ...args(stack), '--image', image('1.27')], { cwd: dir });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    const running = (await service(stack)).taskDefinition ?? '';
    assert.match(running, /:1$/);

    // Once deploy watches its rollout, someone redeploys the revision that ran before (aws ecs update-service).
    let other: Promise<string> | undefined;
    const r = await runCli(['deploy', ...args(stack), '--image', image('1.28'), '--json'], {
      cwd: dir,
      onLine: (line) => {
        const e = resourceEventOf(line);
        if (other !== undefined || e?.id !== 'ecs-service' || e.phase !== 'waiting' || !/^rollout /.test(e.detail ?? '')) return;
        other = ecs()
          .send(new UpdateServiceCommand({ cluster: stack, service: `${stack}-api`, taskDefinition: running, forceNewDeployment: true }))
          .then((out) => out.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id ?? '');
      },
    });
    assert.ok(other, 'the other deployment was started during the rollout');
    const otherId = await other;
    assert.match(otherId, /^ecs-svc\//);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    // The image is outside ECR, and a sandbox never reads outside registries: the plan says it went unchecked.
    const plan = r.stderr.split('\n').filter((l) => l.startsWith('{"type":"plan"')).map((l) => (JSON.parse(l) as { plan: { notes: string[] } }).plan)[0];
    assert.ok(plan?.notes.some((n) => /architecture was not checked: .*its registry is not read during a rehearsal/.test(n)), JSON.stringify(plan?.notes));
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string; hints: string[] } }).error;
    assert.equal(error.code, 'DEPLOY_SUPERSEDED');
    assert.match(error.message, /^the deployment of sup-api:2 was replaced by another deployment \(/);
    assert.ok(error.message.includes(`(${otherId} (sup-api:1))`), error.message);
    assert.ok(error.hints.some((h) => /three-tier status/.test(h)), error.hints.join(' | '));
    // Nothing is left in flight, and the manifest still describes what runs: the other deployment's revision.
    const m = readManifest(manifest);
    assert.equal(m?.deployment, undefined, 'the deployment record is cleared');
    assert.equal(m?.config.image, image('1.27'));
    assert.equal(m?.resources['task-definition']?.outputs?.['arn'], running);
    assert.equal((await service(stack)).taskDefinition, running);
  });

  it('a service deleted outside three-tier: exit 2, SERVICE_MISSING naming its state and up; nothing changes; up makes it again', async () => {
    const stack = 'sup';
    await ecs().send(new DeleteServiceCommand({ cluster: stack, service: `${stack}-api`, force: true }));
    const gone = (await service(stack)).status ?? '';
    assert.notEqual(gone, 'ACTIVE');

    const before = await calls(suite.sb);
    const r = await runCli(['deploy', ...args(stack), '--image', image('1.29')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr.slice(-2000));
    assert.match(r.stderr, /SERVICE_MISSING/);
    assert.match(r.stderr, /the ECS service sup-api of stack "sup" is (DRAINING|INACTIVE): there is nothing to deploy to\. Nothing was changed\./);
    assert.match(r.stderr, /Try: .*three-tier up --stack sup/);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});

    const fixed = await runCli(['up', ...args(stack)], { cwd: dir });
    assert.equal(fixed.code, 0, fixed.stderr.slice(-2000));
    assert.equal((await service(stack)).status, 'ACTIVE');
  });
});
