import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseServiceTargets, diagnoseStoppedTask, diagnoseTargetGroup, diagnoseTargetHealth, hintsFrom, type TargetState } from '../../src/diagnose.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf';

/**
 * What ECS and the ALB say, and the cause three-tier names with its fix. The long texts are AWS's own, as ECS
 * reports them in stoppedReason (docs/aws-facts.md, the ECS developer guide's stopped-task errors); the sandbox
 * reproduces them (src/sandbox/services/ecs/startup.ts).
 */
const STOPPED: { say: string[]; code: string | undefined; fix?: RegExp }[] = [
  { say: ['Essential container in task exited', 'exec /usr/local/bin/docker-entrypoint.sh: exec format error'], code: 'ARCH_MISMATCH', fix: /--platform linux\/amd64/ },
  {
    say: ['CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/x:nope: not found'],
    code: 'IMAGE_NOT_FOUND',
    fix: /--image/,
  },
  { say: ['CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: dial tcp 52.0.0.1:443: i/o timeout'], code: 'NO_REGISTRY_ROUTE', fix: /NAT gateway/ },
  {
    say: [
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-api:latest: failed to do request: Head "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/demo-api/manifests/latest": dial tcp 52.46.145.25:443: i/o timeout',
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  // Without a route out, Fargate fails fetching the secret or the registry auth first, before any pull.
  {
    say: [
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret ${SECRET} from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.`,
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  {
    say: [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 52.46.145.25:443: i/o timeout. Please check your task network configuration.',
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  // The same three failures as today's ECS agent words them (stopped tasks reported in 2024-2025).
  {
    say: [
      `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret ${SECRET} from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded`,
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  {
    say: [
      'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 44.213.79.104:443: i/o timeout',
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  {
    say: [
      'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
    ],
    code: 'NO_REGISTRY_ROUTE',
    fix: /NAT gateway/,
  },
  { say: ['CannotPullContainerError: something else'], code: 'IMAGE_PULL_FAILED', fix: /NAT/ },
  {
    say: ['ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException'],
    code: 'SECRET_ACCESS',
    fix: /GetSecretValue on each secret's exact ARN/,
  },
  {
    say: [
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${SECRET} from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/demo-task-execution/0123456789abcdef is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 5f3c`,
    ],
    code: 'SECRET_ACCESS',
    fix: /GetSecretValue on each secret's exact ARN/,
  },
  {
    say: ['ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: ResourceNotFoundException: The specified log group does not exist.'],
    code: 'LOGS_ACCESS',
    fix: /log group exists/,
  },
  {
    say: [
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
    ],
    code: 'LOGS_ACCESS',
    fix: /log group exists/,
  },
  { say: ['ResourceInitializationError: unable to pull registry auth'], code: 'TASK_INIT_FAILED', fix: /NAT gateway route/ },
  {
    say: ["ECS was unable to assume the role 'arn:aws:iam::123456789012:role/demo-task-execution' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."],
    code: 'ROLE_NOT_ASSUMABLE',
    fix: /ecs-tasks\.amazonaws\.com/,
  },
  { say: ['Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/demo-tg/abc)'], code: 'HEALTH_CHECKS_FAILED', fix: /security groups/ },
  { say: ['Essential container in task exited', 'OutOfMemoryError: Container killed due to memory usage'], code: 'OUT_OF_MEMORY', fix: /memory/ },
  { say: ['Essential container in task exited'], code: 'CONTAINER_EXITED', fix: /logs/ },
  { say: ['Scaling activity initiated by deployment ecs-svc/123'], code: undefined },
];

const TARGETS: { reason: string; description?: string; extra?: string; code: string | undefined; fix?: RegExp }[] = [
  { reason: 'Target.Timeout', description: 'Request timed out', code: 'SG_CHAIN', fix: /TCP 3000 from the alb group/ },
  {
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
    extra: 'error: no pg_hba.conf entry for host "10.0.32.7", user "app_admin", database "app", no encryption',
    code: 'DB_SSL',
    fix: /DB_SSL=verify-full/,
  },
  { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]', extra: 'self-signed certificate in certificate chain', code: 'DB_CA', fix: /CA bundle/ },
  // The API's JSON log lines when a dependency's health check fails (api/src/health/health-failure.log.ts).
  {
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
    extra: '{"time":"2026-11-30T02:00:00.000Z","level":"warn","msg":"health check failed","service":"database","reason":"timeout exceeded when trying to connect"}',
    code: 'DB_UNREACHABLE',
    fix: /TCP 5432 from the ecs group/,
  },
  {
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
    extra: '{"time":"2026-11-30T02:00:00.000Z","level":"warn","msg":"health check failed","service":"cache","reason":"not connected (reconnecting)"}',
    code: 'CACHE_UNREACHABLE',
    fix: /REDIS_TLS=true/,
  },
  { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]', code: 'HEALTH_NOT_OK', fix: /5432 \/ 6379/ },
  { reason: 'Target.FailedHealthChecks', description: 'Health checks failed', code: 'NOT_LISTENING', fix: /PORT=3000/ },
  { reason: 'Elb.RegistrationInProgress', code: undefined },
];

describe('diagnosis of stopped tasks', () => {
  for (const s of STOPPED) {
    it(`${s.say.join(' / ').slice(0, 70)} -> ${s.code ?? 'nothing'}`, () => {
      const d = diagnoseStoppedTask(...s.say);
      assert.equal(d?.code, s.code);
      if (s.fix) assert.match(d?.fix ?? '', s.fix);
      else assert.equal(s.code, undefined, 'every cause is checked for its fix');
    });
  }
});

describe('diagnosis of target health', () => {
  for (const t of TARGETS) {
    it(`${t.reason}${t.extra ? ' + ' + t.extra.slice(0, 30) : ''} -> ${t.code ?? 'nothing'}`, () => {
      const d = diagnoseTargetHealth(t.reason, t.description, t.extra);
      assert.equal(d?.code, t.code);
      if (t.fix) assert.match(d?.fix ?? '', t.fix);
      else assert.equal(t.code, undefined, 'every cause is checked for its fix');
    });
  }

  it('names target type instance when running tasks register nothing', () => {
    assert.equal(diagnoseTargetGroup('instance', 0, 2)?.code, 'TARGET_TYPE_INSTANCE');
    assert.equal(diagnoseTargetGroup('ip', 0, 2), undefined);
    assert.equal(diagnoseTargetGroup('instance', 1, 1), undefined);
  });

  it('turns diagnoses into hints, each cause once', () => {
    const d = diagnoseStoppedTask('CannotPullContainerError: x: not found');
    const hints = hintsFrom([d, d, undefined]);
    assert.equal(hints.length, 1);
    assert.match(hints[0] ?? '', /does not exist in the registry: push the image/);
  });
});

/** What a service wait saw last when it ran out, and what three-tier says it means. */
const WAITS: { name: string; running: number; targets: TargetState[]; targetType?: string; codes: string[]; meaning: RegExp; hint?: RegExp }[] = [
  { name: 'no task running', running: 0, targets: [], codes: ['NO_TASK_RUNNING'], meaning: /^no task of the service is running$/ },
  {
    name: 'a task running, nothing registered',
    running: 1,
    targets: [],
    targetType: 'ip',
    codes: ['NO_TARGET_REGISTERED'],
    meaning: /^1 task runs and no target is registered in the target group$/,
    hint: /load balancer mapping .* --force-new-deployment/,
  },
  { name: 'only a draining target', running: 2, targets: [{ state: 'draining', reason: 'Target.DeregistrationInProgress' }], codes: ['NO_TARGET_REGISTERED'], meaning: /^2 tasks run and no target/ },
  { name: 'a target group of type instance', running: 1, targets: [], targetType: 'instance', codes: ['TARGET_TYPE_INSTANCE'], meaning: /no target is registered/, hint: /TargetType ip/ },
  { name: 'targets still in their first checks', running: 1, targets: [{ state: 'initial', reason: 'Elb.RegistrationInProgress' }], codes: ['HEALTH_CHECKS_PENDING'], meaning: /^1 of 1 registered target\(s\) are still initial$/ },
  {
    name: 'a target timing out',
    running: 1,
    targets: [{ state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }],
    codes: ['SG_CHAIN', 'TARGETS_UNHEALTHY'],
    meaning: /^1 of 1 registered target\(s\) are unhealthy \(Target\.Timeout\)$/,
    hint: /the ecs group must allow TCP 3000 from the alb group/,
  },
  {
    name: 'a target answering 503',
    running: 2,
    targets: [{ state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' }, { state: 'healthy' }],
    codes: ['HEALTH_NOT_OK', 'TARGETS_UNHEALTHY'],
    meaning: /^1 of 2 registered target\(s\) are unhealthy \(Target\.ResponseCodeMismatch\)$/,
    hint: /DB_SSL=verify-full/,
  },
  { name: 'a target unhealthy for no known reason', running: 1, targets: [{ state: 'unhealthy' }], codes: ['TARGETS_UNHEALTHY'], meaning: /are unhealthy$/, hint: /health check \(GET \/health on port 3000\).*security groups.*DB_SSL/ },
];

describe('diagnosis of a service wait that ran out', () => {
  for (const w of WAITS) {
    it(`${w.name} -> ${w.codes.join(', ')}`, () => {
      const d = diagnoseServiceTargets({ targetType: w.targetType, running: w.running, targets: w.targets, service: 'demo-api', cluster: 'demo' });
      assert.deepEqual(d.diagnoses.map((x) => x.code), w.codes);
      assert.match(d.meaning, w.meaning);
      if (w.hint) assert.match(hintsFrom(d.diagnoses).join('\n'), w.hint);
    });
  }
});
