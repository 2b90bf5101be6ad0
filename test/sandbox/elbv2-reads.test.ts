import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DescribeListenerCertificatesCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork } from './fixtures-network.js';

/** The listener reads beyond DescribeListeners: its (default) rule and its certificates. */
describe('sandbox ELBv2: listener rules and certificates', () => {
  let sb: Sandbox;
  let elb: ElasticLoadBalancingV2Client;
  let http: string;
  let https: string;
  let tgArn: string;
  const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0b7f1a52-0000-4000-8000-000000000001';

  before(async () => {
    sb = await sandbox();
    elb = new ElasticLoadBalancingV2Client(clientConfig(sb, { maxAttempts: 1 }));
    const net = buildNetwork(sb.world, 3);
    const lbArn =
      (await elb.send(new CreateLoadBalancerCommand({ Name: 'rules', Scheme: 'internal', Subnets: net.privateSubnets, SecurityGroups: [net.securityGroupId] })))
        .LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    tgArn = (await elb.send(new CreateTargetGroupCommand({ Name: 'rules-tg', Protocol: 'HTTP', Port: 3000, VpcId: net.vpcId, TargetType: 'ip' }))).TargetGroups?.[0]?.TargetGroupArn ?? '';
    const forward = [{ Type: 'forward' as const, TargetGroupArn: tgArn }];
    http = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: forward }))).Listeners?.[0]?.ListenerArn ?? '';
    https =
      (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: certificate }], DefaultActions: forward })))
        .Listeners?.[0]?.ListenerArn ?? '';
  });
  after(async () => {
    await sb.close();
  });

  it("describes a listener's one rule: its default rule, with the listener's default actions", async () => {
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: http }))).Rules ?? [];
    assert.equal(rules.length, 1);
    const rule = rules[0];
    assert.equal(rule?.IsDefault, true);
    assert.equal(rule?.Priority, 'default');
    assert.deepEqual(rule?.Conditions, []);
    assert.equal(rule?.Actions?.[0]?.Type, 'forward');
    assert.equal(rule?.Actions?.[0]?.TargetGroupArn, tgArn);
    assert.ok(rule?.RuleArn?.startsWith(http.replace(':listener/', ':listener-rule/')));
    // By rule ARN, the same rule; the two listeners' rules are distinct.
    const byArn = (await elb.send(new DescribeRulesCommand({ RuleArns: [rule?.RuleArn ?? ''] }))).Rules ?? [];
    assert.deepEqual(byArn, rules);
    const other = (await elb.send(new DescribeRulesCommand({ ListenerArn: https }))).Rules?.[0]?.RuleArn;
    assert.notEqual(other, rule?.RuleArn);
  });

  it('answers RuleNotFound, ListenerNotFound and ValidationError as ELBv2 does', async () => {
    const unknownRule = `${http.replace(':listener/', ':listener-rule/')}/0123456789abcdef`;
    await rejectsWith(elb.send(new DescribeRulesCommand({ RuleArns: [unknownRule] })), 'RuleNotFoundException');
    await rejectsWith(elb.send(new DescribeRulesCommand({})), 'ValidationError');
    await rejectsWith(elb.send(new DescribeRulesCommand({ RuleArns: ['not-an-arn'] })), 'ValidationError', /not a valid rule ARN/);
    await rejectsWith(elb.send(new DescribeRulesCommand({ ListenerArn: http, PageSize: 401 })), 'ValidationError', /pageSize/);
    const lb = http.replace(':listener/', ':loadbalancer/').replace(/\/[0-9a-f]{16}$/, '');
    const temp = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Port: 8080, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })))
      .Listeners?.[0]?.ListenerArn ?? '';
    await elb.send(new DeleteListenerCommand({ ListenerArn: temp }));
    await rejectsWith(elb.send(new DescribeRulesCommand({ ListenerArn: temp })), 'ListenerNotFoundException');
  });

  it('lists the default certificate of an HTTPS listener, none for an HTTP one', async () => {
    assert.deepEqual((await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: https }))).Certificates, [{ CertificateArn: certificate, IsDefault: true }]);
    assert.deepEqual((await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: http }))).Certificates, []);
  });
});
