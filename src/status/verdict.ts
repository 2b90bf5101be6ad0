import { worst, type Health, type LockView, type ResourceView, type ServiceView, type StackStatus, type Tier, type UnfinishedDeployView, type Verdict } from './model.js';

/**
 * One word for the whole stack and the reasons behind it. The order matters: what could not be read makes the
 * status unknown; what is broken (a failed deployment, unhealthy targets, a failed resource, something deleted)
 * makes it degraded; changes made outside three-tier and leaks make it drifted; resources not created yet make it
 * partial, or changing while a command holds the lock or ECS rolls out a deployment a deploy started (recorded in the
 * manifest; a deploy stopped by Ctrl-C leaves it rolling out); paused when pause took it down on purpose. A deploy's
 * record whose rollout ECS has ended (completed, failed, replaced) or never started changes no verdict: what ECS
 * shows decides, and the record only waits for the next deploy to record the outcome.
 */
const TIERS: Record<Tier, string[]> = {
  alb: ['internet-gateway', 'route-table-public', 'sg-alb', 'load-balancer', 'listener', 'target-group'],
  ecs: ['nat-gateway', 'route-table-private', 'sg-ecs', 'ecs-cluster', 'task-definition', 'ecs-service', 'execution-role', 'task-role', 'log-group', 'ecr-repository', 'api-key'],
  rds: ['sg-rds', 'db-subnet-group', 'database'],
  redis: ['sg-redis', 'cache-subnet-group', 'cache', 'redis-auth'],
};

export function tiers(resources: readonly ResourceView[], service: ServiceView | undefined): Record<Tier, Health> {
  const of = (ids: string[]): Health => worst(resources.filter((r) => ids.includes(r.id)).map((r) => r.health));
  const out = { alb: of(TIERS.alb), ecs: of(TIERS.ecs), rds: of(TIERS.rds), redis: of(TIERS.redis) };
  if (service) out.ecs = worst([out.ecs, service.health]);
  return out;
}

type Parts = Pick<StackStatus, 'resources' | 'service' | 'targets' | 'drift' | 'leaks' | 'errors'> & { lock: LockView | undefined; deployment: UnfinishedDeployView | undefined; foreign: number };

export function verdictOf(p: Parts): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  const count = (h: Health): ResourceView[] => p.resources.filter((r) => r.health === h);
  if (p.errors.length) reasons.push(`${p.errors.length} AWS read(s) failed: ${[...new Set(p.errors.map((e) => `${e.service}:${e.operation} ${e.code}`))].join(', ')}`);
  const failed = count('failed');
  const missing = count('missing');
  const svc = p.service;
  if (svc?.rolledBackFrom) reasons.push(`the deployment of ${svc.rolledBackFrom} failed and the circuit breaker rolled the service back to ${svc.taskDefinition ?? 'the previous revision'}`);
  else if (svc?.deployments.some((d) => d.rolloutState === 'FAILED')) reasons.push('the service\'s deployment failed (circuit breaker)');
  if (svc && svc.running < svc.desired) reasons.push(`${svc.running} of ${svc.desired} task(s) running`);
  const unhealthy = p.targets.filter((t) => t.state === 'unhealthy').length;
  if (unhealthy) reasons.push(`${unhealthy} of ${p.targets.length} target(s) unhealthy`);
  if (failed.length) reasons.push(`not working: ${failed.map((r) => `${r.id} (${r.state})`).join(', ')}`);
  if (missing.length) reasons.push(`deleted outside three-tier: ${missing.map((r) => r.id).join(', ')}`);
  const otherDrift = p.drift.filter((d) => d.change !== 'deleted');
  if (otherDrift.length === 1) reasons.push(`changed outside three-tier: ${otherDrift[0]?.what ?? ''}`);
  else if (otherDrift.length) reasons.push(`${otherDrift.length} changes made outside three-tier (see Drift)`);
  if (p.leaks.length) reasons.push(`${p.leaks.length} resource(s) tagged with the stack that the manifest does not know`);
  const pending = count('pending');
  const absent = count('absent');
  if (pending.length) reasons.push(`on its way: ${pending.map((r) => `${r.id} (${r.state})`).join(', ')}`);
  if (absent.length) reasons.push(`${absent.length} resource(s) not created yet`);
  const rolling = p.deployment?.rollout === 'in-progress' ? p.deployment : undefined;
  const changing = p.lock !== undefined || rolling !== undefined;
  if (p.lock) reasons.push(`a three-tier ${p.lock.command} is changing the stack (pid ${p.lock.pid} on ${p.lock.host}, since ${p.lock.since})`);
  if (rolling && !rolling.watched) reasons.push(`ECS is rolling out ${rolling.revision}, which a three-tier deploy started ${rolling.startedAt} and did not see to its end`);

  let verdict: Verdict;
  if (p.errors.length) verdict = 'unknown';
  else if (failed.length || missing.length || unhealthy || svc?.health === 'failed' || p.foreign) verdict = 'degraded';
  else if (p.drift.length || p.leaks.length) verdict = 'drifted';
  else if (pending.length || absent.length || svc?.health === 'pending') verdict = changing ? 'changing' : 'partial';
  else if (count('paused').length) verdict = 'paused';
  else verdict = 'healthy';
  return { verdict, reasons };
}
