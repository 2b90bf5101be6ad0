/**
 * From what ECS and the load balancer say to what is wrong and how to fix it. Stopped-task reasons
 * (DescribeTasks stoppedReason and containers[].reason) and target health (DescribeTargetHealth reason and
 * description, plus any text the caller has, such as the task's log lines or the /health body) go in; a cause and
 * a fix come out. Pure functions: the service wait (src/resources/ecs-service.ts) uses them, and
 * test/provisioner/diagnose.test.ts holds the scenario table.
 */
export interface Diagnosis {
  /** A stable code for the cause. */
  code: string;
  cause: string;
  fix: string;
}

interface Rule {
  test: (text: string) => boolean;
  diagnosis: Diagnosis;
}

const has = (...patterns: RegExp[]) => (text: string) => patterns.every((p) => p.test(text));

const STOPPED_RULES: Rule[] = [
  {
    test: has(/exec format error/i),
    diagnosis: {
      code: 'ARCH_MISMATCH',
      cause: "the image was built for another CPU architecture than the task's runtimePlatform (exec format error)",
      fix: 'rebuild the image for the task: docker buildx build --platform linux/amd64 (X86_64 tasks), or set the stack architecture to ARM64 for an arm64 image',
    },
  },
  {
    // Before the not-found and secret rules: a timeout says nothing about the image or the role. Without a route out,
    // Fargate fails on the secret or the registry auth first (ResourceInitializationError ... context deadline exceeded).
    test: has(/CannotPullContainerError|ResourceInitializationError/i, /timeout|timed out|dial tcp|context deadline|connection refused|no route|connection issue|network configuration/i),
    diagnosis: {
      code: 'NO_REGISTRY_ROUTE',
      cause: 'the task could not reach the registry, Secrets Manager or CloudWatch Logs: its private subnets have no working route out',
      fix: 'check that the private route table sends 0.0.0.0/0 to an available NAT gateway (or add VPC endpoints: ecr.api, ecr.dkr, logs, secretsmanager and the s3 gateway)',
    },
  },
  {
    test: has(/CannotPullContainerError/i, /not found|manifest unknown|failed to resolve ref|does not exist/i),
    diagnosis: {
      code: 'IMAGE_NOT_FOUND',
      cause: 'the image (its tag or digest) does not exist in the registry',
      fix: 'push the image first, or pass --image with a tag or digest that exists (aws ecr describe-images shows them)',
    },
  },
  {
    test: has(/CannotPullContainerError/i),
    diagnosis: {
      code: 'IMAGE_PULL_FAILED',
      cause: 'the task could not pull its image: it is missing, or the registry is unreachable from the private subnets',
      fix: 'check the image reference exists, and that the private subnets route 0.0.0.0/0 through the NAT gateway',
    },
  },
  {
    test: has(/ResourceInitializationError/i, /secret/i),
    diagnosis: {
      code: 'SECRET_ACCESS',
      cause: "ECS could not read one of the stack's secrets (the database password, the API key, the cache's AUTH token) with the task execution role",
      fix: "the execution role's policy must allow secretsmanager:GetSecretValue on each secret's exact ARN (the database's is the instance's MasterUserSecret.SecretArn, read as '<secret ARN>:password::'); run up again to repair the policy",
    },
  },
  {
    test: has(/ResourceInitializationError/i, /log/i),
    diagnosis: {
      code: 'LOGS_ACCESS',
      cause: 'ECS could not set up the awslogs driver (log group missing or the execution role lacks logs permissions)',
      fix: "check the log group exists and the execution role's policy allows logs:CreateLogStream and logs:PutLogEvents in it; run up again to repair them",
    },
  },
  {
    test: has(/ResourceInitializationError/i),
    diagnosis: {
      code: 'TASK_INIT_FAILED',
      cause: 'the task could not initialise: ECR, Secrets Manager or CloudWatch Logs were unreachable from the private subnets',
      fix: 'check the NAT gateway route of the private subnets and the execution role',
    },
  },
  {
    test: has(/unable to assume|AssumeRole|not authorized to perform: sts/i),
    diagnosis: {
      code: 'ROLE_NOT_ASSUMABLE',
      cause: 'ECS could not assume the task execution role (new roles take a moment to propagate, or its trust policy is wrong)',
      fix: 'wait a minute and run up again; the role must trust ecs-tasks.amazonaws.com',
    },
  },
  {
    test: has(/OutOfMemory|exit code:? 137|OOM/i),
    diagnosis: {
      code: 'OUT_OF_MEMORY',
      cause: 'the container ran out of memory',
      fix: 'raise the task memory, or look for a leak in the API logs',
    },
  },
  {
    test: has(/failed (ELB|load balancer) health checks/i),
    diagnosis: {
      code: 'HEALTH_CHECKS_FAILED',
      cause: 'the task was stopped because it failed the load balancer health checks on GET /health',
      fix: 'see the target health reason: a timeout points at the security groups, a non-200 answer at the database or cache connection',
    },
  },
  {
    test: has(/Essential container in task exited/i),
    diagnosis: {
      code: 'CONTAINER_EXITED',
      cause: 'the API process exited (a configuration error at boot, or a crash)',
      fix: 'read the task logs in the log group /three-tier/<stack>/api (aws logs tail); the API names the bad variable at boot',
    },
  },
];

const TARGET_RULES: Rule[] = [
  {
    test: has(/Target\.ResponseCodeMismatch/i, /no pg_hba\.conf entry/i),
    diagnosis: {
      code: 'DB_SSL',
      cause: 'the API connects to PostgreSQL without TLS and RDS refuses it (rds.force_ssl is on from PostgreSQL 15: "no pg_hba.conf entry ... no encryption")',
      fix: 'set DB_SSL=verify-full and ship the RDS CA bundle in the image (the task definition three-tier registers sets DB_SSL=verify-full)',
    },
  },
  {
    test: has(/Target\.ResponseCodeMismatch/i, /self.signed certificate|unable to verify|certificate/i),
    diagnosis: {
      code: 'DB_CA',
      cause: "the API does not trust the RDS certificate (the RDS CA is not in Node's trust store)",
      fix: 'ship the RDS global CA bundle (global-bundle.pem) in the image and point DB_SSL_CA_FILE at it; do not turn verification off',
    },
  },
  {
    // The API's own log line when its database check fails (api/src/health/health-failure.log.ts).
    test: has(/Target\.ResponseCodeMismatch/i, /health check failed[^\n|]*"service":"database"/i),
    diagnosis: {
      code: 'DB_UNREACHABLE',
      cause: '/health answers 503 because the API cannot reach PostgreSQL (a timeout: the database group does not admit the tasks, or their group does not let them out)',
      fix: "the rds group must allow TCP 5432 from the ecs group (by group id) and the ecs group's egress must allow it; run up again to repair the rules (three-tier status lists a removed rule as drift)",
    },
  },
  {
    test: has(/Target\.ResponseCodeMismatch/i, /health check failed[^\n|]*"service":"cache"/i),
    diagnosis: {
      code: 'CACHE_UNREACHABLE',
      cause: "/health answers 503 because the API cannot reach Redis: the cache group does not admit the tasks, or REDIS_TLS does not match the replication group's transit encryption",
      fix: "the redis group must allow TCP 6379 from the ecs group (by group id), and REDIS_TLS=true goes with TransitEncryptionEnabled (the task definition three-tier registers sets it); run up again to repair them",
    },
  },
  {
    test: has(/Target\.ResponseCodeMismatch/i),
    diagnosis: {
      code: 'HEALTH_NOT_OK',
      cause: '/health answers something other than 200: the API cannot reach PostgreSQL or Redis',
      fix: 'check that DB_SSL=verify-full (RDS refuses connections without TLS), that the rds and redis groups allow 5432 / 6379 from the ecs group, that REDIS_TLS=true, and the task logs',
    },
  },
  {
    test: has(/Target\.Timeout|Request timed out/i),
    diagnosis: {
      code: 'SG_CHAIN',
      cause: "the load balancer's health checks time out: traffic from the alb group does not reach the task's port",
      fix: 'the ecs group must allow TCP 3000 from the alb group (by group id), and the API must listen on 0.0.0.0:3000',
    },
  },
  {
    test: has(/Target\.FailedHealthChecks|connection refused/i),
    diagnosis: {
      code: 'NOT_LISTENING',
      cause: 'the task does not accept connections on the container port',
      fix: 'check the API listens on PORT=3000 and the container port mapping is 3000',
    },
  },
];

function firstMatch(rules: readonly Rule[], text: string): Diagnosis | undefined {
  return rules.find((r) => r.test(text))?.diagnosis;
}

/** A stopped task's reason(s): stoppedReason and each container's reason. */
export function diagnoseStoppedTask(...reasons: (string | undefined)[]): Diagnosis | undefined {
  return firstMatch(STOPPED_RULES, reasons.filter(Boolean).join(' | '));
}

/** A target's health: reason code (Target.Timeout, ...), description, and any text the caller has (logs, body). */
export function diagnoseTargetHealth(reason: string | undefined, description?: string, extra?: string): Diagnosis | undefined {
  return firstMatch(TARGET_RULES, [reason, description, extra].filter(Boolean).join(' | '));
}

/** The target group itself: awsvpc tasks register only in `ip` target groups; `instance` registers nothing. */
export function diagnoseTargetGroup(targetType: string | undefined, registeredTargets: number, runningTasks: number): Diagnosis | undefined {
  if (targetType === 'instance' && registeredTargets === 0 && runningTasks > 0) {
    return {
      code: 'TARGET_TYPE_INSTANCE',
      cause: 'the target group has target type instance: Fargate (awsvpc) tasks register nothing in it, silently',
      fix: 'recreate the target group with TargetType ip (destroy and up again, or replace it and update the service)',
    };
  }
  return undefined;
}

/** A target as DescribeTargetHealth describes it. */
export interface TargetState {
  state?: string | undefined;
  reason?: string | undefined;
  description?: string | undefined;
}

/**
 * Why a service's wait for healthy targets ran out, from what it saw last: no task running; tasks running and no
 * target registered (the service's load balancer mapping, or a target group of type instance); registered targets
 * still in their first health checks; or registered and failing them (the health check, the security groups, the
 * database's TLS). `meaning` says it in one phrase for the message; the diagnoses become the hints.
 */
export function diagnoseServiceTargets(o: { targetType?: string | undefined; running: number; targets: readonly TargetState[]; service: string; cluster: string }): { meaning: string; diagnoses: Diagnosis[] } {
  const registered = o.targets.filter((t) => t.state !== 'draining');
  const tasks = (n: number): string => `${n} task${n === 1 ? '' : 's'}`;
  const describe = `aws ecs describe-services --cluster ${o.cluster} --services ${o.service}`;
  if (o.running === 0) {
    return {
      meaning: 'no task of the service is running',
      diagnoses: [{ code: 'NO_TASK_RUNNING', cause: 'no task of the service is running: ECS has not placed one yet, or each stops before it starts', fix: `the service's events and stopped tasks say why: ${describe}, or three-tier status` }],
    };
  }
  if (registered.length === 0) {
    const instance = diagnoseTargetGroup(o.targetType, 0, o.running);
    return {
      meaning: `${tasks(o.running)} ${o.running === 1 ? 'runs' : 'run'} and no target is registered in the target group`,
      diagnoses: [
        instance ?? {
          code: 'NO_TARGET_REGISTERED',
          cause: "the running tasks are not registered in the target group: the service's load balancer mapping (its target group, container name and container port) does not put them there, or they were deregistered outside three-tier",
          fix: `compare the service's loadBalancers (${describe} --query 'services[0].loadBalancers') with the target group (target type ip, port 3000); a new deployment registers its tasks again: aws ecs update-service --cluster ${o.cluster} --service ${o.service} --force-new-deployment`,
        },
      ],
    };
  }
  const unhealthy = registered.filter((t) => t.state === 'unhealthy');
  if (unhealthy.length === 0) {
    const waiting = registered.filter((t) => t.state !== 'healthy');
    return {
      meaning: `${waiting.length} of ${registered.length} registered target(s) are still ${[...new Set(waiting.map((t) => t.state ?? 'unknown'))].join(' or ')}`,
      diagnoses: [
        {
          code: 'HEALTH_CHECKS_PENDING',
          cause: 'the registered targets have not passed their first health checks yet',
          fix: 'it may only need longer: run the same command again to keep waiting; if they stay initial, look at the health check (GET /health on port 3000, its interval and thresholds) and the security groups',
        },
      ],
    };
  }
  const reasons = [...new Set(unhealthy.map((t) => t.reason).filter(Boolean))];
  const known = unhealthy.map((t) => diagnoseTargetHealth(t.reason, t.description));
  return {
    meaning: `${unhealthy.length} of ${registered.length} registered target(s) are unhealthy${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    diagnoses: [
      ...known.filter((d): d is Diagnosis => d !== undefined),
      {
        code: 'TARGETS_UNHEALTHY',
        cause: "the tasks are registered but fail the load balancer's health check (GET /health on port 3000)",
        fix: "a timeout points at the security groups (the ecs group must admit TCP 3000 from the alb group), an answer other than 200 at the database or the cache (DB_SSL=verify-full against RDS, REDIS_TLS=true, the rds and redis groups); the task logs say which: aws logs tail /three-tier/<stack>/api",
      },
    ],
  };
}

/** Hints for a ThreeTierError: "cause: fix", each once. */
export function hintsFrom(diagnoses: readonly (Diagnosis | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of diagnoses) {
    if (!d || seen.has(d.code)) continue;
    seen.add(d.code);
    out.push(`${d.cause}: ${d.fix}`);
  }
  return out;
}

/**
 * Causes of stopped tasks that retrying cannot fix, and after how many stopped tasks of a new deployment with that
 * cause `deploy` stops waiting and rolls back (src/rollout.ts) instead of waiting for the circuit breaker, which
 * trips only at max(3, ceil(desired / 2)) failed tasks. One task is enough when the cause is deterministic (the
 * same image, the same role, the same route give the same answer again); a crash on start-up or a pull that failed
 * for an unnamed reason can be a passing dependency, so they need a second task to agree. Causes not listed here
 * (a role still propagating, failing health checks) are left to the breaker.
 *
 * Not the rule of up's wait for the service (STOPPED_LIMIT in src/resources/ecs-service.ts), on purpose: that wait
 * only ends with an error (a new stack has no earlier revision to go back to), so it gives up after 3 stopped tasks of
 * any cause, or 2 that all have a recognised one; this one rolls a working service back at once, so it acts only on
 * a cause retries cannot fix, and leaves a cause that may pass to the breaker.
 */
const FAIL_FAST_AFTER: Readonly<Record<string, number>> = {
  ARCH_MISMATCH: 1,
  IMAGE_NOT_FOUND: 1,
  SECRET_ACCESS: 1,
  LOGS_ACCESS: 1,
  NO_REGISTRY_ROUTE: 1,
  IMAGE_PULL_FAILED: 2,
  TASK_INIT_FAILED: 2,
  CONTAINER_EXITED: 2,
  OUT_OF_MEMORY: 2,
};

/** After how many stopped tasks with this cause a rollout is hopeless; undefined: retries may fix it. */
export function failFastAfter(diagnosis: Diagnosis | undefined): number | undefined {
  return diagnosis ? FAIL_FAST_AFTER[diagnosis.code] : undefined;
}
