import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { ResourcePhase } from '../../src/engine/events.js';
import { readManifest } from '../../src/engine/manifest.js';
import { clientConfig } from '../sandbox/helpers.js';
import { assertCompleteStack } from '../provisioner/expect.js';
import { calls, countByType, e2eSuite, mutatingCalls, resourceEventOf, runCli, stackArgs, stackResources, taggedWith } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/**
 * Kill points along the command's own order (each resource is worked on only after the one before it is done), so
 * every point is reached by the run after the previous kill: [resource, phase of its progress event].
 */
type KillPoint = readonly [id: string, phase: ResourcePhase];
// Pause: the service is scaled down first, then the route, the NAT gateway and its address go in turn.
const PAUSE_POINTS: KillPoint[] = [
  ['ecs-service', 'waiting'],
  ['nat-gateway', 'deleting'],
  ['nat-eip', 'deleting'],
];
// Resume: the address, then the NAT gateway (killed once its create is recorded), then the service.
const RESUME_POINTS: KillPoint[] = [
  ['nat-eip', 'creating'],
  ['nat-gateway', 'waiting'],
  ['ecs-service', 'waiting'],
];

/**
 * `three-tier pause` and `resume` as a user runs them: the real CLI as a subprocess against a sandbox the test holds.
 * Each is killed with SIGKILL at several points and run again; the stack converges, and a second run changes nothing.
 */
describe('three-tier pause / resume as a subprocess against the sandbox', () => {
  const suite = e2eSuite('pause');
  const manifest = (): string => join(suite.dir, 'idle.json');
  const args = (): string[] => [...stackArgs(suite.sb, 'idle', manifest()), '--json'];
  const run = (command: string[]) => runCli(command, { cwd: suite.dir });
  const dbResourceId = async (): Promise<string | undefined> =>
    (await new RDSClient(clientConfig(suite.sb)).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'idle-db' }))).DBInstances?.[0]?.DbiResourceId;
  /** Run the command, SIGKILLed at each point in turn; every point must be reached. */
  const killedAt = async (command: string[], points: readonly KillPoint[], afterKill: (point: KillPoint) => void): Promise<void> => {
    for (const point of points) {
      const r = await runCli(command, {
        cwd: suite.dir,
        killWhen: (line) => {
          const e = resourceEventOf(line);
          return e !== undefined && e.id === point[0] && e.phase === point[1];
        },
      });
      assert.equal(r.signal, 'SIGKILL', `${command[0] ?? ''} was not killed at ${point.join(' ')}: ${r.stderr.slice(-1500)}`);
      afterKill(point);
    }
  };
  let dbBefore: string | undefined;

  before(async () => {
    const r = await run(['up', ...args(), '--image', IMAGE]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    dbBefore = await dbResourceId();
  });

  it('pause killed at several points, then run again, ends paused; a second pause says so and changes nothing', async () => {
    // The pause record is written before anything changes: a pause that stopped halfway is a paused stack.
    await killedAt(['pause', ...args()], PAUSE_POINTS, (p) => assert.ok(readManifest(manifest())?.paused, `paused after a kill at ${p.join(' ')}`));
    const final = await run(['pause', ...args()]);
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    const counts = await countByType(suite.sb, 'idle');
    assert.deepEqual([counts['nat-gateway'], counts['elastic-ip'], counts['ecs-task']], [undefined, undefined, undefined]);
    assert.equal(counts['db-instance'], 1);

    const before = await calls(suite.sb);
    const again = await run(['pause', ...args()]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
    const plain = await run(['pause', ...stackArgs(suite.sb, 'idle', manifest())]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /is already paused \(since .*\); nothing changed/);
    assert.match(plain.stderr, /Still billed while it is paused: about \$\d+\.\d\d\/month/);
    assert.match(plain.stderr, /AWS starts the stopped database again on its own on \d{4}-\d\d-\d\d/);
    assert.match(plain.stderr, /npx three-tier resume --stack idle/);
  });

  it('up on the paused stack exits 2 with the command that resumes it, and changes nothing', async () => {
    const before = await calls(suite.sb);
    const r = await run(['up', ...stackArgs(suite.sb, 'idle', manifest())]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /STACK_PAUSED/);
    assert.match(r.stderr, /three-tier resume --stack idle --manifest .* --endpoint-url /);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
  });

  it('pause and resume refuse bad input with exit 2 and change nothing', async () => {
    const before = await calls(suite.sb);
    const cases: [string[], RegExp][] = [
      [['pause', '--stack', 'Idle', '--yes'], /stack name "Idle" does not start with a lowercase letter/],
      [['resume', '--yes'], /no stack name given: pass --stack NAME \(the stack to resume\)/],
      [['pause', ...stackArgs(suite.sb, 'nosuch', join(suite.dir, 'nosuch.json'))], /there is no stack "nosuch" to pause: no manifest at .*nosuch\.json/],
      [['resume', ...stackArgs(suite.sb, 'nosuch', join(suite.dir, 'nosuch.json'))], /there is no stack "nosuch" to resume/],
      [['pause', ...stackArgs(suite.sb, 'idle', manifest()), '--region', 'eu-west-1'], /--region eu-west-1 does not match the region of stack "idle", us-east-1/],
      [['pause', ...stackArgs(suite.sb, 'idle', manifest()).filter((a) => a !== '--yes'), '--deep'], /there is no terminal to confirm it: add --yes/],
    ];
    for (const [command, message] of cases) {
      const r = await run(command);
      assert.equal(r.code, 2, `${command.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
    assert.equal(existsSync(join(suite.dir, 'nosuch.json')), false);
    assert.equal(readManifest(manifest())?.paused?.deep, false, 'the refused --deep changed nothing');
  });

  it('cost reads the paused stack from its manifest: what is billed now is what pause leaves', async () => {
    const r = await run(['cost', '--stack', 'idle', '--manifest', manifest(), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { state: string; now: { monthly: number; lines: { id: string; billed: boolean }[] }; pause: { since: string; dbRestartsAt?: string } | null };
    assert.equal(j.state, 'paused');
    assert.deepEqual(j.pause, readManifest(manifest())?.paused);
    // us-east-1 by hand: ALB and its two addresses, the cache node, 20 GB of gp3 and the secret.
    // The three secrets (the DB password, the API key, the cache AUTH token) stay billed while paused.
    const monthly = (0.0225 + 2 * 0.005 + 0.016) * 730 + 20 * 0.115 + 3 * 0.4;
    assert.ok(Math.abs(j.now.monthly - monthly) <= 0.011, `${j.now.monthly} vs ${monthly}`);
    assert.deepEqual(j.now.lines.filter((l) => !l.billed).map((l) => l.id).sort(), ['database-instance', 'nat-address', 'nat-gateway', 'tasks']);
  });

  it('resume killed at several points, then run again, converges to the complete stack with the same database; a second resume changes nothing', async () => {
    await killedAt(['resume', ...args()], RESUME_POINTS, () => assert.ok(readManifest(manifest())?.paused, 'the stack stays paused until resume is done'));
    const final = await run(['resume', ...args()]);
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    const result = JSON.parse(final.stdout) as { url: string; resumed: boolean };
    assert.match(result.url, /^http:\/\/idle-alb-.*\.elb\.amazonaws\.com$/);
    assertCompleteStack(await taggedWith(suite.sb, 'idle'));
    assert.equal(readManifest(manifest())?.paused, undefined);
    assert.equal(await dbResourceId(), dbBefore, 'the same database instance');

    const before = await calls(suite.sb);
    const again = await run(['resume', ...stackArgs(suite.sb, 'idle', manifest())]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /is not paused; nothing/);
    assert.equal(again.stdout.trim(), result.url);
    assert.deepEqual(mutatingCalls(before, await calls(suite.sb)), {});
  });

  it('pause --deep, then destroy of the deep-paused stack, leaves nothing', async () => {
    const paused = await run(['pause', ...args(), '--deep']);
    assert.equal(paused.code, 0, paused.stderr.slice(-2000));
    assert.deepEqual((JSON.parse(paused.stdout) as { deleted: string[] }).deleted.sort(), ['cache', 'listener', 'load-balancer', 'nat-eip', 'nat-gateway']);
    const gone = await run(['destroy', ...args()]);
    assert.equal(gone.code, 0, gone.stderr.slice(-2000));
    assert.deepEqual((await stackResources(suite.sb, 'idle')).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest()), false);
  });
});
