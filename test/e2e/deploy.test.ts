import { after, before, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeleteRouteCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { RESOURCE_TAG, STACK_TAG } from '../../src/engine/kind.js';
import { readManifest } from '../../src/engine/manifest.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { StackStatus } from '../../src/status/model.js';
import { clientConfig, eventually, sandbox } from '../sandbox/helpers.js';
import { calls, mutatingCalls, resourceEventOf, runCli, scratchDir, stackArgs, TIME_SCALE } from './cli.js';

const STACK = 'dpl';
const image = (tag: string): string => `public.ecr.aws/nginx/nginx:${tag}`;

/**
 * `three-tier deploy` end to end: the CLI as a subprocess against the sandbox over HTTP with the real SDK. A deploy
 * with nothing new changes nothing; a new image rolls out and becomes the stack's image (a later `up` keeps it); a
 * forced redeploy makes a new deployment of the same revision; a rollout that cannot succeed (the secret unreadable,
 * no route to the registry) is rolled back at once with the cause and exit 1; a killed deploy is continued by the
 * next one, which also reports a circuit breaker rollback that happened meanwhile as the failure it is.
 */
describe('three-tier deploy, through the CLI', () => {
  // The simulated cloud runs at half the pace of the CLI's polls (--time-scale of stackArgs): a task's failure takes
  // twice as long in wall time as the CLI expects, so a CPU-starved CLI still sees the first stopped task before
  // the breaker's third one, as it does on AWS with its 5-second polls.
  const dir = scratchDir('deploy-cmd');
  let sb: Sandbox | undefined;
  before(async () => {
    sb = await sandbox({ world: { timeScale: TIME_SCALE * 2, faults: { eniLingerMs: 300 } as never } });
  });
  after(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const suite = {
    get sb(): Sandbox {
      if (!sb) throw new Error('the sandbox starts before the tests');
      return sb;
    },
  };
  const manifest = join(dir, `${STACK}.json`);
  const args = (): string[] => stackArgs(suite.sb, STACK, manifest);
  const deploy = (extra: string[], o: Partial<Parameters<typeof runCli>[1]> = {}) => runCli(['deploy', ...args(), ...extra], { cwd: dir, ...o });
  const up = () => runCli(['up', ...args()], { cwd: dir });
  const ecs = () => new ECSClient(clientConfig(suite.sb));
  const service = async (): Promise<Service> => {
    const svc = (await ecs().send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
    assert.ok(svc);
    return svc;
  };
  const imageOf = async (taskDefinition: string | undefined): Promise<string | undefined> =>
    (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition?.containerDefinitions?.[0]?.image;
  const policy = { RoleName: `${STACK}-us-east-1-task-execution`, PolicyName: `${STACK}-task-execution` };
  /** Take the secret statement out of the execution role's policy (image pull and logs stay); the function returned puts it back. */
  const breakSecretPolicy = async (): Promise<() => Promise<void>> => {
    const iam = new IAMClient(clientConfig(suite.sb));
    const document = decodeURIComponent((await iam.send(new GetRolePolicyCommand(policy))).PolicyDocument ?? '');
    const parsed = JSON.parse(document) as { Statement: { Action: string | string[] }[] };
    const statements = parsed.Statement.filter((st) => ![st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    assert.ok(statements.length < parsed.Statement.length, 'the policy had a secret statement');
    await iam.send(new PutRolePolicyCommand({ ...policy, PolicyDocument: JSON.stringify({ ...parsed, Statement: statements }) }));
    return async () => {
      await iam.send(new PutRolePolicyCommand({ ...policy, PolicyDocument: document }));
    };
  };
  const rolloutWatched = (line: string): boolean => {
    const e = resourceEventOf(line);
    return e?.id === 'ecs-service' && e.phase === 'waiting' && /^rollout /.test(e.detail ?? '');
  };

  it('a stack to deploy to', async () => {
    const r = await runCli(['up', ...args(), '--image', image('1.27')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  });

  it('bad input exits 2 and changes nothing', async () => {
    const before = await calls(suite.sb);
    const bad = await deploy(['--image', 'Not An Image']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /Not An Image/);
    const both = await deploy(['--image', image('1.28'), '--force']);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--image and --force/);
    const none = await runCli(['deploy', ...stackArgs(suite.sb, 'nosuch', join(dir, 'nosuch.json'))], { cwd: dir });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /no stack "nosuch" to deploy/);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
  });

  it('the image the service runs already: says so, and no call changes anything', async () => {
    const before = await calls(suite.sb);
    const r = await deploy(['--image', image('1.27')]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, /Nothing new to deploy/);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
  });

  it('a new image rolls out, becomes the stack image, and a later up keeps it', async () => {
    const r = await deploy(['--image', image('1.28'), '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout) as { changed: boolean; taskDefinition: string; image: string };
    assert.equal(out.changed, true);
    assert.equal(out.image, image('1.28'));
    const svc = await service();
    assert.equal(svc.taskDefinition, out.taskDefinition);
    assert.equal(await imageOf(svc.taskDefinition), image('1.28'));
    assert.equal(readManifest(manifest)?.config.image, image('1.28'));
    const again = await up();
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.match(again.stderr, /nothing changed/);
  });

  it('--force starts a new deployment of the same revision', async () => {
    const before = await service();
    const r = await deploy(['--force']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const after = await service();
    const primary = after.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(after.taskDefinition, before.taskDefinition);
    assert.notEqual(primary?.id, before.deployments?.find((d) => d.status === 'PRIMARY')?.id);
    assert.equal(primary?.rolloutState, 'COMPLETED');
  });

  it('a secret the tasks cannot read: rolled back at once, exit 1 with the cause and the fix', async () => {
    const previous = (await service()).taskDefinition;
    await breakSecretPolicy();
    const r = await deploy(['--image', image('1.29')]);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.match(r.stderr, /DEPLOY_FAILED/);
    assert.match(r.stderr, /could not read one of the stack's secrets/);
    assert.match(r.stderr, /rolled back to dpl-api:\d+ at once/);
    assert.match(r.stderr, /Try: .*GetSecretValue/);
    const svc = await service();
    assert.equal(svc.taskDefinition, previous, 'the previous revision runs');
    assert.ok(!(svc.events ?? []).some((e) => /deployment failed/.test(e.message ?? '')), 'the circuit breaker never had to trip');
    // up repairs the role's policy (and keeps the image that runs).
    const fixed = await up();
    assert.equal(fixed.code, 0, fixed.stderr.slice(-2000));
  });

  it('no route to the registry: rolled back at once, exit 1 naming the route', async () => {
    const previous = (await service()).taskDefinition;
    const ec2 = new EC2Client(clientConfig(suite.sb));
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: [STACK] }, { Name: `tag:${RESOURCE_TAG}`, Values: ['route-table-private'] }] }));
    await ec2.send(new DeleteRouteCommand({ RouteTableId: tables.RouteTables?.[0]?.RouteTableId, DestinationCidrBlock: '0.0.0.0/0' }));
    const r = await deploy(['--image', image('1.29')]);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.match(r.stderr, /DEPLOY_FAILED/);
    assert.match(r.stderr, /no working route out/);
    assert.equal((await service()).taskDefinition, previous);
    const fixed = await up();
    assert.equal(fixed.code, 0, fixed.stderr.slice(-2000));
  });

  it('a deploy stopped with Ctrl-C during the rollout exits 130 and is finished by the next one', async () => {
    let sent = false;
    const stopped = await deploy(['--image', image('1.30'), '--json'], {
      onLine: (line, child) => {
        if (!sent && rolloutWatched(line)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(stopped.code, 130, stopped.stderr.slice(-1500));
    const record = readManifest(manifest)?.deployment;
    assert.ok(record, 'the deployment in flight is recorded');
    const notUp = await up();
    assert.equal(notUp.code, 2, notUp.stderr.slice(-1500));
    assert.match(notUp.stderr, /DEPLOY_IN_FLIGHT[^\n]*up would undo it/);

    // status names the deploy not seen to its end, and the command that continues it (the flags status was given).
    const command = `three-tier deploy --stack ${STACK} --manifest ${manifest} --endpoint-url ${suite.sb.endpoint} --time-scale ${TIME_SCALE}`;
    const json = await runCli(['status', ...args(), '--json'], { cwd: dir });
    const s = JSON.parse(json.stdout) as StackStatus;
    assert.equal(json.code, s.verdict === 'healthy' ? 0 : 3, json.stderr);
    assert.equal(s.verdict, s.deployment?.rollout === 'in-progress' ? 'changing' : 'healthy', JSON.stringify([s.reasons, s.deployment]));
    assert.deepEqual(
      [s.deployment?.taskDefinitionArn, s.deployment?.image, s.deployment?.startedAt, s.deployment?.command],
      [record.taskDefinitionArn, image('1.30'), record.startedAt, command],
    );
    const human = await runCli(['status', ...args()], { cwd: dir });
    const line = human.stdout.split('\n').find((l) => l.startsWith('  Deploy of '));
    assert.ok(line, human.stdout.slice(0, 1500));
    assert.ok(line.startsWith(`  Deploy of ${record.taskDefinitionArn.split('/').pop() ?? ''} (${image('1.30')}), started ${record.startedAt}: `), line);
    assert.ok(line.includes(`\`${command}\``), line);

    // What status says to run continues it, as it promises (no --yes needed: nothing new is asked).
    const r = await runCli(command.split(' ').slice(1), { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, /continue:/);
    assert.equal(await imageOf((await service()).taskDefinition), image('1.30'));
    const m = readManifest(manifest);
    assert.equal(m?.deployment, undefined);
    assert.equal(m?.config.image, image('1.30'));
    const later = await runCli(['status', ...args(), '--json'], { cwd: dir });
    assert.equal((JSON.parse(later.stdout) as StackStatus).deployment, undefined, 'seen to its end: status says nothing of it');
  });

  it('a circuit breaker rollback while deploy was not watching is reported as a failure (exit 1)', async () => {
    const repair = await breakSecretPolicy();
    const killed = await deploy(['--image', image('1.31'), '--json'], { killWhen: rolloutWatched });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr.slice(-1500));
    const ours = readManifest(manifest)?.deployment?.deploymentId;
    assert.ok(ours, 'the deployment id is recorded');
    await eventually(async () => {
      const svc = await service();
      const d = svc.deployments?.find((x) => x.id === ours);
      return d === undefined || d.rolloutState === 'FAILED' ? svc : undefined;
    }, 15_000, 'the circuit breaker to fail the deployment');
    // status says the breaker ended it (failed, or already replaced by its rollback) and what records the outcome.
    const st = JSON.parse((await runCli(['status', ...args(), '--json'], { cwd: dir })).stdout) as StackStatus;
    assert.ok(st.deployment?.rollout === 'failed' || st.deployment?.rollout === 'replaced', JSON.stringify(st.deployment));
    assert.match(st.deployment.note, /circuit breaker.*records the outcome/);
    const r = await deploy([]);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.match(r.stderr, /DEPLOY_ROLLED_BACK/);
    assert.match(r.stderr, /circuit breaker/);
    assert.match(r.stderr, /is NOT deployed/);
    assert.equal(await imageOf((await service()).taskDefinition), image('1.30'), 'the previous image runs');
    assert.equal(readManifest(manifest)?.config.image, image('1.30'));
    // The breaker's rollback deployment starts its tasks with the same role: with the policy back, it completes.
    await repair();
    await eventually(async () => ((await service()).deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState === 'COMPLETED' ? true : undefined), 15_000, 'the rollback to complete');
  });
});
