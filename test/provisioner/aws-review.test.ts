import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeNatGatewaysCommand, EC2Client, CreateSubnetCommand, CreateVpcCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { rmSync } from 'node:fs';
import { createClients } from '../../src/aws/clients.js';
import { resolveConfig, vpcCidrProblem } from '../../src/config.js';
import { readManifest } from '../../src/engine/manifest.js';
import { ThreeTierError } from '../../src/errors.js';
import { iamRoleName, REGION_TAG } from '../../src/names.js';
import { clientConfig, eventually, rejectsWith, sandbox } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';

/** What would break on a real account (issue 11), held by tests against the sandbox. */
describe('a failed NAT gateway is replaced, never adopted again', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'natfail' });
    await h.up();
  });
  after(async () => h.close());

  it('with the manifest lost and only a failed gateway left, up makes a new one', async () => {
    const m = readManifest(h.manifestPath);
    const natId = m?.resources['nat-gateway']?.identity?.['natGatewayId'] ?? '';
    const subnetId = m?.resources['subnet-public-a']?.outputs?.['subnetId'] ?? '';
    const allocationId = m?.resources['nat-eip']?.outputs?.['allocationId'] ?? '';
    // A tagged gateway given an address that is taken goes `failed` (as on AWS: Resource.AlreadyAssociated).
    const failed = await h.clients.ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: subnetId,
        AllocationId: allocationId,
        TagSpecifications: [{ ResourceType: 'natgateway', Tags: [{ Key: 'three-tier:stack', Value: 'natfail' }, { Key: 'three-tier:resource', Value: 'nat-gateway' }] }],
      }),
    );
    const failedId = failed.NatGateway?.NatGatewayId ?? '';
    await eventually(async () => ((await h.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [failedId] }))).NatGateways?.[0]?.State === 'failed' ? true : undefined), 10_000, 'the planted gateway to fail');
    // The stack's own gateway is deleted and the manifest lost.
    await h.clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    await eventually(async () => ((await h.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways?.[0]?.State === 'deleted' ? true : undefined), 10_000, 'the gateway to be deleted');
    rmSync(h.manifestPath);

    const result = await h.up();
    const now = readManifest(h.manifestPath)?.resources['nat-gateway']?.identity?.['natGatewayId'];
    assert.ok(now && now !== failedId && now !== natId, `a new gateway (${now}), not the failed ${failedId}`);
    assert.ok(result.created.includes('nat-gateway'));
    // destroy still deletes the failed one (it is the stack's).
    await h.destroy({ finalSnapshot: false });
    const left = (await h.clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [failedId] }))).NatGateways?.[0]?.State;
    assert.ok(left === 'deleted' || left === 'deleting' || left === undefined, `the failed gateway is ${left}`);
  });
});

describe('IAM names are per region', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ stack: 'iamreg' });
  });
  after(async () => h.close());

  it('a role of this name tagged for another region is not adopted: up stops before anything, naming it', async () => {
    const name = iamRoleName('iamreg', 'us-east-1', 'task-execution');
    await h.clients.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        Tags: [{ Key: 'three-tier:stack', Value: 'iamreg' }, { Key: REGION_TAG, Value: 'eu-west-1' }],
      }),
    );
    await assert.rejects(h.up(), (e: unknown) => e instanceof ThreeTierError && e.code === 'NAME_TAKEN' && e.message.includes(name));
    assert.equal(readManifest(h.manifestPath), undefined);
  });

  it('names carry the region, so same-named stacks in two regions never share a role', () => {
    assert.notEqual(iamRoleName('demo', 'us-east-1', 'task-execution'), iamRoleName('demo', 'eu-west-1', 'task-execution'));
  });
});

describe('regions, partitions and the VPC size', () => {
  it('refuses a region AWS does not offer, with suggestions, before anything', () => {
    assert.throws(() => resolveConfig({ stack: 'demo', region: 'us-east-9' }), (e: unknown) => e instanceof ThreeTierError && e.kind === 'usage' && /"us-east-9" is not a region AWS offers/.test(e.message) && /us-east-1/.test(e.message));
    for (const r of ['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1']) assert.equal(resolveConfig({ stack: 'demo', region: r }).region, r);
  });

  it("gives IAM the stack's region, so the SDK picks the partition's IAM endpoint", async () => {
    const expected: Record<string, RegExp> = {
      'eu-west-1': /^https:\/\/iam\.amazonaws\.com/,
      'cn-north-1': /^https:\/\/iam\.cn-north-1\.amazonaws\.com\.cn/,
      'us-gov-west-1': /^https:\/\/iam\.us-gov\.amazonaws\.com/,
    };
    for (const [region, url] of Object.entries(expected)) {
      const { iam } = createClients({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const endpoint = (iam.config.endpointProvider as (p: Record<string, unknown>) => { url: URL })({ Region: await iam.config.region(), UseFIPS: false, UseDualStack: false });
      assert.match(endpoint.url.toString(), url, region);
      iam.destroy();
    }
  });

  it('refuses a VPC smaller than /23: its subnets would be smaller than a load balancer accepts', () => {
    assert.match(vpcCidrProblem('10.0.0.0/24') ?? '', /needs \/16 to \/23/);
    assert.equal(vpcCidrProblem('10.0.0.0/23'), undefined);
  });
});

describe('sandbox ELBv2: subnets need 8 free addresses (as AWS answers)', () => {
  it('refuses a load balancer in a /28 subnet that interfaces fill, naming the subnet', async () => {
    const sb = await sandbox();
    try {
      const ec2 = new EC2Client(clientConfig(sb));
      const elb = new ElasticLoadBalancingV2Client(clientConfig(sb));
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/24' }))).Vpc?.VpcId ?? '';
      const small = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.7.0.0/28', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? '';
      const other = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.7.0.32/27', AvailabilityZone: 'us-east-1b' }))).Subnet?.SubnetId ?? '';
      const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lb', Description: 'lb', VpcId: vpc }))).GroupId ?? '';
      const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId ?? '';
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
      // A /28 has 11 usable addresses and each load balancer takes one per subnet: after four, 7 are left.
      for (let i = 0; i < 4; i++) await elb.send(new CreateLoadBalancerCommand({ Name: `lb-${i}`, Subnets: [small, other], SecurityGroups: [sg] }));
      await rejectsWith(
        elb.send(new CreateLoadBalancerCommand({ Name: 'lb-full', Subnets: [small, other], SecurityGroups: [sg] })),
        'InvalidSubnetException', // the SDK's name for the wire code InvalidSubnet
        new RegExp(`Not enough IP space available in ${small}\\. ELB requires at least 8 free IP addresses in each subnet\\.`),
      );
    } finally {
      await sb.close();
    }
  });
});
