import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  RemoveTagsCommand,
  waitUntilLoadBalancerAvailable,
  waitUntilLoadBalancersDeleted,
  type CreateLoadBalancerCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceType, type EniData } from '../../src/sandbox/model.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, control, eventually, resources, sandbox, rejectsWith } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';


describe('sandbox ELBv2: load balancers, listeners, tags', () => {
  let sb: Sandbox;
  let elb: ElasticLoadBalancingV2Client;
  let net: Network;
  let otherNet: Network;

  const lbInput = (name: string, extra: Partial<CreateLoadBalancerCommandInput> = {}): CreateLoadBalancerCommandInput => ({
    Name: name,
    Type: 'application',
    Scheme: 'internet-facing',
    Subnets: net.publicSubnets,
    SecurityGroups: [net.securityGroupId],
    ...extra,
  });

  const enisOf = async (arn: string) => {
    await resources(sb); // a control call applies due transitions
    return sb.world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.ownerRef === `load-balancer:${arn}`);
  };

  before(async () => {
    sb = await sandbox();
    elb = new ElasticLoadBalancingV2Client(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
    otherNet = buildNetwork(sb.world, 1);
  });
  after(async () => {
    await sb.close();
  });
  // A test that fails midway must not leave a fault or a clock setting to the next one.
  afterEach(async () => {
    sb.world.config.timeScale = 0.001;
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0, eniLingerMs: null });
  });

  it('rejects load balancer names AWS rejects, with ValidationError', async () => {
    for (const name of ['a'.repeat(33), 'bad_name', '-lead', 'trail-', 'internal-web']) {
      await rejectsWith(elb.send(new CreateLoadBalancerCommand(lbInput(name))), 'ValidationError', /name/);
    }
    await rejectsWith(elb.send(new CreateLoadBalancerCommand(lbInput(''))), 'ValidationError');
  });

  it('requires subnets in two AZs of one VPC and security groups that exist', async () => {
    const one = [net.publicSubnets[0]!];
    await rejectsWith(elb.send(new CreateLoadBalancerCommand(lbInput('one-az', { Subnets: one }))), 'ValidationError', /two different Availability Zones/);
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('same-az', { Subnets: [net.publicSubnets[0]!, net.extraSubnetAz1] }))),
      'InvalidConfigurationRequestException',
    );
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('no-subnet', { Subnets: [net.publicSubnets[0]!, 'subnet-0123456789abcdef0'] }))),
      'SubnetNotFoundException',
    );
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('two-vpcs', { Subnets: [net.publicSubnets[0]!, otherNet.publicSubnets[1]!] }))),
      'InvalidSubnetException',
    );
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('no-sg', { SecurityGroups: ['sg-0123456789abcdef0'] }))),
      'InvalidSecurityGroupException',
    );
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('other-vpc-sg', { SecurityGroups: [otherNet.securityGroupId] }))),
      'InvalidSecurityGroupException',
    );
  });

  it('creates an ALB that provisions, then turns active (waitUntilLoadBalancerAvailable), with one ENI per subnet', async () => {
    const out = await elb.send(new CreateLoadBalancerCommand(lbInput('web', { Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] })));
    const lb = out.LoadBalancers?.[0];
    assert.ok(lb?.LoadBalancerArn);
    assert.match(lb.LoadBalancerArn, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.equal(lb.State?.Code, 'provisioning');
    assert.match(lb.DNSName ?? '', /^web-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    assert.equal(lb.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K');
    assert.equal(lb.VpcId, net.vpcId);
    assert.deepEqual(lb.SecurityGroups, [net.securityGroupId]);
    assert.deepEqual(lb.AvailabilityZones?.map((z) => z.ZoneName).sort(), ['us-east-1a', 'us-east-1b']);

    const enis = await enisOf(lb.LoadBalancerArn);
    assert.equal(enis.length, 2);
    const id = lb.LoadBalancerArn.split('/').pop();
    for (const e of enis) {
      assert.equal(e.data.requesterId, 'amazon-elb');
      assert.equal(e.data.requesterManaged, true);
      assert.equal(e.data.description, `ELB app/web/${id}`);
      assert.deepEqual(e.data.groupIds, [net.securityGroupId]);
      assert.ok(e.data.publicIp, 'an internet-facing ALB node has a public address');
      assert.ok(net.publicSubnets.includes(e.data.subnetId));
    }

    await waitUntilLoadBalancerAvailable({ client: elb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { LoadBalancerArns: [lb.LoadBalancerArn] });
    const after = await elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }));
    assert.equal(after.LoadBalancers?.[0]?.State?.Code, 'active');
    const listed = (await resources(sb)).find((r) => r.id === lb.LoadBalancerArn);
    assert.equal(listed?.state, 'active');
    assert.deepEqual(listed?.tags, { 'three-tier:stack': 'demo' });
  });

  it('gives internal load balancers an internal- DNS name and no public addresses', async () => {
    const out = await elb.send(new CreateLoadBalancerCommand(lbInput('inner', { Scheme: 'internal', Subnets: net.privateSubnets })));
    const lb = out.LoadBalancers?.[0];
    assert.match(lb?.DNSName ?? '', /^internal-inner-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    const enis = await enisOf(lb?.LoadBalancerArn ?? '');
    assert.equal(enis.length, 2);
    assert.ok(enis.every((e) => e.data.publicIp === undefined));
  });

  it('returns the same load balancer for an identical re-create and refuses different settings', async () => {
    const first = await elb.send(new CreateLoadBalancerCommand(lbInput('again')));
    const second = await elb.send(new CreateLoadBalancerCommand(lbInput('again', { Subnets: [...net.publicSubnets].reverse() })));
    assert.equal(second.LoadBalancers?.[0]?.LoadBalancerArn, first.LoadBalancers?.[0]?.LoadBalancerArn);
    assert.equal((await enisOf(first.LoadBalancers?.[0]?.LoadBalancerArn ?? '')).length, 2, 'no extra interfaces');
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('again', { Scheme: 'internal' }))),
      'DuplicateLoadBalancerNameException',
      /different settings/,
    );
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand(lbInput('again', { SecurityGroups: [net.defaultSecurityGroupId] }))),
      'DuplicateLoadBalancerNameException',
    );
  });

  it('answers LoadBalancerNotFound for unknown names and ARNs, ValidationError for malformed ARNs', async () => {
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException', /nope/);
    const ghost = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ghost/0123456789abcdef';
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ghost] })), 'LoadBalancerNotFoundException');
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['not-an-arn'] })), 'ValidationError');
    await rejectsWith(
      elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ghost], Names: ['web'] })),
      'ValidationError',
    );
  });

  it('pages DescribeLoadBalancers with PageSize and NextMarker', async () => {
    for (const n of ['page-1', 'page-2', 'page-3']) await elb.send(new CreateLoadBalancerCommand(lbInput(n)));
    const all = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    assert.ok(all.length >= 6);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2, Marker: marker }));
      assert.ok((page.LoadBalancers ?? []).length <= 2);
      seen.push(...(page.LoadBalancers ?? []).map((l) => l.LoadBalancerName ?? ''));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.equal(pages, Math.ceil(all.length / 2));
    assert.deepEqual(seen, all.map((l) => l.LoadBalancerName));
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ PageSize: 0 })), 'ValidationError');
  });

  it('describes and modifies load balancer attributes; deletion protection blocks a delete', async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand(lbInput('attrs')))).LoadBalancers?.[0];
    const arn = lb?.LoadBalancerArn ?? '';
    const attrs = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    const get = (list: { Key?: string; Value?: string }[] | undefined, k: string) => list?.find((a) => a.Key === k)?.Value;
    assert.equal(get(attrs.Attributes, 'idle_timeout.timeout_seconds'), '60');
    assert.equal(get(attrs.Attributes, 'deletion_protection.enabled'), 'false');
    const mod = await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [
          { Key: 'idle_timeout.timeout_seconds', Value: '120' },
          { Key: 'deletion_protection.enabled', Value: 'true' },
        ],
      }),
    );
    assert.equal(get(mod.Attributes, 'idle_timeout.timeout_seconds'), '120');
    await rejectsWith(
      elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'no.such.key', Value: '1' }] })),
      'ValidationError',
    );
    await rejectsWith(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })), 'OperationNotPermittedException');
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
  });

  it('creates listeners that associate the target group, idempotently, with the duplicate and limit rules', async () => {
    const lbArn = (await elb.send(new CreateLoadBalancerCommand(lbInput('front')))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const otherLbArn = (await elb.send(new CreateLoadBalancerCommand(lbInput('front-2')))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const tg = await elb.send(
      new CreateTargetGroupCommand({ Name: 'front-tg', Protocol: 'HTTP', Port: 3000, VpcId: net.vpcId, TargetType: 'ip', HealthCheckPath: '/health' }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    const other = await elb.send(new CreateTargetGroupCommand({ Name: 'front-tg-2', Protocol: 'HTTP', Port: 3000, VpcId: net.vpcId, TargetType: 'ip' }));
    const otherTgArn = other.TargetGroups?.[0]?.TargetGroupArn ?? '';

    const forward = [{ Type: 'forward' as const, TargetGroupArn: tgArn }];
    const l1 = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: forward }));
    const listenerArn = l1.Listeners?.[0]?.ListenerArn ?? '';
    assert.match(listenerArn, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/front\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.equal(l1.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn, tgArn);
    assert.deepEqual(l1.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups, [{ TargetGroupArn: tgArn, Weight: 1 }]);

    const described = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }));
    assert.deepEqual(described.TargetGroups?.[0]?.LoadBalancerArns, [lbArn]);
    const byLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(byLb.TargetGroups?.map((t) => t.TargetGroupArn), [tgArn]);

    const again = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: forward }));
    assert.equal(again.Listeners?.[0]?.ListenerArn, listenerArn, 'identical re-create returns the same listener');
    await rejectsWith(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: otherTgArn }] })),
      'DuplicateListenerException',
    );
    await rejectsWith(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: otherLbArn, Protocol: 'HTTP', Port: 80, DefaultActions: forward })),
      'TargetGroupAssociationLimitException',
    );
    await rejectsWith(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 81, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn.replace(/[0-9a-f]{16}$/, '0000000000000000') }] })),
      'TargetGroupNotFoundException',
    );
    await rejectsWith(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })), 'ResourceInUseException', /in use/);

    // ModifyListener moves the association with the forward action.
    const moved = await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: otherTgArn }] }));
    assert.equal(moved.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn, otherTgArn);
    const groups = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn, otherTgArn] }));
    assert.deepEqual(groups.TargetGroups?.map((t) => t.LoadBalancerArns), [[], [lbArn]]);
    await rejectsWith(
      elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn.replace(/[0-9a-f]{16}$/, '0000000000000000'), Port: 81 })),
      'ListenerNotFoundException',
    );
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward }));
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [otherTgArn] }))).TargetGroups?.[0]?.LoadBalancerArns, []);

    const listed = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(listed.Listeners?.map((l) => l.ListenerArn), [listenerArn]);
    await rejectsWith(elb.send(new DescribeListenersCommand({})), 'ValidationError');

    await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await rejectsWith(elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn })), 'ListenerNotFoundException');
    await rejectsWith(elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })), 'ListenerNotFoundException');
    const freed = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }));
    assert.deepEqual(freed.TargetGroups?.[0]?.LoadBalancerArns, []);
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await rejectsWith(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })), 'TargetGroupNotFoundException');
  });

  it('deletes a load balancer with its listeners, frees its target group, and its ENIs linger before they go', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: 3_000 });
    const lbArn = (await elb.send(new CreateLoadBalancerCommand(lbInput('gone')))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const tgArn =
      (await elb.send(new CreateTargetGroupCommand({ Name: 'gone-tg', Protocol: 'HTTP', Port: 80, VpcId: net.vpcId, TargetType: 'ip' }))).TargetGroups?.[0]
        ?.TargetGroupArn ?? '';
    const listenerArn =
      (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })))
        .Listeners?.[0]?.ListenerArn ?? '';

    // A slower clock for the delete (20 s of AWS time = 1 s here), so the test can see it in progress.
    sb.world.config.timeScale = 0.05;
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    sb.world.config.timeScale = 0.001;
    await rejectsWith(elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })), 'ListenerNotFoundException');
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }))).TargetGroups?.[0]?.LoadBalancerArns, []);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })); // a second delete succeeds

    // Still described (in the state it had) until the delete completes, then LoadBalancerNotFound.
    const code = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers?.[0]?.State?.Code;
    assert.ok(code === 'provisioning' || code === 'active', `still described, got ${code}`);
    await eventually(
      () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] })).then(() => undefined, (e: Error) => (e.name === 'LoadBalancerNotFoundException' ? true : undefined)),
      10_000,
      'the load balancer to go',
    );
    // The gone load balancer's interfaces are released: available, still holding their public addresses, then gone after the linger.
    const released = await enisOf(lbArn);
    assert.equal(released.length, 2);
    assert.ok(released.every((e) => e.state === 'available' && e.data.status === 'available' && e.data.publicIp !== undefined));
    await waitUntilLoadBalancersDeleted({ client: elb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { LoadBalancerArns: [lbArn] });
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await eventually(async () => ((await enisOf(lbArn)).length === 0 ? true : undefined), 10_000, 'lingering ENIs to go');
    await control(sb, 'POST', '/_sandbox/faults', { eniLingerMs: null });
  });

  it('rejects listeners ALBs cannot have: HTTPS without a certificate, TCP, a bad port', async () => {
    const lbArn = (await elb.send(new CreateLoadBalancerCommand(lbInput('proto')))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];
    await rejectsWith(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, DefaultActions: fixed })), 'ValidationError', /certificate/);
    await rejectsWith(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'TCP', Port: 80, DefaultActions: fixed })), 'UnsupportedProtocolException');
    await rejectsWith(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 70000, DefaultActions: fixed })), 'ValidationError');
    const ok = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: fixed }));
    assert.equal(ok.Listeners?.[0]?.DefaultActions?.[0]?.FixedResponseConfig?.StatusCode, '404');
  });

  it('hides a fresh load balancer from describes inside the consistency window', async () => {
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 1_000 });
    const arn = (await elb.send(new CreateLoadBalancerCommand(lbInput('fresh')))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })), 'LoadBalancerNotFoundException');
    const listed = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    assert.ok(!listed.some((l) => l.LoadBalancerArn === arn), 'lists omit it too');
    await eventually(
      () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })).then(() => true, () => undefined),
      10_000,
      'the load balancer to become visible',
    );
    await control(sb, 'POST', '/_sandbox/faults', { consistencyWindowMs: 0 });
  });

  it('gives a load balancer without SecurityGroups the VPC default group, and checks the remaining inputs', async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand(lbInput('defaults', { SecurityGroups: undefined })))).LoadBalancers?.[0];
    assert.deepEqual(lb?.SecurityGroups, [net.defaultSecurityGroupId]);
    const otherTg =
      (await elb.send(new CreateTargetGroupCommand({ Name: 'other-vpc-tg', Protocol: 'HTTP', Port: 80, VpcId: otherNet.vpcId, TargetType: 'ip' }))).TargetGroups?.[0]
        ?.TargetGroupArn ?? '';
    await rejectsWith(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: otherTg }] })),
      'ValidationError',
      /same VPC/,
    );
    await rejectsWith(elb.send(new AddTagsCommand({ ResourceArns: [lb?.LoadBalancerArn ?? ''], Tags: [{ Key: 'aws:reserved', Value: 'x' }] })), 'ValidationError');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(elb.send(new AddTagsCommand({ ResourceArns: [lb?.LoadBalancerArn ?? ''], Tags: many })), 'TooManyTagsException');
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'ValidationError');
    await rejectsWith(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x'] })), 'ValidationError');
    // An unknown target group ARN deletes without error.
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: otherTg.replace(/[0-9a-f]{16}$/, '0000000000000000') }));
  });

  it('deletes a missing load balancer without error, as the API reference says', async () => {
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/never/0123456789abcdef' }));
  });

  it('adds, describes and removes tags on load balancers and target groups', async () => {
    const lbArn = (await elb.send(new CreateLoadBalancerCommand(lbInput('tagged', { Tags: [{ Key: 'a', Value: '1' }] })))).LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const tgArn =
      (await elb.send(new CreateTargetGroupCommand({ Name: 'tagged-tg', Protocol: 'HTTP', Port: 80, VpcId: net.vpcId, TargetType: 'ip', Tags: [{ Key: 'b', Value: '2' }] })))
        .TargetGroups?.[0]?.TargetGroupArn ?? '';
    await elb.send(new AddTagsCommand({ ResourceArns: [lbArn, tgArn], Tags: [{ Key: 'three-tier:stack', Value: 'demo' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ['a'] }));
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tgArn] }));
    const asMap = (i: number) => Object.fromEntries((tags.TagDescriptions?.[i]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.deepEqual(asMap(0), { 'three-tier:stack': 'demo' });
    assert.deepEqual(asMap(1), { b: '2', 'three-tier:stack': 'demo' });
    await rejectsWith(
      elb.send(new DescribeTagsCommand({ ResourceArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ghost/0123456789abcdef'] })),
      'LoadBalancerNotFoundException',
    );
    await rejectsWith(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: [{ Key: 'x', Value: '1' }, { Key: 'x', Value: '2' }] })), 'DuplicateTagKeysException');
    const listed = (await resources(sb)).find((r) => r.id === tgArn);
    assert.deepEqual(listed?.tags, { b: '2', 'three-tier:stack': 'demo' });
  });
});
