import type { AwsClients } from '../aws/clients.js';
import type { Manifest, PauseRecord } from '../engine/manifest.js';
import type { Diagnosis } from '../diagnose.js';
import type { StackStatus } from './model.js';
import { expectedShape, recordedIdentity } from './expected.js';
import { observe } from './observe.js';
import { resourceFindings } from './resources.js';
import { matchEc2 } from './nodes-ec2.js';
import { serviceFindings } from './service.js';
import { findLeaks } from './leaks.js';
import { burnRate, costState } from './burn.js';
import { readLock } from './lock.js';
import { tiers, verdictOf } from './verdict.js';
import { valueOf } from './read.js';
import { unfinishedDeploy } from './unfinished-deploy.js';

/**
 * `three-tier status` as a value: observe the stack once (batched, read-only; never the lock), compare it with the
 * manifest and the stack's design, and say how it is: every resource's state, the service, its targets, the data
 * tier, drift, leaks, the burn rate and one verdict. Without a manifest the stack is found by its tags.
 */
export interface StatusInput {
  clients: AwsClients;
  stack: string;
  region: string;
  manifestPath: string;
  manifest: Manifest | undefined;
  /** `sandbox` or a custom endpoint, as recorded or given. */
  endpoint?: string | undefined;
  /** The flags that name the stack to another command, for what status tells a user to run (default `--stack NAME`). */
  stackFlags?: string | undefined;
}

export type { StackStatus } from './model.js';

function dedupe(ds: readonly Diagnosis[]): Diagnosis[] {
  return ds.filter((d, i) => ds.findIndex((x) => x.code === d.code) === i);
}

export async function stackStatus(input: StatusInput): Promise<StackStatus> {
  const e = expectedShape(input.stack, input.region, input.manifest);
  const o = await observe(input.clients, input.stack, (id) => recordedIdentity(e, id));
  const svc = serviceFindings(e, o, matchEc2(e, o).get('sg-ecs')?.id);
  // The service node's health is the service's own: deployments, running tasks, targets.
  const lock = readLock(input.manifestPath);
  // While a command holds the lock, what it has just made may not be recorded yet: not a leak.
  const changing = lock !== undefined;
  const found = resourceFindings(e, o, svc.service?.health ?? 'unknown', changing);
  const leaks = findLeaks(e, o, found.ec2, found.unrecorded).filter((l) => !(changing && l.adoptable));
  const drift = [...found.drift, ...svc.drift];
  const health = (id: string) => found.resources.find((r) => r.id === id)?.health ?? 'absent';
  const now = { health, databaseState: valueOf(o.data.dbInstance)?.DBInstanceStatus, running: svc.service?.running ?? 0 };
  const cost = burnRate(e.config, costState(input.manifest), now, leaks.reduce((s, l) => s + (l.hourly ?? 0), 0));
  // A deploy stopped before it saw its rollout end left its record: the manifest says so, no AWS call of its own.
  const deployment = unfinishedDeploy(input.manifest?.deployment, o.ecs.service, lock, input.stackFlags ?? `--stack ${input.stack}`);
  const { verdict, reasons } = verdictOf({ resources: found.resources, service: svc.service, targets: svc.targets, drift, leaks, errors: o.errors, lock, deployment, foreign: o.foreign.length });
  if (input.manifest?.paused) reasons.push(pausedReason(input.manifest.paused, now.databaseState));

  const status: StackStatus = {
    stack: input.stack,
    region: input.region,
    manifestPath: input.manifestPath,
    foundBy: input.manifest ? 'manifest' : 'tags',
    observedAt: new Date().toISOString(),
    verdict,
    reasons,
    resources: found.resources,
    targets: svc.targets,
    tiers: tiers(found.resources, svc.service),
    diagnoses: dedupe(svc.diagnoses),
    drift,
    leaks,
    cost,
    errors: o.errors,
  };
  if (o.account) status.account = o.account;
  if (input.endpoint) status.endpoint = input.endpoint;
  const lb = valueOf(o.elb.loadBalancer);
  if (lb?.DNSName) status.url = `http://${lb.DNSName}`;
  if (lock) status.lock = lock;
  if (deployment) status.deployment = deployment;
  if (svc.service) status.service = svc.service;
  const db = valueOf(o.data.dbInstance);
  if (db) {
    status.database = {
      identifier: db.DBInstanceIdentifier ?? '',
      status: db.DBInstanceStatus ?? 'unknown',
      engine: `${db.Engine ?? ''} ${db.EngineVersion ?? ''}`.trim(),
      instanceClass: db.DBInstanceClass ?? '',
      encrypted: db.StorageEncrypted === true,
      publiclyAccessible: db.PubliclyAccessible === true,
      ...(db.Endpoint?.Address ? { endpoint: `${db.Endpoint.Address}:${db.Endpoint.Port ?? 5432}` } : {}),
      ...(db.MasterUserSecret?.SecretStatus ? { secretStatus: db.MasterUserSecret.SecretStatus } : {}),
    };
  }
  const rg = valueOf(o.data.replicationGroup);
  if (rg) {
    const ep = rg.NodeGroups?.[0]?.PrimaryEndpoint;
    status.cache = {
      id: rg.ReplicationGroupId ?? '',
      status: rg.Status ?? 'unknown',
      transitEncryption: rg.TransitEncryptionEnabled === true,
      atRestEncryption: rg.AtRestEncryptionEnabled === true,
      ...(rg.CacheNodeType ? { nodeType: rg.CacheNodeType } : {}),
      ...(ep?.Address ? { endpoint: `${ep.Address}:${ep.Port ?? 6379}` } : {}),
    };
  }
  return status;
}

/** Whether observing found anything of the stack at all (with no manifest: whether the stack exists). */
export function foundAnything(s: StackStatus): boolean {
  return s.resources.some((r) => r.health !== 'absent' && r.health !== 'unknown') || s.leaks.length > 0;
}

/** Since when the stack is paused, and when AWS starts its stopped database again on its own (or has). */
function pausedReason(pause: PauseRecord, databaseState: string | undefined): string {
  const head = `paused${pause.deep ? ' (deep)' : ''} since ${pause.since}`;
  if (databaseState === 'available' || databaseState === 'starting') return `${head}; AWS has started the stopped database again (7 days after the stop): three-tier pause stops it again`;
  return pause.dbRestartsAt ? `${head}; AWS starts the stopped database again on its own on ${pause.dbRestartsAt}` : head;
}
