import type { Health, StackStatus, Verdict } from '../../src/status/model.js';
import { HEALTH_WORD, type Paint } from './color.js';
import { diagram } from './diagram.js';
import { formatFindings } from './status-findings.js';

/**
 * `three-tier status` as text: the verdict and why, a deploy not seen to its end, where the stack is, the diagram,
 * the service with its deployments, stopped tasks and targets, the data tier, every resource, then what is wrong and
 * what it costs.
 */
const VERDICT_HEALTH: Record<Verdict, Health> = {
  healthy: 'ok',
  changing: 'pending',
  partial: 'absent',
  paused: 'paused',
  drifted: 'pending',
  degraded: 'failed',
  unknown: 'unknown',
};

/** AWS ids as they read best in a table: an ARN by its last parts, an image by repository and short digest. */
export function shortId(id: string | undefined): string {
  if (!id) return '-';
  if (id.startsWith('arn:')) return id.split(':').slice(5).join(':').split('/').slice(-2).join('/');
  const digest = /([^/]+)@sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(id);
  if (digest) return `${digest[1]}@sha256:${digest[2]}`;
  return id.length > 48 ? `...${id.slice(-45)}` : id;
}

function where(s: StackStatus): string {
  const place = s.endpoint === 'sandbox' ? 'the sandbox (simulated)' : s.endpoint ? `endpoint ${s.endpoint}` : 'AWS';
  return `region ${s.region}, account ${s.account ?? 'unknown'}, ${place}`;
}

function serviceLines(s: StackStatus, p: Paint): string[] {
  const svc = s.service;
  if (!svc) return [];
  const out = [`${p.bold('Service')} ${svc.name} (${svc.status}): ${svc.running} running / ${svc.desired} desired / ${svc.pending} pending, ${p.health(svc.health, HEALTH_WORD[svc.health])}`];
  for (const d of svc.deployments) {
    out.push(`  ${d.status.padEnd(7)} ${d.taskDefinition}  rollout ${d.rolloutState ?? '?'}  ${d.running}/${d.desired} running, ${d.pending} pending, ${d.failedTasks} failed${d.createdAt ? `  since ${d.createdAt}` : ''}`);
  }
  if (svc.rolledBackFrom) out.push(`  the deployment of ${svc.rolledBackFrom} failed: the circuit breaker rolled back to ${svc.taskDefinition ?? '?'}`);
  if (svc.events.length) out.push('  Circuit breaker and failure events:', ...svc.events.map((e) => `    ${e.at ?? ''} ${e.message}`));
  if (svc.stoppedTasks.length) out.push('  Last stopped tasks:');
  for (const t of svc.stoppedTasks) {
    out.push(`    ${t.taskId.slice(0, 12)} ${t.taskDefinition} ${t.stoppedAt ?? ''}${t.routine ? ' (routine)' : ''}: ${t.reason || t.stopCode || 'no reason given'}`);
    if (t.logLines.length) out.push(`      last log line: ${t.logLines[t.logLines.length - 1] ?? ''}`);
    if (t.diagnosis) out.push(`      -> ${t.diagnosis.cause}`);
  }
  return out;
}

function targetLines(s: StackStatus, p: Paint): string[] {
  if (!s.targets.length) return s.service ? ['Targets: none registered'] : [];
  return [
    'Targets:',
    ...s.targets.map((t) => {
      const h: Health = t.state === 'healthy' ? 'ok' : t.state === 'unhealthy' ? 'failed' : 'pending';
      return `  ${t.id}${t.port ? `:${t.port}` : ''} ${p.health(h, t.state)}${t.reason ? ` ${t.reason}` : ''}${t.description ? ` (${t.description})` : ''}`;
    }),
  ];
}

function dataLines(s: StackStatus): string[] {
  const out: string[] = [];
  const db = s.database;
  if (db) out.push(`Database ${db.identifier}: ${db.status}, ${db.engine ?? ''} ${db.instanceClass ?? ''}, ${db.encrypted ? 'encrypted' : 'NOT encrypted'}, ${db.publiclyAccessible ? 'PUBLIC' : 'private'}${db.endpoint ? `, ${db.endpoint}` : ''}`);
  const c = s.cache;
  if (c) out.push(`Cache ${c.id}: ${c.status}, ${c.nodeType ?? ''}, ${c.transitEncryption ? 'TLS' : 'NO TLS'}, ${c.atRestEncryption ? 'encrypted at rest' : 'NOT encrypted at rest'}${c.endpoint ? `, ${c.endpoint}` : ''}`);
  return out;
}

function resourceLines(s: StackStatus, p: Paint): string[] {
  const idWidth = Math.max(...s.resources.map((r) => r.id.length));
  const word = Math.max(...s.resources.map((r) => HEALTH_WORD[r.health].length));
  const awsWidth = Math.max(...s.resources.map((r) => shortId(r.awsId).length));
  const stateWidth = Math.max(...s.resources.map((r) => r.state.length));
  return [
    `Resources (${s.resources.length}):`,
    ...s.resources.map(
      (r) => `  ${p.health(r.health, HEALTH_WORD[r.health].padEnd(word))}  ${r.id.padEnd(idWidth)}  ${shortId(r.awsId).padEnd(awsWidth)}  ${r.detail ? `${r.state.padEnd(stateWidth)}  ${p.dim(r.detail)}` : r.state}`,
    ),
  ];
}

export function formatStatus(s: StackStatus, p: Paint): string {
  const lines: string[] = [];
  lines.push(`${p.bold(`Stack ${s.stack}`)}: ${p.health(VERDICT_HEALTH[s.verdict], s.verdict)}  (${where(s)})`);
  if (s.foundBy === 'tags') lines.push(`  No manifest at ${s.manifestPath}: found by its three-tier:stack tag in ${s.region}.`);
  for (const r of s.reasons) lines.push(`  - ${r}`);
  const d = s.deployment;
  if (d) lines.push(`  ${p.bold(`Deploy of ${d.revision}`)} (${shortId(d.image)}), started ${d.startedAt}: ${d.note}.`);
  if (s.url) lines.push(`  URL: ${s.url}${s.endpoint ? ' (simulated)' : ''}`);
  lines.push('', ...diagram(s, p).map((l) => `  ${l}`), '');
  const blocks = [serviceLines(s, p), targetLines(s, p), dataLines(s), resourceLines(s, p), formatFindings(s, p)];
  for (const b of blocks) if (b.length) lines.push(...b, '');
  lines.push(`Observed ${s.observedAt}.`);
  return `${lines.join('\n')}\n`;
}
