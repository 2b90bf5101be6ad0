import type { StackConfig } from '../config.js';
import { RESOURCE_TAG } from '../engine/kind.js';
import type { Leak } from './model.js';
import type { Expected } from './expected.js';
import type { Observation } from './observe.js';
import type { TaggedEc2 } from './observe-ec2.js';
import { deletedNats, EC2_KINDS } from './nodes-ec2.js';
import type { Unrecorded } from './resources.js';
import type { CostItemId } from '../cost.js';
import { unitPrices } from './burn.js';
import { valueOf } from './read.js';

/**
 * Leaks: what carries the stack's tag (or, for the named kinds, holds the stack's name with its tag) that the
 * manifest does not know, with what it costs. Adoptable ones are the stack's own resources the manifest lost
 * (`up` adopts them); the others are extra copies or strays that only `destroy` (or the command shown) removes.
 * Without a manifest nothing is a leak except what no node accounts for.
 */

/** What one leaked resource of each type costs: the cost model's items for it; free types cost 0; others unknown. */
const METERS: Record<string, CostItemId[] | 'free'> = {
  natgateway: ['nat-gateway'],
  'elastic-ip': ['nat-address'],
  'load-balancer': ['load-balancer', 'load-balancer-addresses'],
  'db-instance': ['database-instance', 'database-storage', 'db-secret'],
  'replication-group': ['cache'],
  'ecs-service': ['tasks'],
  vpc: 'free',
  subnet: 'free',
  'route-table': 'free',
  'security-group': 'free',
  'internet-gateway': 'free',
  'target-group': 'free',
  'ecr-repository': 'free',
  'log-group': 'free',
  'iam-role': 'free',
  secret: ['api-key-secret'],
};

const DELETE: Record<string, (id: string) => string> = {
  natgateway: (id) => `aws ec2 delete-nat-gateway --nat-gateway-id ${id}`,
  'elastic-ip': (id) => `aws ec2 release-address --allocation-id ${id}`,
  'security-group': (id) => `aws ec2 delete-security-group --group-id ${id}`,
  'route-table': (id) => `aws ec2 delete-route-table --route-table-id ${id}`,
  subnet: (id) => `aws ec2 delete-subnet --subnet-id ${id}`,
  'internet-gateway': (id) => `aws ec2 detach-internet-gateway and delete-internet-gateway --internet-gateway-id ${id}`,
  vpc: (id) => `aws ec2 delete-vpc --vpc-id ${id}`,
};

function priced(config: StackConfig, type: string): { hourly?: number; monthly?: number } {
  const meters = METERS[type];
  if (meters === undefined) return {};
  if (meters === 'free') return { hourly: 0, monthly: 0 };
  const prices = unitPrices(config);
  const hourly = meters.reduce((s, m) => s + (prices.hourly[m] ?? 0), 0);
  return { hourly: Math.round(hourly * 10_000) / 10_000, monthly: Math.round(hourly * prices.perMonth * 100) / 100 };
}

function leak(config: StackConfig, type: string, awsId: string, resource: string | undefined, adoptable: boolean): Leak {
  const fix = adoptable
    ? 'run `three-tier up`: it adopts it into the manifest'
    : `\`three-tier destroy\` removes it with the stack; to keep the stack, delete it${DELETE[type] ? `: ${DELETE[type](awsId)}` : ' in the AWS console'}`;
  const out: Leak = { type, awsId, adoptable, fix, ...priced(config, type) };
  if (resource !== undefined) out.resource = resource;
  return out;
}

export function findLeaks(e: Expected, o: Observation, ec2: Map<string, TaggedEc2>, unrecorded: readonly Unrecorded[]): Leak[] {
  const claimed = new Map([...ec2.entries()].map(([node, t]) => [t.id, node]));
  const gone = deletedNats(o);
  const kindOf = new Map(e.nodes.map((n) => [n.id, n.kind.kind]));
  const out: Leak[] = [];
  for (const t of valueOf(o.ec2.tagged) ?? []) {
    if (gone.has(t.id)) continue;
    const node = claimed.get(t.id);
    const resource = t.tags[RESOURCE_TAG];
    const forNode = resource !== undefined && EC2_KINDS[kindOf.get(resource) ?? '']?.tagType === t.type;
    if (node !== undefined) {
      // The node's own resource; a leak only when the manifest does not record it.
      if (unrecorded.some((u) => u.id === node)) out.push(leak(e.config, t.type, t.id, node, true));
      continue;
    }
    // Another copy of a node: adoptable when the node has no live resource of its own.
    out.push(leak(e.config, t.type, t.id, resource, forNode && resource !== undefined && !ec2.has(resource)));
  }
  for (const u of unrecorded) {
    if (EC2_KINDS[u.kind] || !(u.kind in METERS)) continue;
    out.push(leak(e.config, u.kind, u.awsId, u.id, true));
  }
  return out;
}
