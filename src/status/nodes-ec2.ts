import type { RouteTable } from '@aws-sdk/client-ec2';
import { subnetCidrs } from '../config.js';
import { RESOURCE_TAG } from '../engine/kind.js';
import type { SecurityGroupRole } from '../names.js';
import type { Tier } from '../resources/subnet.js';
import type { Expected } from './expected.js';
import { recordedIdentity } from './expected.js';
import type { Observation } from './observe.js';
import type { TaggedEc2 } from './observe-ec2.js';
import { defaultRouteState, routeTableDrift, securityGroupDrift } from './drift-network.js';
import { failed, gone, seen, valueOf, type Seen } from './read.js';
import { natHealth } from './states.js';
import type { Live, NodeOutcome } from './node-outcome.js';

/**
 * The EC2 nodes (VPC, subnets, gateways, address, route tables, security groups) from the tagged resources and the
 * three detail describes. A node is the resource its manifest record names; without a record (no manifest, or a
 * create whose answer was lost), the one whose resource tag names the node.
 */
export const EC2_KINDS: Record<string, { tagType: string; idKey: string }> = {
  vpc: { tagType: 'vpc', idKey: 'vpcId' },
  subnet: { tagType: 'subnet', idKey: 'subnetId' },
  'internet-gateway': { tagType: 'internet-gateway', idKey: 'internetGatewayId' },
  'elastic-ip': { tagType: 'elastic-ip', idKey: 'allocationId' },
  'nat-gateway': { tagType: 'natgateway', idKey: 'natGatewayId' },
  'route-table': { tagType: 'route-table', idKey: 'routeTableId' },
  'security-group': { tagType: 'security-group', idKey: 'groupId' },
};

/** A deleted NAT gateway stays listed for about an hour: it is not the stack's any more. */
export function deletedNats(o: Observation): Set<string> {
  return new Set((valueOf(o.ec2.natGateways) ?? []).filter((n) => n.State === 'deleted' || n.State === 'deleting').map((n) => n.NatGatewayId ?? ''));
}

/** The live id of each EC2 node, or undefined when it is not there. */
export function matchEc2(e: Expected, o: Observation): Map<string, TaggedEc2> {
  const out = new Map<string, TaggedEc2>();
  const tagged = valueOf(o.ec2.tagged) ?? [];
  for (const node of e.nodes) {
    const k = EC2_KINDS[node.kind.kind];
    if (!k) continue;
    const want = recordedIdentity(e, node.id)?.[k.idKey];
    const match = want ? tagged.find((t) => t.id === want) : tagged.find((t) => t.type === k.tagType && t.tags[RESOURCE_TAG] === node.id);
    if (match) out.set(node.id, match);
  }
  return out;
}

function tierOf(id: string): Tier {
  return id.includes('public') ? 'public' : 'private';
}

function subnetDetail(e: Expected, id: string): string {
  const index = id.endsWith('-a') ? 0 : 1;
  const cidr = subnetCidrs(e.config.vpcCidr)[tierOf(id)][index];
  const zone = e.config.availabilityZones?.[index];
  return `${cidr ?? '?'}${zone ? ` in ${zone}` : ''}`;
}

function routeTableOf(o: Observation, id: string | undefined): RouteTable | undefined {
  return (valueOf(o.ec2.routeTables) ?? []).find((r) => r.RouteTableId === id);
}

export function evaluateEc2(e: Expected, o: Observation, nodeId: string, kind: string, ids: Map<string, TaggedEc2>): NodeOutcome {
  const detailFailed = (s: Seen<unknown>): boolean => s.state === 'failed';
  if (o.ec2.tagged.state === 'failed') return { live: failed, drift: [] };
  const match = ids.get(nodeId);
  if (!match) return { live: gone, drift: [] };
  const idOf = (node: string): string | undefined => ids.get(node)?.id;
  const live = (state: string, health: Live['health'], detail?: string): NodeOutcome => ({
    live: seen(detail === undefined ? { awsId: match.id, state, health } : { awsId: match.id, state, health, detail }),
    drift: [],
  });
  switch (kind) {
    case 'vpc':
      return live('available', 'ok', e.config.vpcCidr);
    case 'subnet':
      return live('available', 'ok', subnetDetail(e, nodeId));
    case 'internet-gateway': {
      // A route to a detached gateway is a blackhole (EC2 API reference, Route.State).
      const detached = defaultRouteState(routeTableOf(o, idOf('route-table-public'))) === 'blackhole';
      if (!detached) return live('attached', 'ok');
      const out = live('detached', 'failed', 'the public default route is a blackhole');
      out.drift.push({ resource: nodeId, awsId: match.id, change: 'setting-changed', what: `the internet gateway ${match.id} is detached from the VPC`, fix: 'run `three-tier up`: it attaches it again' });
      return out;
    }
    case 'elastic-ip': {
      const nat = (valueOf(o.ec2.natGateways) ?? []).find((n) => n.NatGatewayAddresses?.some((a) => a.AllocationId === match.id));
      const ip = nat?.NatGatewayAddresses?.find((a) => a.AllocationId === match.id)?.PublicIp ?? recordedIdentity(e, nodeId)?.['publicIp'];
      return live('allocated', 'ok', ip ? `public IP ${ip}` : undefined);
    }
    case 'nat-gateway': {
      if (detailFailed(o.ec2.natGateways)) return { live: failed, drift: [] };
      const nat = (valueOf(o.ec2.natGateways) ?? []).find((n) => n.NatGatewayId === match.id);
      if (!nat || nat.State === 'deleted') return { live: gone, drift: [] };
      const ip = nat.NatGatewayAddresses?.[0]?.PublicIp;
      return live(nat.State ?? 'unknown', natHealth(nat.State), nat.FailureMessage ?? (ip ? `public IP ${ip}` : undefined));
    }
    case 'route-table': {
      if (detailFailed(o.ec2.routeTables)) return { live: failed, drift: [] };
      const rt = routeTableOf(o, match.id);
      if (!rt) return { live: gone, drift: [] };
      const tier = tierOf(nodeId);
      const target = tier === 'public' ? idOf('internet-gateway') : idOf('nat-gateway');
      const subnets = (['a', 'b'] as const).map((x, i) => ({ id: idOf(`subnet-${tier}-${x}`) ?? '', label: `the ${tier} subnet of zone ${i + 1}` })).filter((s) => s.id !== '');
      // Paused: the NAT gateway is gone on purpose, and with it the private default route.
      const pausedRoute = tier === 'private' && e.paused.has('nat-gateway');
      const drift = routeTableDrift(nodeId, tier, rt, { target: pausedRoute ? undefined : target, subnets }).filter((d) => !(pausedRoute && d.change === 'route-missing'));
      if (pausedRoute && !drift.length) return live('paused (no default route)', 'paused');
      const blackhole = defaultRouteState(rt) === 'blackhole';
      const out = live(drift.length ? 'not routing as designed' : blackhole ? 'blackhole' : 'routing', drift.length || blackhole ? 'failed' : 'ok', `0.0.0.0/0 -> ${target ?? '?'}`);
      out.drift.push(...drift);
      return out;
    }
    case 'security-group': {
      if (detailFailed(o.ec2.securityGroups)) return { live: failed, drift: [] };
      const sg = (valueOf(o.ec2.securityGroups) ?? []).find((g) => g.GroupId === match.id);
      if (!sg) return { live: gone, drift: [] };
      const role = nodeId.replace(/^sg-/, '') as SecurityGroupRole;
      const groups = { alb: idOf('sg-alb'), ecs: idOf('sg-ecs'), rds: idOf('sg-rds'), redis: idOf('sg-redis') };
      const { drift, ruleMissing } = securityGroupDrift(nodeId, role, sg, groups, e.config.containerPort);
      const out = live(ruleMissing ? 'ingress rule missing' : drift.length ? 'extra rules' : 'rules in place', ruleMissing ? 'failed' : 'ok', sg.GroupName);
      out.drift.push(...drift);
      return out;
    }
    default:
      return { live: gone, drift: [] };
  }
}
