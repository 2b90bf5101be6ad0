import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, sandbox } from '../sandbox/helpers.js';
import { addGuardDuty } from '../sandbox/fixtures-guardduty.js';
import { calls, mutatingCalls, runCli, scratchDir, stackArgs, stackResources, TIME_SCALE } from './cli.js';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/**
 * The CLI's exit codes for a region that cannot host the stack (2, nothing made) and for a stack VPC holding a VPC
 * endpoint three-tier did not make (3, nothing deleted; GuardDuty's own is deleted with the stack). The real CLI
 * against a sandbox over HTTP; the endpoints are made through the EC2 API as their owners would.
 */
describe('the CLI: zones that cannot host the stack, foreign VPC endpoints', () => {
  let sb: Sandbox;
  const dir = scratchDir('zones-endpoints');
  before(async () => {
    const lacking = Object.fromEntries(['use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'].map((id) => [id, ['db.t4g.small']]));
    sb = await sandbox({ world: { timeScale: TIME_SCALE, unoffered: lacking } });
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('up in a region without two zones offering the DB class: exit 2, each zone and why, nothing made', async () => {
    const before = await calls(sb);
    const r = await runCli(['up', ...stackArgs(sb, 'small', join(dir, 'small.json')), '--image', IMAGE, '--db-class', 'db.t4g.small'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr.slice(-2000));
    assert.match(r.stderr, /region us-east-1 cannot host the stack: it needs two availability zones offering db\.t4g\.small and Fargate, and has 1 \(us-east-1a\)/);
    assert.match(r.stderr, /us-east-1f \(use1-az6\): RDS offers no db\.t4g\.small/);
    assert.deepEqual(mutatingCalls(before, await calls(sb)), {});
    assert.equal(existsSync(join(dir, 'small.json')), false);
  });

  it("destroy stops on another's endpoint (exit 3, the command to remove it), then deletes GuardDuty's with the stack", async () => {
    const manifest = join(dir, 'ep.json');
    const up = await runCli(['up', ...stackArgs(sb, 'ep', manifest), '--image', IMAGE], { cwd: dir });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    const ec2 = new EC2Client(clientConfig(sb));
    try {
      const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['ep'] }] }))).Vpcs?.[0]?.VpcId ?? '';
      const { endpointId: guardDuty } = await addGuardDuty(ec2, 'us-east-1', vpcId);
      const other = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3' }))).VpcEndpoint?.VpcEndpointId ?? '';

      const before = await calls(sb);
      const count = (await stackResources(sb, 'ep')).length;
      const refused = await runCli(['destroy', ...stackArgs(sb, 'ep', manifest)], { cwd: dir });
      assert.equal(refused.code, 3, refused.stderr.slice(-2000));
      assert.match(refused.stderr, new RegExp(`${other} \\(com\\.amazonaws\\.us-east-1\\.s3, (pending|available)\\)`));
      assert.match(refused.stderr, new RegExp(`aws ec2 delete-vpc-endpoints --region us-east-1 --vpc-endpoint-ids ${other}`));
      assert.deepEqual(mutatingCalls(before, await calls(sb)), {}, 'nothing was changed');
      assert.equal((await stackResources(sb, 'ep')).length, count);

      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [other] }));
      const done = await runCli(['destroy', ...stackArgs(sb, 'ep', manifest)], { cwd: dir });
      assert.equal(done.code, 0, done.stderr.slice(-2000));
      assert.match(done.stderr, new RegExp(`VPC endpoint ${guardDuty} \\(com\\.amazonaws\\.us-east-1\\.guardduty-data, added by GuardDuty Runtime Monitoring\\)`));
      assert.deepEqual(await stackResources(sb, 'ep'), []);
      assert.equal(existsSync(manifest), false);
    } finally {
      ec2.destroy();
    }
  });
});
