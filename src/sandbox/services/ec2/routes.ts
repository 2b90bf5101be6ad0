import type {
  AssociateRouteTableRequest,
  AssociateRouteTableResult,
  CreateRouteRequest,
  CreateRouteResult,
  CreateRouteTableRequest,
  CreateRouteTableResult,
  DeleteRouteRequest,
  DeleteRouteTableRequest,
  DescribeRouteTablesRequest,
  DescribeRouteTablesResult,
  DisassociateRouteTableRequest,
  ReplaceRouteRequest,
  Route,
  RouteTable,
} from '@aws-sdk/client-ec2';
import { contains, hasHostBits, parseCidr, type Cidr } from '../../cidr.js';
import { AwsError } from '../../errors.js';
import {
  ResourceType,
  type InternetGatewayData,
  type NatGatewayData,
  type RouteData,
  type RouteTableData,
  type SubnetData,
  type VpcData,
} from '../../model.js';
import type { Resource, World } from '../../world.js';
import {
  checkClientToken,
  combination,
  dependencyViolation,
  ec2op,
  matchingNothing,
  priorByClientToken,
  invalidValue,
  kinds,
  lookup,
  missing,
  ownerId,
  required,
  tagList,
  tagsOnCreate,
} from './common.js';
import { describeResources } from './describe.js';

/**
 * Route tables. A route's state is kept true by a reconciler: a route to an internet gateway is `active` while the
 * gateway is attached to the table's VPC, a route to a NAT gateway while the NAT gateway is `available`; otherwise
 * `blackhole` (what AWS shows after a NAT gateway is deleted or a gateway detached).
 */

function newAssociationId(world: World): string {
  return world.newId('rtbassoc');
}

function localRoute(cidrBlock: string): RouteData {
  return { destinationCidrBlock: cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' };
}

export function createMainRouteTable(world: World, vpc: Resource<VpcData>): Resource<RouteTableData> {
  const id = world.newId('rtb');
  return world.create<RouteTableData>('ec2', ResourceType.routeTable, id, {
    state: 'available',
    data: {
      vpcId: vpc.id,
      routes: [localRoute(vpc.data.cidrBlock)],
      associations: [{ associationId: newAssociationId(world), main: true }],
    },
  });
}

function routeState(world: World, vpcId: string, r: RouteData): RouteData['state'] {
  if (r.gatewayId === 'local') return 'active';
  if (r.gatewayId !== undefined) {
    const igw = world.get<InternetGatewayData>(ResourceType.internetGateway, r.gatewayId);
    return igw?.data.attachments.some((a) => a.vpcId === vpcId && a.state === 'available') ? 'active' : 'blackhole';
  }
  if (r.natGatewayId !== undefined) {
    const nat = world.get<NatGatewayData>(ResourceType.natGateway, r.natGatewayId);
    return nat?.state === 'available' ? 'active' : 'blackhole';
  }
  return 'blackhole';
}

/** Keeps every stored route's state true (other services read RouteTableData, e.g. ECS for the NAT route). */
export function reconcileRouteStates(world: World): void {
  for (const t of world.list<RouteTableData>(ResourceType.routeTable)) {
    for (const r of t.data.routes) r.state = routeState(world, t.data.vpcId, r);
  }
}

function routeOut(r: RouteData): Route {
  const out: Route = { DestinationCidrBlock: r.destinationCidrBlock, Origin: r.origin, State: r.state };
  if (r.gatewayId !== undefined) out.GatewayId = r.gatewayId;
  if (r.natGatewayId !== undefined) out.NatGatewayId = r.natGatewayId;
  return out;
}

export function routeTableOut(world: World, t: Resource<RouteTableData>): RouteTable {
  return {
    RouteTableId: t.id,
    VpcId: t.data.vpcId,
    OwnerId: ownerId(world),
    Routes: t.data.routes.map(routeOut),
    Associations: t.data.associations.map((a) => {
      const out: NonNullable<RouteTable['Associations']>[number] = {
        Main: a.main,
        RouteTableAssociationId: a.associationId,
        RouteTableId: t.id,
        AssociationState: { State: 'associated' },
      };
      if (a.subnetId !== undefined) out.SubnetId = a.subnetId;
      return out;
    }),
    PropagatingVgws: [],
    Tags: tagList(t.tags),
  };
}

function parseDestination(text: string | undefined): Cidr {
  const value = required(text, 'destinationCidrBlock');
  const cidr = parseCidr(value);
  if (!cidr || hasHostBits(cidr)) throw invalidValue(`Value (${value}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  return cidr;
}

function differentNetworks(tableId: string, gatewayId: string): AwsError {
  return invalidValue(`route table ${tableId} and network gateway ${gatewayId} belong to different networks`);
}

/** The route CreateRoute / ReplaceRoute describe, with its target validated against the table's VPC. */
function routeTo(world: World, table: Resource<RouteTableData>, input: CreateRouteRequest | ReplaceRouteRequest): RouteData {
  const dest = parseDestination(input.DestinationCidrBlock);
  const targets = (
    [
      ['gatewayId', input.GatewayId],
      ['natGatewayId', input.NatGatewayId],
      ['instanceId', input.InstanceId],
      ['networkInterfaceId', input.NetworkInterfaceId],
      ['transitGatewayId', input.TransitGatewayId],
      ['vpcPeeringConnectionId', input.VpcPeeringConnectionId],
      ['egressOnlyInternetGatewayId', input.EgressOnlyInternetGatewayId],
      ['localGatewayId', input.LocalGatewayId],
      ['carrierGatewayId', input.CarrierGatewayId],
      ['coreNetworkArn', input.CoreNetworkArn],
      ['vpcEndpointId', input.VpcEndpointId],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (targets.length === 0) throw missing('gatewayId or natGatewayId (the route target)');
  if (targets.length > 1) throw combination(`More than one target specified: ${targets.map(([n]) => n).join(', ')}`);
  const route: RouteData = { destinationCidrBlock: dest.text, origin: 'CreateRoute', state: 'active' };
  if (input.GatewayId !== undefined) {
    const id = input.GatewayId;
    const igw = world.get<InternetGatewayData>(ResourceType.internetGateway, id);
    if (!igw || world.hiddenAsFreshId(igw)) throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
    if (!igw.data.attachments.some((a) => a.vpcId === table.data.vpcId)) throw differentNetworks(table.id, id);
    route.gatewayId = id;
  } else if (input.NatGatewayId !== undefined) {
    const id = input.NatGatewayId;
    const nat = world.get<NatGatewayData>(ResourceType.natGateway, id);
    // A NAT gateway still `pending` is a valid target (the route is a blackhole until it is available); one that
    // failed or is being deleted is not.
    if (!nat || !['pending', 'available'].includes(nat.state) || world.hiddenAsFreshId(nat)) {
      throw new AwsError('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`);
    }
    if (nat.data.vpcId !== table.data.vpcId) throw differentNetworks(table.id, id);
    route.natGatewayId = id;
  } else {
    throw invalidValue(`The sandbox supports internet gateway and NAT gateway route targets only; got ${targets.map(([n]) => n).join(', ')}.`);
  }
  const vpcCidr = parseCidr(world.get<VpcData>(ResourceType.vpc, table.data.vpcId)?.data.cidrBlock ?? '');
  if (vpcCidr && contains(vpcCidr, dest)) {
    throw invalidValue(
      `The destination CIDR block ${dest.text} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`,
    );
  }
  route.state = routeState(world, table.data.vpcId, route);
  return route;
}

export const routeTableHandlers = {
  CreateRouteTable: ec2op<CreateRouteTableRequest, CreateRouteTableResult>((input, { world }) => {
    checkClientToken(input.ClientToken);
    const vpc = lookup<VpcData>(world, kinds.vpc, input.VpcId, 'vpcId');
    const prior = priorByClientToken<RouteTableData>(world, ResourceType.routeTable, input.ClientToken, (d) => d.vpcId === vpc.id);
    if (prior) return { RouteTable: routeTableOut(world, prior), ClientToken: input.ClientToken };
    const tags = tagsOnCreate(input.TagSpecifications, kinds.routeTable.tagType);
    const data: RouteTableData = { vpcId: vpc.id, routes: [localRoute(vpc.data.cidrBlock)], associations: [] };
    if (input.ClientToken !== undefined) data.clientToken = input.ClientToken;
    const table = world.create<RouteTableData>('ec2', ResourceType.routeTable, world.newId('rtb'), { state: 'available', data, tags });
    const out: CreateRouteTableResult = { RouteTable: routeTableOut(world, table) };
    if (input.ClientToken !== undefined) out.ClientToken = input.ClientToken;
    return out;
  }),

  DescribeRouteTables: ec2op<DescribeRouteTablesRequest, DescribeRouteTablesResult>((input, { world }) => {
    const { page, NextToken } = describeResources<RouteTableData>(
      world,
      kinds.routeTable,
      input.RouteTableIds,
      input,
      {
        'route-table-id': (t) => t.id,
        'vpc-id': (t) => t.data.vpcId,
        'owner-id': () => ownerId(world),
        'association.subnet-id': (t) => t.data.associations.map((a) => a.subnetId),
        'association.route-table-association-id': (t) => t.data.associations.map((a) => a.associationId),
        'association.route-table-id': (t) => (t.data.associations.length > 0 ? t.id : undefined),
        'association.main': (t) => t.data.associations.map((a) => String(a.main)),
        'route.destination-cidr-block': (t) => t.data.routes.map((r) => r.destinationCidrBlock),
        'route.gateway-id': (t) => t.data.routes.map((r) => r.gatewayId),
        'route.nat-gateway-id': (t) => t.data.routes.map((r) => r.natGatewayId),
        'route.origin': (t) => t.data.routes.map((r) => r.origin),
        'route.state': (t) => t.data.routes.map((r) => r.state),
        // Documented targets the sandbox never routes to (no gateway associations, IPv6, prefix lists, peering...).
        ...matchingNothing(
          'association.gateway-id',
          'route.destination-ipv6-cidr-block',
          'route.destination-prefix-list-id',
          'route.egress-only-internet-gateway-id',
          'route.instance-id',
          'route.transit-gateway-id',
          'route.vpc-peering-connection-id',
        ),
      },
      { range: [5, 100] },
    );
    return { RouteTables: page.map((t) => routeTableOut(world, t)), NextToken };
  }),

  CreateRoute: ec2op<CreateRouteRequest, CreateRouteResult>((input, { world }) => {
    const table = lookup<RouteTableData>(world, kinds.routeTable, input.RouteTableId, 'routeTableId');
    const route = routeTo(world, table, input);
    if (table.data.routes.some((r) => r.destinationCidrBlock === route.destinationCidrBlock)) {
      throw new AwsError('RouteAlreadyExists', `The route identified by ${route.destinationCidrBlock} already exists.`);
    }
    table.data.routes.push(route);
    return { Return: true };
  }),

  ReplaceRoute: ec2op<ReplaceRouteRequest, Record<string, never>>((input, { world }) => {
    const table = lookup<RouteTableData>(world, kinds.routeTable, input.RouteTableId, 'routeTableId');
    const route = routeTo(world, table, input);
    const index = table.data.routes.findIndex((r) => r.destinationCidrBlock === route.destinationCidrBlock && r.gatewayId !== 'local');
    if (index < 0) {
      throw invalidValue(`There is no route defined for '${route.destinationCidrBlock}' in the route table. Use CreateRoute instead.`);
    }
    table.data.routes[index] = route;
    return {};
  }),

  DeleteRoute: ec2op<DeleteRouteRequest, Record<string, never>>((input, { world }) => {
    const table = lookup<RouteTableData>(world, kinds.routeTable, input.RouteTableId, 'routeTableId');
    const dest = required(input.DestinationCidrBlock, 'destinationCidrBlock');
    const route = table.data.routes.find((r) => r.destinationCidrBlock === dest);
    if (!route) throw new AwsError('InvalidRoute.NotFound', `no route with destination-cidr-block ${dest} in route table ${table.id}`);
    if (route.gatewayId === 'local') throw invalidValue(`cannot remove local route ${dest} in route table ${table.id}`);
    table.data.routes = table.data.routes.filter((r) => r !== route);
    return {};
  }),

  AssociateRouteTable: ec2op<AssociateRouteTableRequest, AssociateRouteTableResult>((input, { world }) => {
    if (input.GatewayId !== undefined) throw invalidValue('The sandbox supports subnet route table associations only (no GatewayId).');
    const table = lookup<RouteTableData>(world, kinds.routeTable, input.RouteTableId, 'routeTableId');
    const subnet = lookup<SubnetData>(world, kinds.subnet, input.SubnetId, 'subnetId');
    if (subnet.data.vpcId !== table.data.vpcId) {
      throw invalidValue(`Route table ${table.id} and subnet ${subnet.id} belong to different networks`);
    }
    const taken = world.list<RouteTableData>(ResourceType.routeTable).some((t) => t.data.associations.some((a) => a.subnetId === subnet.id));
    if (taken) {
      throw new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${table.id} conflicts with an existing association`);
    }
    const associationId = newAssociationId(world);
    table.data.associations.push({ associationId, subnetId: subnet.id, main: false });
    return { AssociationId: associationId, AssociationState: { State: 'associated' } };
  }),

  DisassociateRouteTable: ec2op<DisassociateRouteTableRequest, Record<string, never>>((input, { world }) => {
    const id = required(input.AssociationId, 'associationId');
    for (const t of world.list<RouteTableData>(ResourceType.routeTable)) {
      const a = t.data.associations.find((x) => x.associationId === id);
      if (!a) continue;
      if (a.main) throw invalidValue(`cannot disassociate the main route table association ${id}`);
      t.data.associations = t.data.associations.filter((x) => x !== a);
      return {};
    }
    throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
  }),

  DeleteRouteTable: ec2op<DeleteRouteTableRequest, Record<string, never>>((input, { world }) => {
    const table = lookup<RouteTableData>(world, kinds.routeTable, input.RouteTableId, 'routeTableId');
    // The main route table (associations with main: true) and any table still associated with a subnet stay.
    if (table.data.associations.length > 0) throw dependencyViolation(`The routeTable '${table.id}' has dependencies and cannot be deleted.`);
    world.remove(ResourceType.routeTable, table.id);
    return {};
  }),
};
