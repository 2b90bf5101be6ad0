import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseStoppedTask, diagnoseTargetGroup, diagnoseTargetHealth, hintsFrom } from '../../src/diagnose.js';

/** What ECS and the ALB say, and the cause three-tier names. */
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
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/x:1: failed to do request: Head "https://1.dkr.ecr.us-east-1.amazonaws.com/v2/x/manifests/1": dial tcp 52.46.145.25:443: i/o timeout',
    ],
    code: 'NO_REGISTRY_ROUTE',
  },
  { say: ['CannotPullContainerError: something else'], code: 'IMAGE_PULL_FAILED', fix: /NAT/ },
  {
    say: ['ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException'],
    code: 'SECRET_ACCESS',
    fix: /GetSecretValue on the exact secret ARN/,
  },
  { say: ['ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: ResourceNotFoundException: The specified log group does not exist.'], code: 'LOGS_ACCESS' },
  { say: ['ResourceInitializationError: unable to pull registry auth'], code: 'TASK_INIT_FAILED' },
  { say: ['Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/demo-tg/abc)'], code: 'HEALTH_CHECKS_FAILED' },
  { say: ['Essential container in task exited', 'OutOfMemoryError: Container killed due to memory usage'], code: 'OUT_OF_MEMORY' },
  { say: ['Essential container in task exited'], code: 'CONTAINER_EXITED', fix: /logs/ },
  { say: ['Scaling activity initiated by deployment ecs-svc/123'], code: undefined },
];

const TARGETS: { reason: string; description?: string; extra?: string; code: string | undefined }[] = [
  { reason: 'Target.Timeout', description: 'Request timed out', code: 'SG_CHAIN' },
  { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]', extra: 'error: no pg_hba.conf entry for host "10.0.32.7", user "app_admin", database "app", no encryption', code: 'DB_SSL' },
  { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]', extra: 'self-signed certificate in certificate chain', code: 'DB_CA' },
  { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]', code: 'HEALTH_NOT_OK' },
  { reason: 'Target.FailedHealthChecks', description: 'Health checks failed', code: 'NOT_LISTENING' },
  { reason: 'Elb.RegistrationInProgress', code: undefined },
];

describe('diagnosis of stopped tasks', () => {
  for (const s of STOPPED) {
    it(`${s.say.join(' / ').slice(0, 70)} -> ${s.code ?? 'nothing'}`, () => {
      const d = diagnoseStoppedTask(...s.say);
      assert.equal(d?.code, s.code);
      if (s.fix) assert.match(d?.fix ?? '', s.fix);
    });
  }
});

describe('diagnosis of target health', () => {
  for (const t of TARGETS) {
    it(`${t.reason}${t.extra ? ' + ' + t.extra.slice(0, 30) : ''} -> ${t.code ?? 'nothing'}`, () => {
      assert.equal(diagnoseTargetHealth(t.reason, t.description, t.extra)?.code, t.code);
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
