import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AllocateAddressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { readManifest } from '../../src/engine/manifest.js';
import { STACK_TAG } from '../../src/engine/kind.js';
import { clientConfig, control, resources } from '../sandbox/helpers.js';
import { assertCompleteStack, EXPECTED_TAGGED } from '../provisioner/expect.js';
import { countByType, e2eSuite, resourceEventOf, runCli, stackArgs, stackResources, taggedWith } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const STACK = 'intr';

/**
 * Ctrl-C (SIGINT) stops `up` with exit 130 and a manifest that is true; `destroy` exits 3 (DESTROY_INCOMPLETE) and
 * keeps the manifest while something of the stack remains (interfaces that linger past its budget, a resource its
 * final look finds), deletes a tagged stray that only its final sweep finds, and removes the manifest only when
 * nothing is left.
 */
describe('interrupted up, incomplete destroy', () => {
  const suite = e2eSuite('interrupt');
  const dir = suite.dir;
  const manifest = join(dir, `${STACK}.json`);
  const args = (command: string) => [command, ...stackArgs(suite.sb, STACK, manifest), '--json'];

  it('Ctrl-C during up exits 130; the manifest names only what exists; the next up finishes the stack', async () => {
    let sent = false;
    const r = await runCli([...args('up'), '--image', IMAGE], {
      cwd: dir,
      onLine: (line, child) => {
        const e = resourceEventOf(line);
        if (!sent && e?.id === 'database' && e.phase === 'waiting') {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.ok(sent, 'the interruption was sent');
    assert.equal(r.signal, null, 'the CLI stopped by itself');
    assert.equal(r.code, 130, r.stderr.slice(-2000));
    assert.match(r.stderr, /INTERRUPTED/);
    assert.equal(existsSync(`${manifest}.lock`), false, 'the lock is released');

    // True: every AWS identity the manifest records exists, and it records the database whose wait was interrupted.
    const recorded = readManifest(manifest);
    assert.ok(recorded);
    assert.ok(recorded.resources['database']?.identity, 'the database is recorded');
    const live = new Set((await resources(suite.sb)).map((x) => x.id));
    for (const [id, res] of Object.entries(recorded.resources)) {
      for (const [key, value] of Object.entries(res.identity ?? {})) {
        if (['vpcId', 'subnetId', 'groupId', 'natGatewayId', 'allocationId', 'internetGatewayId', 'routeTableId', 'identifier'].includes(key)) {
          assert.ok(live.has(value), `${id}: ${key} ${value} exists`);
        }
      }
    }
    const counts = await countByType(suite.sb, STACK);
    for (const [type, want] of Object.entries(EXPECTED_TAGGED)) assert.ok((counts[type] ?? 0) <= want, `${counts[type]} ${type}`);

    const again = await runCli([...args('up'), '--image', IMAGE], { cwd: dir });
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    const result = JSON.parse(again.stdout) as { created: string[]; adopted: string[]; unchanged: string[] };
    assert.ok(!result.created.includes('database') && [...result.adopted, ...result.unchanged].includes('database'), 'the recorded database was kept, not made twice');
    assertCompleteStack(await taggedWith(suite.sb, STACK));
  });

  it('destroy exits 3 (DESTROY_INCOMPLETE) and keeps the manifest while interfaces linger past its budget', async () => {
    // Interfaces linger 10 s: longer than destroy's ENI budget at this pace (25 min of AWS time is 7.5 s).
    await control(suite.sb, 'POST', '/_sandbox/faults', { eniLingerMs: 10_000 });
    try {
      const r = await runCli(args('destroy'), { cwd: dir });
      assert.equal(r.code, 3, r.stderr.slice(-2500));
      assert.match(r.stderr, /DESTROY_INCOMPLETE/);
      assert.ok(existsSync(manifest), 'the manifest stays while something remains');
    } finally {
      await control(suite.sb, 'POST', '/_sandbox/faults', { eniLingerMs: 300 });
    }
  });

  it('destroy deletes a stray only its final sweep finds, and exits 3 while the final look still finds something', async () => {
    const cfg = clientConfig(suite.sb);
    const ec2 = new EC2Client(cfg);
    const logs = new CloudWatchLogsClient(cfg);
    let made: Promise<string> | undefined;
    const r = await runCli(args('destroy'), {
      cwd: dir,
      onLine: (line, child) => {
        // After the graph's own look for strays, before the final sweep: the VPC is the last node deleted. The CLI
        // waits (SIGSTOP) while an address tagged with the stack appears (a stray for the sweep), and the stack's log
        // group reappears (as awslogs-create-group would make it), after its node was deleted.
        const e = resourceEventOf(line);
        if (made !== undefined || e?.id !== 'vpc' || e.phase !== 'deleting') return;
        child.kill('SIGSTOP');
        made = (async () => {
          const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: STACK_TAG, Value: STACK }] }] }));
          await logs.send(new CreateLogGroupCommand({ logGroupName: `/three-tier/${STACK}/api`, tags: { [STACK_TAG]: STACK } }));
          return eip.AllocationId ?? '';
        })().finally(() => child.kill('SIGCONT'));
      },
    });
    assert.ok(made, 'the stray was made during the destroy');
    const eip = await made;
    assert.equal(r.code, 3, r.stderr.slice(-2500));
    assert.match(r.stderr, /DESTROY_INCOMPLETE/);
    assert.match(r.stderr, /log-group/, 'names what is left');
    assert.ok(existsSync(manifest), 'the manifest stays while something remains');
    assert.ok(!(await stackResources(suite.sb, STACK)).some((x) => x.id === eip), 'the sweep deleted the stray address');
  });

  it('destroy run again deletes what was left and only then removes the manifest', async () => {
    const r = await runCli(args('destroy'), { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(-2500));
    const result = JSON.parse(r.stdout) as { deleted: string[]; leftovers: string[] };
    assert.ok(result.deleted.includes('log-group'), result.deleted.join(', '));
    assert.deepEqual(result.leftovers, []);
    assert.deepEqual((await stackResources(suite.sb, STACK)).map((x) => `${x.type} ${x.id}`), []);
    assert.equal(existsSync(manifest), false, 'removed once nothing is left');
  });
});
