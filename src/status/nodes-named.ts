import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DriftItem, Health } from './model.js';
import { primaryOf } from '../ecs-deployments.js';
import { stackNames } from '../names.js';
import type { Expected } from './expected.js';
import { recordedIdentity } from './expected.js';
import type { Observation } from './observe.js';
import type { TaggedEc2 } from './observe-ec2.js';
import type { Live, NodeOutcome } from './node-outcome.js';
import { failed, gone, seen, valueOf, type Seen } from './read.js';
import { cacheHealth, databaseHealth, loadBalancerHealth } from './states.js';

/**
 * The nodes read by their derived names (load balancer, database, cache, repository, role, ECS, ...), with the
 * drift of the settings three-tier fixes: encryption, public access, the groups each one sits behind.
 */
const LISTENER_PORT = 80;

function outcome<T>(s: Seen<T>, make: (v: T) => Live, drift: (v: T) => DriftItem[] = () => []): NodeOutcome {
  if (s.state !== 'seen') return { live: s, drift: [] };
  return { live: seen(make(s.value)), drift: drift(s.value) };
}

function setting(resource: string, awsId: string, what: string, fix: string): DriftItem {
  return { resource, awsId, change: 'setting-changed', what, fix };
}

function sameSet(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  const x = [...a].sort().join(',');
  return x === [...b].sort().join(',');
}

function forwardsTo(l: Listener, tg: string | undefined): boolean {
  return !!tg && (l.DefaultActions ?? []).some((a) => a.Type === 'forward' && (a.TargetGroupArn === tg || (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === tg)));
}

export function evaluateNamed(e: Expected, o: Observation, nodeId: string, kind: string, ec2: Map<string, TaggedEc2>, serviceHealth: Health): NodeOutcome {
  const group = (id: string): string | undefined => ec2.get(id)?.id;
  const names = stackNames(e.config.stack);
  switch (kind) {
    case 'load-balancer':
      return outcome(
        o.elb.loadBalancer,
        (lb) => ({ awsId: lb.LoadBalancerArn ?? '', state: lb.State?.Code ?? 'unknown', health: loadBalancerHealth(lb.State?.Code), detail: lb.DNSName ?? '' }),
        (lb) => {
          const want = group('sg-alb');
          if (!want || sameSet(lb.SecurityGroups ?? [], [want])) return [];
          return [setting(nodeId, lb.LoadBalancerArn ?? '', `the load balancer uses security groups ${(lb.SecurityGroups ?? []).join(', ') || 'none'} instead of ${want}`, 'set them back: aws elbv2 set-security-groups, or destroy and up')];
        },
      );
    case 'target-group':
      return outcome(o.elb.targetGroup, (tg) => {
        const healthy = tg.targets.filter((t) => t.TargetHealth?.State === 'healthy').length;
        return { awsId: tg.arn, state: 'available', health: 'ok', detail: `${healthy} of ${tg.targets.length} target(s) healthy` };
      });
    case 'listener': {
      if (o.elb.listeners.state !== 'seen') return { live: o.elb.listeners, drift: [] };
      const l = o.elb.listeners.value.find((x) => x.Port === LISTENER_PORT);
      if (!l) return { live: gone, drift: [] };
      const tg = valueOf(o.elb.targetGroup)?.arn;
      const ok = forwardsTo(l, tg);
      const drift = ok ? [] : [setting(nodeId, l.ListenerArn ?? '', `the listener on port ${LISTENER_PORT} does not forward to the stack's target group`, 'run `three-tier up`: it points the listener back')];
      return { live: seen({ awsId: l.ListenerArn ?? '', state: ok ? 'forwarding' : 'forwarding elsewhere', health: ok ? 'ok' : 'failed', detail: `:${LISTENER_PORT} -> target group` }), drift };
    }
    case 'db-subnet-group':
      return outcome(o.data.dbSubnetGroup, (s) => ({ awsId: names.dbSubnetGroup, state: s === 'in-use' ? 'in use by the database' : 'available', health: 'ok' }));
    case 'cache-subnet-group':
      return outcome(o.data.cacheSubnetGroup, (s) => ({ awsId: names.cacheSubnetGroup, state: s === 'in-use' ? 'in use by the cache' : 'available', health: 'ok' }));
    case 'db-instance':
      return outcome(
        o.data.dbInstance,
        (db) => ({ awsId: db.DBInstanceIdentifier ?? '', state: db.DBInstanceStatus ?? 'unknown', health: pausedDatabase(e.paused.has(nodeId), db.DBInstanceStatus) }),
        (db) => {
          const id = db.DBInstanceIdentifier ?? '';
          const out: DriftItem[] = [];
          if (db.StorageEncrypted === false) out.push(setting(nodeId, id, `the database ${id} is not encrypted at rest`, 'encryption cannot be turned on in place: snapshot it, restore the snapshot encrypted, or destroy and up'));
          if (db.PubliclyAccessible) out.push(setting(nodeId, id, `the database ${id} is publicly accessible`, `aws rds modify-db-instance --db-instance-identifier ${id} --no-publicly-accessible --apply-immediately`));
          const want = group('sg-rds');
          const have = (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId);
          if (want && !sameSet(have, [want])) out.push(setting(nodeId, id, `the database sits behind security groups ${have.join(', ') || 'none'} instead of ${want}`, `aws rds modify-db-instance --db-instance-identifier ${id} --vpc-security-group-ids ${want} --apply-immediately`));
          return out;
        },
      );
    case 'replication-group':
      return outcome(
        o.data.replicationGroup,
        (rg) => ({ awsId: rg.ReplicationGroupId ?? '', state: rg.Status ?? 'unknown', health: cacheHealth(rg.Status) }),
        (rg) => {
          const id = rg.ReplicationGroupId ?? '';
          const out: DriftItem[] = [];
          if (rg.TransitEncryptionEnabled === false) out.push(setting(nodeId, id, `the cache ${id} does not encrypt in transit`, 'encryption in transit cannot be turned on in place here: destroy and up'));
          if (rg.AtRestEncryptionEnabled === false) out.push(setting(nodeId, id, `the cache ${id} is not encrypted at rest`, 'at-rest encryption cannot be turned on in place: destroy and up'));
          if (rg.AuthTokenEnabled === false) {
            out.push(setting(nodeId, id, `the cache ${id} takes clients without an AUTH token (made before three-tier set one)`, 'an AUTH token is set at creation here: destroy and up (the data of a cache is a cache\'s)'));
          }
          return out;
        },
      );
    case 'ecr-repository':
      return outcome(o.other.repository, (r) => ({ awsId: r.repositoryName ?? '', state: 'available', health: 'ok', detail: r.repositoryUri ?? '' }));
    case 'log-group':
      return outcome(o.other.logGroup, (g) => ({ awsId: g.logGroupName ?? '', state: 'available', health: 'ok', detail: g.retentionInDays ? `kept ${g.retentionInDays} days` : 'kept forever' }));
    case 'iam-role':
      return outcome(nodeId === 'task-role' ? o.other.taskRole : o.other.role, (r) => ({ awsId: r.RoleName ?? '', state: 'available', health: 'ok' }));
    case 'secret': {
      // The node's id is the secret's role (api-key, redis-auth): its name is derived from it.
      const name = (names.secret as Record<string, string | undefined>)[nodeId];
      if (o.other.secrets.state !== 'seen') return { live: o.other.secrets, drift: [] };
      const s = o.other.secrets.value.find((x) => x.Name === name);
      return s ? { live: seen({ awsId: s.ARN ?? '', state: 'active', health: 'ok', detail: s.Name ?? '' }), drift: [] } : { live: gone, drift: [] };
    }
    case 'ecs-cluster':
      return outcome(o.ecs.cluster, () => ({ awsId: names.cluster, state: 'ACTIVE', health: 'ok' }));
    case 'ecs-service':
      return outcome(o.ecs.service, (s) => ({ awsId: s.serviceArn ?? '', state: s.status ?? 'unknown', health: serviceHealth }));
    case 'image':
    case 'task-definition':
      return recordedOnly(e, o, nodeId, kind);
    default:
      return { live: failed, drift: [] };
  }
}

/** A database that pause stops is paused once stopped, on its way while stopping. */
function pausedDatabase(paused: boolean, state: string | undefined): Health {
  if (!paused) return databaseHealth(state);
  return state === 'stopped' ? 'paused' : state === 'stopping' ? 'pending' : databaseHealth(state);
}

/**
 * The image and the task definition are not read (no call of the budget for them): the service says which task
 * definition runs, and the repository holds the image. They count as there when the manifest recorded them.
 */
function recordedOnly(e: Expected, o: Observation, nodeId: string, kind: string): NodeOutcome {
  const identity = recordedIdentity(e, nodeId);
  const service = valueOf(o.ecs.service);
  const primary = service ? primaryOf(service)?.taskDefinition : undefined;
  if (kind === 'image') {
    const uri = identity?.['uri'];
    if (uri) return { live: seen({ awsId: uri, state: 'recorded', health: 'ok' }), drift: [] };
    // Without a record (no manifest), the image is the one the running task definition names.
    return primary ? { live: seen({ awsId: '', state: 'in the running task definition', health: 'ok' }), drift: [] } : { live: gone, drift: [] };
  }
  const arn = identity?.['arn'] ?? primary;
  if (!arn) return { live: gone, drift: [] };
  const inUse = (valueOf(o.ecs.service)?.deployments ?? []).some((d) => d.taskDefinition === arn);
  return { live: seen({ awsId: arn, state: inUse ? 'in use' : 'not deployed', health: 'ok', detail: arn.split('/').pop() ?? arn }), drift: [] };
}
