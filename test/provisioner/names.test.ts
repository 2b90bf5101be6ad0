import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { iamRoleName, NAME_LIMITS, stackNames } from '../../src/names.js';
import { STACK_NAME_MAX, stackNameProblem } from '../../src/config.js';

/** Valid stack names at the edges: the longest, reserved prefixes, digits and hyphens. */
const NAMES = [
  'a',
  'demo',
  'a'.repeat(STACK_NAME_MAX),
  `a1-${'b'.repeat(STACK_NAME_MAX - 3)}`,
  'internal-api-stack-12345'.slice(0, STACK_NAME_MAX),
  'sg-stack',
  'x-1-2-3-4-5-6-7-8-9-0-ab',
];

const ELB = /^[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?$/;
const RDS_LIKE = /^[a-zA-Z][a-zA-Z0-9-]*$/;

describe('derived names', () => {
  for (const stack of NAMES) {
    it(`fit every AWS limit for "${stack}"`, () => {
      assert.equal(stackNameProblem(stack), undefined, 'the fixture is a valid stack name');
      const n = stackNames(stack);
      const check = (key: keyof typeof NAME_LIMITS, value: string) => assert.ok(value.length >= 1 && value.length <= NAME_LIMITS[key], `${key} "${value}" is ${value.length} long (limit ${NAME_LIMITS[key]})`);
      check('loadBalancer', n.loadBalancer);
      check('targetGroup', n.targetGroup);
      check('dbInstance', n.dbInstance);
      check('dbSubnetGroup', n.dbSubnetGroup);
      check('cacheSubnetGroup', n.cacheSubnetGroup);
      check('replicationGroup', n.replicationGroup);
      check('repository', n.repository);
      check('logGroup', n.logGroup);
      // The longest region name AWS has (ap-southeast-1 and friends: 14 characters).
      for (const purpose of ['task-execution', 'task'] as const) check('executionRole', iamRoleName(stack, 'ap-southeast-1', purpose));
      check('executionRolePolicy', n.executionRolePolicy);
      check('taskRolePolicy', n.taskRolePolicy);
      for (const secret of Object.values(n.secret)) {
        check('secret', secret);
        // Secrets Manager's name alphabet; no "-XXXXXX" ending, which would read as an ARN's random suffix.
        assert.match(secret, /^[A-Za-z0-9/_+=.@!-]+$/);
        assert.doesNotMatch(secret, /-[A-Za-z0-9]{6}$/);
      }
      check('cluster', n.cluster);
      check('service', n.service);
      check('taskFamily', n.taskFamily);
      for (const sg of Object.values(n.securityGroup)) {
        check('securityGroup', sg);
        assert.ok(!sg.startsWith('sg-'), `security group name ${sg} must not start with sg-`);
      }
      assert.match(n.loadBalancer, ELB);
      assert.ok(!n.loadBalancer.startsWith('internal-'), 'ALB names may not start with internal-');
      assert.match(n.targetGroup, ELB);
      for (const id of [n.dbInstance, n.replicationGroup]) {
        assert.match(id, RDS_LIKE);
        assert.ok(!id.includes('--') && !id.endsWith('-'), `${id}: no "--", no trailing hyphen`);
      }
      assert.equal(n.repository, n.repository.toLowerCase());
      assert.match(n.repository, /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
      assert.match(iamRoleName(stack, 'us-gov-west-1', 'task-execution'), /^[\w+=,.@-]+$/);
      assert.match(n.cluster, /^[A-Za-z0-9_-]+$/);
      assert.match(n.service, /^[A-Za-z0-9_-]+$/);
    });
  }

  it('follow the documented shapes', () => {
    const n = stackNames('demo');
    assert.deepEqual(
      [n.loadBalancer, n.targetGroup, n.dbInstance, n.replicationGroup, n.repository, n.logGroup, iamRoleName('demo', 'eu-west-1', 'task-execution'), n.cluster, n.service, n.taskFamily],
      ['demo-alb', 'demo-tg', 'demo-db', 'demo-redis', 'demo-api', '/three-tier/demo/api', 'demo-eu-west-1-task-execution', 'demo', 'demo-api', 'demo-api'],
    );
    assert.deepEqual(n.securityGroup, { alb: 'demo-alb', ecs: 'demo-ecs', rds: 'demo-rds', redis: 'demo-redis' });
    assert.deepEqual(n.secret, { 'api-key': 'demo/api-key', 'redis-auth': 'demo/redis-auth-token' });
  });
});
