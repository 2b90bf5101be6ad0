import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { readManifest } from '../../src/engine/manifest.js';
import { ThreeTierError } from '../../src/errors.js';
import { resources } from '../sandbox/helpers.js';
import { addGuardDuty } from '../sandbox/fixtures-guardduty.js';
import { harness, type Harness } from './harness.js';
import { live } from './expect.js';

type Calls = { total: number; operations: Record<string, number> };
const mutating = (c: Calls): Record<string, number> => Object.fromEntries(Object.entries(c.operations).filter(([op]) => !/:(Describe|List|Get)/.test(op)));

/**
 * GuardDuty Runtime Monitoring adds a VPC endpoint and a security group to a VPC with Fargate tasks, without the
 * stack's tags, and DeleteVpc fails while they exist. destroy names them, deletes them after the service and before
 * the VPC, and ends with nothing left; another foreign endpoint stops destroy before anything is deleted (exit 3)
 * with the command that removes it. The endpoint and group are made through the EC2 API as GuardDuty makes them.
 */
describe('destroy with VPC endpoints three-tier did not make', () => {
  let h: Harness;

  before(async () => {
    h = await harness({ stack: 'guarded' });
  });
  after(async () => h.close());

  async function stackNetwork(): Promise<{ vpcId: string; privateSubnets: string[] }> {
    const outputs = readManifest(h.manifestPath)?.resources ?? {};
    return {
      vpcId: outputs['vpc']?.outputs?.['vpcId'] ?? '',
      privateSubnets: [outputs['subnet-private-a']?.outputs?.['subnetId'] ?? '', outputs['subnet-private-b']?.outputs?.['subnetId'] ?? ''],
    };
  }

  it("deletes GuardDuty's endpoint and security group, named in the plan and the progress, after the service, and leaves nothing", async () => {
    await h.up();
    const net = await stackNetwork();
    const { endpointId, groupId } = await addGuardDuty(h.clients.ec2, 'us-east-1', net.vpcId, net.privateSubnets);
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
    assert.deepEqual(live(await h.tagged()), []);
    assert.equal(existsSync(h.manifestPath), false);
    assert.deepEqual((await h.clients.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }))).VpcEndpoints, []);
    assert.deepEqual((await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroups, []);
    assert.ok(!(await resources(h.sb)).some((r) => r.type === 'vpc' && r.id === net.vpcId), 'the VPC is gone');

    const warned = h.sink.events.find((e) => e.type === 'message' && e.text.includes(endpointId) && /GuardDuty/.test(e.text));
    assert.ok(warned, 'the progress names the endpoint and who added it');
    const events = h.resourceEvents();
    const at = (id: string, phase: string): number => events.findIndex((e) => e.id === id && e.phase === phase);
    const endpointNode = `guardduty:vpc-endpoint:${endpointId}`;
    assert.ok(at(endpointNode, 'deleting') > at('ecs-service', 'gone'), 'the endpoint goes after the service');
    assert.ok(at(`guardduty:security-group:${groupId}`, 'gone') > at(endpointNode, 'gone'), 'its group after the endpoint');
    assert.ok(at('vpc', 'deleting') > at(`guardduty:security-group:${groupId}`, 'gone'), 'the VPC last');
  });

  it('another foreign endpoint stops destroy before anything is deleted, with the command that removes it (exit 3)', async () => {
    await h.up();
    const net = await stackNetwork();
    const other = (await h.clients.ec2.send(new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: 'com.amazonaws.us-east-1.s3' }))).VpcEndpoint?.VpcEndpointId ?? '';
    const before = mutating((await h.calls()) as Calls);
    const tagged = live(await h.tagged()).length;
    await assert.rejects(h.destroy(), (err: unknown) => {
      assert.ok(err instanceof ThreeTierError);
      assert.equal(err.code, 'FOREIGN_VPC_ENDPOINTS');
      assert.equal(err.kind, 'unhealthy', 'exit 3');
      assert.match(err.message, new RegExp(`VPC ${net.vpcId} holds VPC endpoint\\(s\\) three-tier did not make: ${other} \\(com\\.amazonaws\\.us-east-1\\.s3, (pending|available)\\)`));
      assert.match(err.message, /nothing was deleted/);
      assert.ok(err.hints.includes(`if nothing else needs them, delete them: aws ec2 delete-vpc-endpoints --region us-east-1 --vpc-endpoint-ids ${other}`), err.hints.join(' | '));
      return true;
    });
    assert.deepEqual(mutating((await h.calls()) as Calls), before, 'no change was made');
    assert.equal(live(await h.tagged()).length, tagged, 'nothing of the stack was deleted');
    assert.ok(existsSync(h.manifestPath));
    // Done as the hint says, destroy finishes.
    await h.clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [other] }));
    const summary = await h.destroy();
    assert.deepEqual(summary.leftovers, []);
  });
});
