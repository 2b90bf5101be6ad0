import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeregisterTargetsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig, eventually } from '../sandbox/helpers.js';
import { e2eSuite, runCli, stackArgs, TIME_SCALE } from './cli.js';

/**
 * A wait for the service's healthy targets that runs out says what "1/1 running, 0/1 healthy target(s)" means and
 * what to do, not only "run again". The task keeps running after its target is deregistered outside three-tier; the
 * next `up` waits for a healthy target with a budget made small through --time-scale (the sandbox, held by the test,
 * keeps its own pace), so the wait times out, after its wall-time floor, with what it saw.
 */
describe('a service wait that times out', () => {
  const suite = e2eSuite('service-timeout');
  const manifest = (): string => join(suite.dir, 'lone.json');

  it('with a running task and no target registered names the load balancer mapping', async () => {
    const made = await runCli(['up', ...stackArgs(suite.sb, 'lone', manifest()), '--image', 'public.ecr.aws/nginx/nginx:1.27'], { cwd: suite.dir });
    assert.equal(made.code, 0, made.stderr.slice(-2000));

    const elb = new ElasticLoadBalancingV2Client(clientConfig(suite.sb));
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['lone-tg'] }))).TargetGroups?.[0]?.TargetGroupArn ?? '';
    const targets = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? [];
    assert.equal(targets.length, 1);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: targets.map((t) => ({ Id: t.Target?.Id ?? '', Port: t.Target?.Port ?? 0 })) }));
    await eventually(async () => (((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).length === 0 ? true : undefined), 30_000, 'the target drained');

    // 20 minutes of AWS time at this scale are a fraction of a second: the wait's wall-time floor (15 s) sets it.
    const args = stackArgs(suite.sb, 'lone', manifest()).map((a) => (a === String(TIME_SCALE) ? '0.0005' : a));
    const r = await runCli(['up', ...args], { cwd: suite.dir });
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.match(r.stderr, /Error \[SERVICE_NOT_HEALTHY\]: timed out waiting for ECS service lone-api to run 1 healthy task\(s\); last state: rollout COMPLETED, 1\/1 running, 0\/1 healthy target\(s\): 1 task runs and no target is registered in the target group/);
    assert.match(r.stderr, /Try: the running tasks are not registered in the target group: the service's load balancer mapping \(its target group, container name and container port\)/);
    assert.match(r.stderr, /aws ecs update-service --cluster lone --service lone-api --force-new-deployment/);
    assert.match(r.stderr, /Try: then run the same command again: it continues from where it stopped/);
    assert.doesNotMatch(r.stderr, /Error \[WAIT_TIMEOUT\]/);
  });
});
