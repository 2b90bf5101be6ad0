import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  type NatGateway,
  type RouteTable,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients.js';
import { RESOURCE_TAG, STACK_TAG } from '../engine/kind.js';
import { seen, type Reads, type Seen } from './read.js';

/**
 * The EC2 side of the stack in four calls, all at once:
 * - DescribeTags: every EC2 resource carrying the stack's tag, of any type, with its resource tag. This is what
 *   exists (VPC, subnets, gateways, addresses, ...) and what leaks (anything tagged that the manifest does not know).
 * - DescribeSecurityGroups, DescribeRouteTables, DescribeNatGateways, by the stack's tag: the details drift and
 *   health need (rules, routes and associations, the NAT gateway's state).
 */
export interface TaggedEc2 {
  id: string;
  /** DescribeTags' resource type: vpc, subnet, internet-gateway, elastic-ip, natgateway, route-table, ... */
  type: string;
  tags: Record<string, string>;
}

export interface Ec2Observation {
  tagged: Seen<TaggedEc2[]>;
  securityGroups: Seen<SecurityGroup[]>;
  routeTables: Seen<RouteTable[]>;
  natGateways: Seen<NatGateway[]>;
}

async function taggedResources(clients: AwsClients, stack: string): Promise<TaggedEc2[]> {
  // Both keys in one filter (values are ORed), so each resource comes with its resource tag; rows of other stacks'
  // resources are dropped below. Pages of 1000 rows: one call for any stack.
  const byId = new Map<string, TaggedEc2>();
  let token: string | undefined;
  do {
    const out = await clients.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: [STACK_TAG, RESOURCE_TAG] }], MaxResults: 1000, NextToken: token }));
    for (const row of out.Tags ?? []) {
      if (!row.ResourceId) continue;
      const r = byId.get(row.ResourceId) ?? { id: row.ResourceId, type: row.ResourceType ?? 'unknown', tags: {} };
      r.tags[row.Key ?? ''] = row.Value ?? '';
      byId.set(row.ResourceId, r);
    }
    token = out.NextToken;
  } while (token);
  return [...byId.values()].filter((r) => r.tags[STACK_TAG] === stack);
}

export async function observeEc2(reads: Reads, clients: AwsClients, stack: string): Promise<Ec2Observation> {
  const byStack = [{ Name: `tag:${STACK_TAG}`, Values: [stack] }];
  const [tagged, securityGroups, routeTables, natGateways] = await Promise.all([
    reads.read('ec2', 'DescribeTags', () => taggedResources(clients, stack)),
    reads.read('ec2', 'DescribeSecurityGroups', async () => (await clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: byStack }))).SecurityGroups ?? []),
    reads.read('ec2', 'DescribeRouteTables', async () => (await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: byStack }))).RouteTables ?? []),
    reads.read('ec2', 'DescribeNatGateways', async () => (await clients.ec2.send(new DescribeNatGatewaysCommand({ Filter: byStack }))).NatGateways ?? []),
  ]);
  // An empty list is an answer (nothing there), not a failure.
  const list = <T>(s: Seen<T[]>): Seen<T[]> => (s.state === 'gone' ? seen([]) : s);
  return { tagged: list(tagged), securityGroups: list(securityGroups), routeTables: list(routeTables), natGateways: list(natGateways) };
}
