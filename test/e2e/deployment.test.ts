import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { RESOURCE_TAG, STACK_TAG } from '../../src/engine/kind.js';
import { clientConfig, eventually } from '../sandbox/helpers.js';
import { e2eSuite, resourceEventOf, runCli, stackArgs } from './cli.js';

const STACK = 'dep';
/** Outside ECR, the sandbox pulls it as linux/amd64 (its registry is not read during a rehearsal): on ARM64 tasks it
 * starts and exits with "exec format error", and the circuit breaker fails the deployment. */
const AMD64_ONLY = 'ghcr.io/example/api:amd64-only';
const GOOD = 'public.ecr.aws/nginx/nginx:1.27';

/**
 * The service counts as up only when its deployment completed and its targets are healthy, and what went wrong
 * reaches the user with its fix, end to end through the CLI against the sandbox's ECS: a rollout the circuit
 * breaker marked FAILED stops `up`, and targets that fail their health checks (a security group that no longer lets
 * the load balancer reach the tasks) stop it with the security groups named.
 */
describe('deployments that fail, through the CLI', () => {
  const suite = e2eSuite('deploy');
  const dir = suite.dir;
  const manifest = join(dir, `${STACK}.json`);
  const up = (image: string, o: Parameters<typeof runCli>[1] = { cwd: dir }, extra: string[] = []) => runCli(['up', ...stackArgs(suite.sb, STACK, manifest), '--image', image, ...extra], o);

  it('a rollout the circuit breaker marked FAILED stops up with the stopped reason and the fix', async () => {
    // The first up is stopped once its service exists; meanwhile the breaker fails the deployment (tasks of the
    // wrong architecture).
    const serviceWaiting = (line: string): boolean => {
      const e = resourceEventOf(line);
      return e?.id === 'ecs-service' && e.phase === 'waiting';
    };
    const first = await up(AMD64_ONLY, { cwd: dir, killWhen: serviceWaiting }, ['--json', '--arch', 'ARM64']);
    assert.equal(first.signal, 'SIGKILL', first.stderr.slice(-1500));
    const ecs = new ECSClient(clientConfig(suite.sb));
    await eventually(async () => {
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
      return svc?.deployments?.[0]?.rolloutState === 'FAILED' ? svc : undefined;
    }, 15_000, 'the circuit breaker to fail the deployment');

    const r = await up(AMD64_ONLY, { cwd: dir }, ['--arch', 'ARM64']);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.equal(r.stdout, '', 'no URL: the stack is not up');
    assert.match(r.stderr, /SERVICE_DEPLOYMENT_FAILED/);
    assert.match(r.stderr, /circuit breaker/);
    assert.match(r.stderr, /exec format error/, 'what the container said');
    assert.match(r.stderr, /Try: .*--platform linux\/arm64|Try: .*platform/, 'what to do about it');
  });

  it('an image for the tasks afterwards completes the stack', async () => {
    const r = await up(GOOD, { cwd: dir }, ['--arch', 'X86_64']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, /^http:\/\/dep-alb-/);
    const svc = (await new ECSClient(clientConfig(suite.sb)).send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(primary?.rolloutState, 'COMPLETED');
    assert.equal(svc?.runningCount, 1);
  });

  it('targets that fail their health checks stop up, naming the security groups', async () => {
    // Someone moves the tasks into a group of their own that admits nothing: the load balancer's health checks no
    // longer reach them. (up puts the stack's own rules back, egress included, but leaves the service's groups.)
    const cfg = clientConfig(suite.sb);
    const ec2 = new EC2Client(cfg);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: [STACK] }, { Name: `tag:${RESOURCE_TAG}`, Values: ['sg-ecs'] }] }),
    );
    const tasksGroup = groups.SecurityGroups?.[0];
    assert.ok(tasksGroup?.GroupId && tasksGroup.VpcId, "the tasks' group");
    const closed = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'closed', Description: 'admits nothing', VpcId: tasksGroup.VpcId }));
    const ecsClient = new ECSClient(cfg);
    const svc = (await ecsClient.send(new DescribeServicesCommand({ cluster: STACK, services: [`${STACK}-api`] }))).services?.[0];
    const vpcConfig = svc?.networkConfiguration?.awsvpcConfiguration;
    await ecsClient.send(
      new UpdateServiceCommand({ cluster: STACK, service: `${STACK}-api`, networkConfiguration: { awsvpcConfiguration: { ...vpcConfig, subnets: vpcConfig?.subnets ?? [], securityGroups: [closed.GroupId ?? ''] } } }),
    );
    const r = await up(GOOD);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.equal(r.stdout, '', 'no URL: the stack is not up');
    assert.doesNotMatch(r.stderr, /nothing changed/);
    assert.match(r.stderr, /SERVICE_DEPLOYMENT_FAILED/);
    assert.match(r.stderr, /ELB health checks/, "the tasks' stopped reason");
    assert.match(r.stderr, /Try: .*security group/i, 'the diagnosis names the security groups');
  });
});
