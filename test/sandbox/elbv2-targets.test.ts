import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  waitUntilTargetDeregistered,
  waitUntilTargetInService,
  type CreateTargetGroupCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceType, type TargetGroupData } from '../../src/sandbox/model.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { setTargetHealth } from '../../src/sandbox/targets.js';
import { clientConfig, eventually, sandbox, rejectsWith } from './helpers.js';
import { buildNetwork, type Network } from './fixtures-network.js';


describe('sandbox ELBv2: target groups and targets', () => {
  let sb: Sandbox;
  let elb: ElasticLoadBalancingV2Client;
  let net: Network;

  const tgInput = (name: string, extra: Partial<CreateTargetGroupCommandInput> = {}): CreateTargetGroupCommandInput => ({
    Name: name,
    Protocol: 'HTTP',
    Port: 3000,
    VpcId: net.vpcId,
    TargetType: 'ip',
    HealthCheckPath: '/health',
    ...extra,
  });
  const createTg = async (name: string, extra: Partial<CreateTargetGroupCommandInput> = {}): Promise<string> =>
    (await elb.send(new CreateTargetGroupCommand(tgInput(name, extra)))).TargetGroups?.[0]?.TargetGroupArn ?? '';
  const health = async (arn: string, targets?: { Id: string; Port?: number }[]) =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: targets }))).TargetHealthDescriptions ?? [];
  /** An ALB with a listener forwarding to the group: targets of a group no load balancer uses stay `unused`. */
  const putBehindLoadBalancer = async (name: string, tgArn: string): Promise<string> => {
    const lb = await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: net.publicSubnets, SecurityGroups: [net.securityGroupId] }));
    const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const l = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    return l.Listeners?.[0]?.ListenerArn ?? '';
  };
  const markHealthy = (tgArn: string, ip: string): void => {
    const tg = sb.world.get<TargetGroupData>(ResourceType.targetGroup, tgArn);
    assert.ok(tg);
    setTargetHealth(sb.world, tg, ip, 'healthy');
  };

  before(async () => {
    sb = await sandbox();
    elb = new ElasticLoadBalancingV2Client(clientConfig(sb, { maxAttempts: 1 }));
    net = buildNetwork(sb.world, 0);
  });
  after(async () => {
    await sb.close();
  });

  it('creates an ip target group with the health check settings and defaults', async () => {
    const out = await elb.send(new CreateTargetGroupCommand(tgInput('api', { Matcher: { HttpCode: '200-299' } })));
    const tg = out.TargetGroups?.[0];
    assert.match(tg?.TargetGroupArn ?? '', /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/api\/[0-9a-f]{16}$/);
    assert.equal(tg?.TargetType, 'ip');
    assert.equal(tg?.HealthCheckPath, '/health');
    assert.equal(tg?.HealthCheckProtocol, 'HTTP');
    assert.equal(tg?.HealthCheckPort, 'traffic-port');
    assert.equal(tg?.HealthCheckIntervalSeconds, 30);
    assert.equal(tg?.HealthyThresholdCount, 5);
    assert.equal(tg?.Matcher?.HttpCode, '200-299');
    assert.deepEqual(tg?.LoadBalancerArns, []);
  });

  it('applies the name rule, requires a VPC that exists, and checks health check ranges', async () => {
    for (const name of ['x'.repeat(33), 'under_score', '-a', 'a-']) {
      await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput(name))), 'ValidationError', /name/);
    }
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('no-vpc', { VpcId: undefined }))), 'ValidationError', /VPC/);
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('ghost-vpc', { VpcId: 'vpc-0123456789abcdef0' }))), 'ValidationError', /not found/);
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('bad-interval', { HealthCheckIntervalSeconds: 1 }))), 'ValidationError');
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('bad-path', { HealthCheckPath: 'health' }))), 'ValidationError');
  });

  it('returns the same target group for an identical re-create and refuses different settings', async () => {
    const a = await createTg('same');
    const b = await createTg('same');
    assert.equal(a, b);
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('same', { Port: 8080 }))), 'DuplicateTargetGroupNameException');
    await rejectsWith(elb.send(new CreateTargetGroupCommand(tgInput('same', { HealthCheckPath: '/other' }))), 'DuplicateTargetGroupNameException');
  });

  it('describes target groups by name and ARN, pages them, and answers TargetGroupNotFound', async () => {
    for (const n of ['pg-1', 'pg-2', 'pg-3']) await createTg(n);
    const byName = await elb.send(new DescribeTargetGroupsCommand({ Names: ['pg-2'] }));
    assert.equal(byName.TargetGroups?.[0]?.TargetGroupName, 'pg-2');
    await rejectsWith(elb.send(new DescribeTargetGroupsCommand({ Names: ['pg-404'] })), 'TargetGroupNotFoundException', /pg-404/);
    await rejectsWith(
      elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0123456789abcdef'] })),
      'TargetGroupNotFoundException',
    );
    const all = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 2, Marker: marker }));
      assert.ok((page.TargetGroups ?? []).length <= 2);
      seen.push(...(page.TargetGroups ?? []).map((t) => t.TargetGroupName ?? ''));
      marker = page.NextMarker;
    } while (marker);
    assert.ok(all.length >= 5);
    assert.deepEqual(seen, all.map((t) => t.TargetGroupName));
  });

  it('keeps attributes (deregistration delay 300 by default) and modifies health checks', async () => {
    const arn = await createTg('attrs');
    const get = (list: { Key?: string; Value?: string }[] | undefined, k: string) => list?.find((a) => a.Key === k)?.Value;
    const before = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
    assert.equal(get(before.Attributes, 'deregistration_delay.timeout_seconds'), '300');
    const mod = await elb.send(
      new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }),
    );
    assert.equal(get(mod.Attributes, 'deregistration_delay.timeout_seconds'), '30');
    assert.equal(get((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))).Attributes, 'deregistration_delay.timeout_seconds'), '30');
    await rejectsWith(
      elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '4000' }] })),
      'ValidationError',
    );
    await rejectsWith(
      elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'made.up', Value: '1' }] })),
      'ValidationError',
    );
    const modified = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckPath: '/ready', HealthyThresholdCount: 2 }));
    assert.equal(modified.TargetGroups?.[0]?.HealthCheckPath, '/ready');
    assert.equal(modified.TargetGroups?.[0]?.HealthyThresholdCount, 2);
    await rejectsWith(
      elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, '0000000000000000'), HealthCheckPath: '/' })),
      'TargetGroupNotFoundException',
    );
  });

  it('registers ip targets only inside the VPC (or AZ all for private ranges); instance groups take no ip', async () => {
    const arn = await createTg('reg');
    await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '192.0.2.10' }] })), 'InvalidTargetException', /CIDR/);
    await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'not-an-ip' }] })), 'InvalidTargetException');
    const instanceTg = await createTg('inst', { TargetType: 'instance' });
    await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: instanceTg, Targets: [{ Id: '10.0.10.5' }] })), 'InvalidTargetException');

    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.5' }, { Id: '172.16.0.9', AvailabilityZone: 'all' }] }));
    const h = await health(arn);
    assert.equal(h.length, 2);
    const inVpc = h.find((d) => d.Target?.Id === '10.0.10.5');
    assert.equal(inVpc?.Target?.Port, 3000);
    assert.equal(inVpc?.Target?.AvailabilityZone, 'us-east-1a');
    assert.equal(inVpc?.HealthCheckPort, '3000');
    // Nothing sends traffic to a group without a load balancer.
    assert.equal(inVpc?.TargetHealth?.State, 'unused');
    assert.equal(inVpc?.TargetHealth?.Reason, 'Target.NotInUse');

    const unknown = await health(arn, [{ Id: '10.0.10.99' }]);
    assert.equal(unknown[0]?.TargetHealth?.State, 'unused');
    assert.equal(unknown[0]?.TargetHealth?.Reason, 'Target.NotRegistered');
    await rejectsWith(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, '0000000000000000'), Targets: [{ Id: '10.0.10.5' }] })),
      'TargetGroupNotFoundException',
    );
  });

  it('reports targets initial behind a listener, in service once healthy (waitUntilTargetInService)', async () => {
    const arn = await createTg('svc');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.11.20' }] }));
    assert.equal((await health(arn))[0]?.TargetHealth?.State, 'unused');
    const listenerArn = await putBehindLoadBalancer('svc-lb', arn);
    const initial = (await health(arn))[0];
    assert.equal(initial?.TargetHealth?.State, 'initial');
    assert.equal(initial?.TargetHealth?.Reason, 'Elb.RegistrationInProgress');
    assert.equal(initial?.Target?.AvailabilityZone, 'us-east-1b');

    markHealthy(arn, '10.0.11.20');
    await waitUntilTargetInService({ client: elb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TargetGroupArn: arn, Targets: [{ Id: '10.0.11.20', Port: 3000 }] });
    assert.equal((await health(arn))[0]?.TargetHealth?.State, 'healthy');

    // Without a listener the group is unused again, and so are its targets.
    await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    assert.equal((await health(arn))[0]?.TargetHealth?.Reason, 'Target.NotInUse');
  });

  it('drains a deregistered target for the deregistration delay, then it is gone (waitUntilTargetDeregistered)', async () => {
    const arn = await createTg('drain');
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '400' }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.30' }, { Id: '10.0.10.31' }] }));
    await putBehindLoadBalancer('drain-lb', arn);
    markHealthy(arn, '10.0.10.30');
    markHealthy(arn, '10.0.10.31');

    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.30' }] }));
    const draining = (await health(arn)).find((d) => d.Target?.Id === '10.0.10.30');
    assert.equal(draining?.TargetHealth?.State, 'draining');
    assert.equal(draining?.TargetHealth?.Reason, 'Target.DeregistrationInProgress');
    assert.equal((await health(arn)).find((d) => d.Target?.Id === '10.0.10.31')?.TargetHealth?.State, 'healthy');

    // 400 s scaled by 0.001: gone after ~400 ms.
    await eventually(async () => ((await health(arn)).some((d) => d.Target?.Id === '10.0.10.30') ? undefined : true), 10_000, 'the drained target to go');
    await waitUntilTargetDeregistered({ client: elb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TargetGroupArn: arn, Targets: [{ Id: '10.0.10.30', Port: 3000 }] });
    assert.deepEqual((await health(arn)).map((d) => d.Target?.Id), ['10.0.10.31']);
  });

  it('drops deregistered targets at once from a group no load balancer uses', async () => {
    const arn = await createTg('idle');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.40' }] }));
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.40' }] }));
    assert.deepEqual(await health(arn), []);
    // Deregistering a target that is not registered does nothing.
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.10.41' }] }));
    assert.deepEqual(await health(arn), []);
  });
});
