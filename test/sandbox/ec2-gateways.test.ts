import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  ReleaseAddressCommand,
  waitUntilInternetGatewayExists,
  waitUntilNatGatewayAvailable,
  waitUntilNatGatewayDeleted,
  type NatGateway,
} from '@aws-sdk/client-ec2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, eventuallyPast, resources, sandbox, rejectsWith } from './helpers.js';


// timeScale 0.02: NAT create 1.8 s, NAT delete 1.2 s, the EIP release trap 400 ms, VPC/subnet 40 ms.
describe('sandbox EC2: internet gateways, Elastic IPs, NAT gateways', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  const wait = { maxWaitTime: 15, minDelay: 1, maxDelay: 1 };
  before(async () => {
    sb = await sandbox({ world: { timeScale: 0.02 } });
    ec2 = new EC2Client(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    await control(sb, 'POST', '/_sandbox/reset');
  });

  async function network(opts: { igw?: boolean } = {}): Promise<{ vpcId: string; subnetId: string; igwId?: string }> {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/20', AvailabilityZone: 'us-east-1a' }))).Subnet
      ?.SubnetId as string;
    if (opts.igw === false) return { vpcId, subnetId };
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    return { vpcId, subnetId, igwId };
  }

  async function nat(id: string): Promise<NatGateway> {
    return (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways?.[0] as NatGateway;
  }

  it('creates, attaches, detaches and deletes an internet gateway; waitUntilInternetGatewayExists retries through NotFound', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId as string;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 500 });
    let igwId: string;
    try {
      const created = await ec2.send(
        new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }] }),
      );
      igwId = created.InternetGateway?.InternetGatewayId as string;
      assert.match(igwId, /^igw-[0-9a-f]{17}$/);
      assert.deepEqual(created.InternetGateway?.Attachments, []);
      const waited = await waitUntilInternetGatewayExists({ client: ec2, ...wait }, { InternetGatewayIds: [igwId] });
      assert.equal(waited.state, 'SUCCESS');
      assert.ok(
        Object.keys(waited.observedResponses ?? {}).some((m) => /internetGateway ID .* does not exist/.test(m)),
        `the waiter saw InvalidInternetGatewayID.NotFound first: ${JSON.stringify(waited.observedResponses)}`,
      );
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    }

    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const attached = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(attached.InternetGateways?.map((g) => [g.InternetGatewayId, g.Attachments]), [[igwId, [{ VpcId: vpcId, State: 'available' }]]]);
    const byTag = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['demo'] }] }));
    assert.equal(byTag.InternetGateways?.length, 1);

    await rejectsWith(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: otherVpc })), 'Resource.AlreadyAssociated', new RegExp(`already attached to network ${vpcId}`));
    const second = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId as string;
    await rejectsWith(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: second, VpcId: vpcId })), 'Resource.AlreadyAssociated');
    await rejectsWith(ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })), 'DependencyViolation');
    await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: otherVpc })), 'Gateway.NotAttached');
    await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: second, VpcId: vpcId })), 'Gateway.NotAttached');
    await rejectsWith(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: 'igw-0123456789abcdef0', VpcId: vpcId })), 'InvalidInternetGatewayID.NotFound');

    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await rejectsWith(ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igwId] })), 'InvalidInternetGatewayID.NotFound');
    await rejectsWith(ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })), 'InvalidInternetGatewayID.NotFound');
  });

  it('allocates Elastic IPs from a documentation range, describes them, and stops at the quota of 5', async () => {
    const out = await ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }] }),
    );
    assert.match(out.AllocationId ?? '', /^eipalloc-[0-9a-f]{17}$/);
    assert.match(out.PublicIp ?? '', /^(203\.0\.113|198\.51\.100|192\.0\.2)\.\d+$/);
    assert.equal(out.Domain, 'vpc');
    const byId = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [out.AllocationId as string] }));
    assert.deepEqual(byId.Addresses?.map((a) => [a.PublicIp, a.Domain, a.AssociationId]), [[out.PublicIp, 'vpc', undefined]]);
    const byIp = await ec2.send(new DescribeAddressesCommand({ PublicIps: [out.PublicIp as string] }));
    assert.equal(byIp.Addresses?.[0]?.AllocationId, out.AllocationId);
    const byTag = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'tag:three-tier:stack', Values: ['demo'] }] }));
    assert.equal(byTag.Addresses?.length, 1);
    await rejectsWith(ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0123456789abcdef0'] })), 'InvalidAllocationID.NotFound');
    await rejectsWith(ec2.send(new DescribeAddressesCommand({ PublicIps: ['192.0.2.250'] })), 'InvalidAddress.NotFound');

    const more: string[] = [];
    for (let i = 0; i < 4; i++) more.push((await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string);
    await rejectsWith(ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })), 'AddressLimitExceeded');
    const ips = (await ec2.send(new DescribeAddressesCommand({}))).Addresses?.map((a) => a.PublicIp);
    assert.equal(new Set(ips).size, 5, 'every address is distinct');
    for (const id of [out.AllocationId as string, ...more]) await ec2.send(new ReleaseAddressCommand({ AllocationId: id }));
    await rejectsWith(ec2.send(new ReleaseAddressCommand({ AllocationId: out.AllocationId })), 'InvalidAllocationID.NotFound');
    assert.deepEqual(await resources(sb), []);
  });

  it('runs a NAT gateway through its life: idempotent create, its interface and address, available, deleting, deleted-listed, and the release trap', async () => {
    const { vpcId, subnetId, igwId } = await network();
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const allocationId = eip.AllocationId as string;
    const request = {
      SubnetId: subnetId,
      AllocationId: allocationId,
      ClientToken: 'three-tier-demo-nat',
      TagSpecifications: [{ ResourceType: 'natgateway' as const, Tags: [{ Key: 'Name', Value: 'demo-nat' }] }],
    };
    const created = await ec2.send(new CreateNatGatewayCommand(request));
    const natId = created.NatGateway?.NatGatewayId as string;
    assert.match(natId, /^nat-[0-9a-f]{17}$/);
    assert.equal(created.NatGateway?.State, 'pending');
    assert.equal(created.ClientToken, 'three-tier-demo-nat');
    assert.equal(created.NatGateway?.NatGatewayAddresses?.[0]?.AllocationId, allocationId);

    const again = await ec2.send(new CreateNatGatewayCommand(request));
    assert.equal(again.NatGateway?.NatGatewayId, natId, 'same token and parameters: the same gateway');
    const otherSubnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.16.0/20', AvailabilityZone: 'us-east-1b' }))).Subnet
      ?.SubnetId as string;
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ ...request, SubnetId: otherSubnet })), 'IdempotentParameterMismatch');
    assert.equal((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.length, 1);

    // Its requester-managed interface carries the Elastic IP; the address is associated with it.
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'requester-managed', Values: ['true'] }] }));
    assert.equal(enis.NetworkInterfaces?.length, 1);
    const eni = enis.NetworkInterfaces?.[0];
    assert.equal(eni?.InterfaceType, 'nat_gateway');
    assert.equal(eni?.RequesterManaged, true);
    assert.equal(eni?.SubnetId, subnetId);
    assert.equal(eni?.Description, `Interface for NAT Gateway ${natId}`);
    assert.equal(eni?.Association?.PublicIp, eip.PublicIp);
    assert.equal(eni?.Attachment?.Status, 'attached');
    assert.equal(created.NatGateway?.NatGatewayAddresses?.[0]?.NetworkInterfaceId, eni?.NetworkInterfaceId);
    const address = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).Addresses?.[0];
    assert.equal(address?.NetworkInterfaceId, eni?.NetworkInterfaceId);
    assert.match(address?.AssociationId ?? '', /^eipassoc-/);
    await rejectsWith(ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })), 'InvalidIPAddress.InUse');
    await rejectsWith(
      ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })),
      'DependencyViolation',
      new RegExp(`Network ${vpcId} has some mapped public address\\(es\\). Please unmap those public address\\(es\\) before detaching the gateway.`),
    );

    // The subnet has no route to the internet gateway: on AWS the NAT gateway still becomes available.
    const waited = await waitUntilNatGatewayAvailable({ client: ec2, ...wait }, { NatGatewayIds: [natId] });
    assert.equal(waited.state, 'SUCCESS');
    for (const filter of [
      { Name: 'state', Values: ['available'] },
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'subnet-id', Values: [subnetId] },
      { Name: 'tag:Name', Values: ['demo-nat'] },
    ]) {
      const out = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [filter] }));
      assert.deepEqual(out.NatGateways?.map((n) => n.NatGatewayId), [natId], `filter ${filter.Name}`);
    }
    const pendingOnly = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending'] }] }));
    assert.equal(pendingOnly.NatGateways?.length, 0);
    const available = await nat(natId);
    assert.equal(available.NatGatewayAddresses?.[0]?.PublicIp, eip.PublicIp);
    assert.equal(available.NatGatewayAddresses?.[0]?.Status, 'succeeded');
    assert.equal(available.ConnectivityType, 'public');

    const deleted = await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    assert.equal(deleted.NatGatewayId, natId);
    const deletedAgain = await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    assert.equal(deletedAgain.NatGatewayId, natId, 'deleting a deleting gateway answers its id again');
    assert.equal((await nat(natId)).State, 'deleting');
    await assert.rejects(waitUntilNatGatewayAvailable({ client: ec2, ...wait }, { NatGatewayIds: [natId] }), /"state":"FAILURE"/);

    await eventually(async () => ((await nat(natId)).State === 'deleted' ? true : undefined), 5_000, 'NAT deleted');
    // Right after the deletion the address cannot be released yet, with AWS's misleading text.
    await rejectsWith(ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })), 'AuthFailure', /^You do not have permission to access the specified resource\.$/);
    const listed = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['deleted'] }] }));
    assert.equal(listed.NatGateways?.[0]?.NatGatewayId, natId, 'a deleted gateway stays listed');
    assert.ok(listed.NatGateways?.[0]?.DeleteTime instanceof Date);
    const live = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'state', Values: ['pending', 'available'] }] }));
    assert.equal(live.NatGateways?.length, 0);
    const gone = await waitUntilNatGatewayDeleted({ client: ec2, ...wait }, { NatGatewayIds: [natId] });
    assert.equal(gone.state, 'SUCCESS');
    await rejectsWith(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId })), 'NatGatewayNotFound');

    const afterDelete = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).Addresses?.[0];
    assert.equal(afterDelete?.AssociationId, undefined, 'the address was disassociated');
    await eventuallyPast(() => ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })), 'AuthFailure', 3_000, 'address released');
    // No mapped public address is left: the gateway detaches.
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  });

  it('waitUntilNatGatewayAvailable retries through NatGatewayNotFound while the new gateway is not yet visible', async () => {
    const { subnetId } = await network();
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 500 });
    try {
      const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway?.NatGatewayId as string;
      await rejectsWith(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] })), 'NatGatewayNotFound', new RegExp(natId));
      const waited = await waitUntilNatGatewayAvailable({ client: ec2, ...wait }, { NatGatewayIds: [natId] });
      assert.equal(waited.state, 'SUCCESS');
      assert.ok(Object.keys(waited.observedResponses ?? {}).some((m) => /was not found/.test(m)), JSON.stringify(waited.observedResponses));
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
    }
    const never = await waitUntilNatGatewayDeleted({ client: ec2, ...wait }, { NatGatewayIds: ['nat-0123456789abcdef0'] });
    assert.equal(never.state, 'SUCCESS', 'NatGatewayNotFound counts as deleted');
  });

  it('fails a public NAT gateway whose VPC has no internet gateway attached, releasing its interface and address', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 0 });
    try {
      const { subnetId } = await network({ igw: false });
      const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
      const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway?.NatGatewayId as string;
      await assert.rejects(waitUntilNatGatewayAvailable({ client: ec2, ...wait }, { NatGatewayIds: [natId] }), /"state":"FAILURE"/);
      const failed = await nat(natId);
      assert.equal(failed.State, 'failed');
      assert.equal(failed.FailureCode, 'Gateway.NotAttached');
      assert.match(failed.FailureMessage ?? '', /has no Internet gateway attached/);
      const address = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).Addresses?.[0];
      assert.equal(address?.AssociationId, undefined);
      assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces?.length, 0);
      await ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId }));
    } finally {
      await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
    }
  });

  it('fails a NAT gateway given an address another gateway already holds', async () => {
    const { vpcId } = await network();
    const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.16.0/20', AvailabilityZone: 'us-east-1b' }))).Subnet?.SubnetId as string;
    const subnetA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.32.0/20', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId as string;
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
    await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetA, AllocationId: allocationId }));
    const second = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetB, AllocationId: allocationId }));
    assert.equal(second.NatGateway?.State, 'pending', 'AWS accepts the call');
    const failed = await eventually(async () => {
      const n = await nat(second.NatGateway?.NatGatewayId as string);
      return n.State === 'failed' ? n : undefined;
    });
    assert.equal(failed.FailureCode, 'Resource.AlreadyAssociated');
    assert.match(failed.FailureMessage ?? '', new RegExp(`Elastic IP address \\[${allocationId}\\] is already associated`));
  });

  it('stops at the quotas: 5 internet gateways per region, 5 NAT gateways per zone', async () => {
    const { subnetId } = await network();
    for (let i = 0; i < 4; i++) await ec2.send(new CreateInternetGatewayCommand({}));
    await rejectsWith(ec2.send(new CreateInternetGatewayCommand({})), 'InternetGatewayLimitExceeded');
    // Private NAT gateways need no address, so the per-zone quota is reachable.
    for (let i = 0; i < 5; i++) {
      const out = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private' }));
      assert.equal(out.NatGateway?.ConnectivityType, 'private');
    }
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private' })), 'NatGatewayLimitExceeded');
  });

  it('validates CreateNatGateway and answers NatGatewayNotFound', async () => {
    const { subnetId } = await network();
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId as string;
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: undefined, AllocationId: allocationId })), 'MissingParameter');
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId })), 'MissingParameter');
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: 'subnet-0123456789abcdef0', AllocationId: allocationId })), 'InvalidSubnetID.NotFound');
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: 'eipalloc-0123456789abcdef0' })), 'InvalidAllocationID.NotFound');
    await rejectsWith(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId, ClientToken: 'x'.repeat(65) })), 'InvalidParameterValue');
    await rejectsWith(
      ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue',
    );
    await rejectsWith(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0123456789abcdef0'] })), 'NatGatewayNotFound');
    await rejectsWith(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0123456789abcdef0' })), 'NatGatewayNotFound');
    assert.equal((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.length, 0, 'no failed call left a gateway');
  });
});
