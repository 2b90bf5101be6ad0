import type {
  CreateLoadBalancerInput,
  CreateLoadBalancerOutput,
  DeleteLoadBalancerInput,
  DeleteLoadBalancerOutput,
  DescribeLoadBalancerAttributesInput,
  DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
  LoadBalancer,
  ModifyLoadBalancerAttributesInput,
  ModifyLoadBalancerAttributesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../errors.js';
import { createManagedEni, freeAddresses, releaseManagedEnis } from '../../enis.js';
import { ResourceType, type SecurityGroupData, type SubnetData, type VpcData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { awsDurations, type Resource, type World } from '../../world.js';
import { ELB_SERVICE, attributeList, albHostedZone, checkArn, checkName, digits, hexId, paginate, publicIp, readTags, required, validation } from './common.js';
import { listeners, loadBalancers, type LoadBalancerData } from './model.js';
import { removeListener } from './listeners.js';
import { internetGatewayAttached } from '../ec2/gateways.js';

const notFound = (message = 'One or more load balancers not found'): AwsError => new AwsError('LoadBalancerNotFound', message, 400);

/** Attributes an Application Load Balancer starts with (DescribeLoadBalancerAttributes lists all of them). */
const defaultAttributes: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'client_keep_alive.seconds': '3600',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'load_balancing.cross_zone.enabled': 'true',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
};

/** The ownerRef of a load balancer's network interfaces. */
export function lbOwnerRef(arn: string): string {
  return `${ResourceType.loadBalancer}:${arn}`;
}

function describe(lb: Resource<LoadBalancerData>): LoadBalancer {
  const d = lb.data;
  return {
    LoadBalancerArn: d.arn,
    DNSName: d.dnsName,
    CanonicalHostedZoneId: d.canonicalHostedZoneId,
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: d.name,
    Scheme: d.scheme,
    VpcId: d.vpcId,
    State: { Code: (lb.state === 'deleting' ? d.stateAtDelete ?? 'active' : lb.state) as 'active' },
    Type: d.type,
    AvailabilityZones: d.zones.map((z) => ({ ZoneName: z.zoneName, SubnetId: z.subnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: [...d.securityGroups],
    IpAddressType: d.ipAddressType as 'ipv4',
  };
}

interface Placement {
  vpcId: string;
  zones: { subnetId: string; zoneName: string }[];
  securityGroups: string[];
}

/** Subnets in at least two AZs of one VPC (one per AZ), and security groups of that VPC. */
function place(world: World, input: CreateLoadBalancerInput): Placement {
  if (input.Subnets && input.SubnetMappings) throw validation('You can specify subnets or subnet mappings, not both');
  const ids = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => required(m.SubnetId, 'subnetMappings.member.subnetId'));
  if (ids.length === 0) throw validation('At least two subnets in two different Availability Zones must be specified');
  const subnets: Resource<SubnetData>[] = [];
  for (const id of ids) {
    const subnet = world.get<SubnetData>(ResourceType.subnet, id);
    if (!subnet) throw new AwsError('SubnetNotFound', `The subnet ID '${id}' is not valid`, 400);
    if (!subnets.some((s) => s.id === id)) subnets.push(subnet);
  }
  const vpcIds = new Set(subnets.map((s) => s.data.vpcId));
  if (vpcIds.size > 1) throw new AwsError('InvalidSubnet', `The subnets [${ids.join(', ')}] must all be in the same VPC`, 400);
  const zones = new Map<string, string>();
  for (const s of subnets) {
    if (zones.has(s.data.availabilityZone)) {
      throw new AwsError('InvalidConfigurationRequest', 'A load balancer cannot be attached to multiple subnets in the same Availability Zone', 400);
    }
    zones.set(s.data.availabilityZone, s.id);
  }
  if (zones.size < 2) throw validation('At least two subnets in two different Availability Zones must be specified');
  // ELB user guide, "Subnets for your Application Load Balancer": at least 8 free addresses in each subnet.
  for (const s of subnets) {
    if (freeAddresses(world, s) < 8) {
      throw new AwsError('InvalidSubnet', `Not enough IP space available in ${s.id}. ELB requires at least 8 free IP addresses in each subnet.`, 400);
    }
  }
  const vpcId = subnets[0]?.data.vpcId ?? '';
  const vpc = world.get<VpcData>(ResourceType.vpc, vpcId);
  const groups = input.SecurityGroups ?? (vpc ? [vpc.data.defaultSecurityGroupId] : []);
  for (const g of groups) {
    const sg = world.get<SecurityGroupData>(ResourceType.securityGroup, g);
    if (!sg) throw new AwsError('InvalidSecurityGroup', `Security group '${g}' does not exist`, 400);
    if (sg.data.vpcId !== vpcId) throw new AwsError('InvalidSecurityGroup', `Security group '${g}' does not belong to VPC '${vpcId}'`, 400);
  }
  return {
    vpcId,
    zones: [...zones.entries()].map(([zoneName, subnetId]) => ({ zoneName, subnetId })),
    securityGroups: [...new Set(groups)],
  };
}

function sameSettings(d: LoadBalancerData, type: string, scheme: string, ipAddressType: string, p: Placement): boolean {
  const sorted = (a: string[]): string => [...a].sort().join(',');
  return (
    d.type === type &&
    d.scheme === scheme &&
    d.ipAddressType === ipAddressType &&
    sorted(d.zones.map((z) => z.subnetId)) === sorted(p.zones.map((z) => z.subnetId)) &&
    sorted(d.securityGroups) === sorted(p.securityGroups)
  );
}

const createLoadBalancer = op<CreateLoadBalancerInput, CreateLoadBalancerOutput>((input, { world }) => {
  const name = required(input.Name, 'name');
  checkName('Load balancer', name);
  const type = input.Type ?? 'application';
  if (type !== 'application') throw validation(`The sandbox simulates application load balancers only, not '${type}'`);
  const scheme = input.Scheme ?? 'internet-facing';
  if (scheme !== 'internet-facing' && scheme !== 'internal') throw validation(`Scheme '${String(scheme)}' is not valid`);
  const ipAddressType = input.IpAddressType ?? 'ipv4';
  if (ipAddressType !== 'ipv4') throw validation(`The sandbox simulates the 'ipv4' address type only, not '${ipAddressType}'`);
  const tags = readTags(input.Tags);
  const placement = place(world, input);
  // An internet-facing load balancer needs its VPC's internet gateway (attached) before it can be created.
  if (scheme === 'internet-facing' && !internetGatewayAttached(world, placement.vpcId)) {
    throw new AwsError('InvalidSubnet', `VPC ${placement.vpcId} has no internet gateway`, 400);
  }

  const existing = loadBalancers(world).find((lb) => lb.data.name === name);
  if (existing) {
    if (existing.state === 'deleting') {
      throw new AwsError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' is still being deleted`, 400);
    }
    if (!sameSettings(existing.data, type, scheme, ipAddressType, placement)) {
      throw new AwsError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`, 400);
    }
    return { LoadBalancers: [describe(existing)] };
  }

  const id = hexId();
  const arn = world.arn('elasticloadbalancing', `loadbalancer/app/${name}/${id}`);
  const region = world.config.region;
  const data: LoadBalancerData = {
    name,
    arn,
    dnsName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${digits(10)}.${region}.elb.amazonaws.com`,
    canonicalHostedZoneId: albHostedZone(region),
    scheme,
    type,
    ipAddressType,
    vpcId: placement.vpcId,
    zones: placement.zones,
    securityGroups: placement.securityGroups,
    attributes: { ...defaultAttributes },
  };
  const lb = world.create(ELB_SERVICE, ResourceType.loadBalancer, arn, { state: 'provisioning', data, tags });
  // One requester-managed interface per subnet: they outlive the load balancer for a while (see enis.ts).
  for (const z of placement.zones) {
    createManagedEni(world, {
      subnetId: z.subnetId,
      groupIds: placement.securityGroups,
      description: `ELB app/${name}/${id}`,
      requesterId: 'amazon-elb',
      ownerRef: lbOwnerRef(arn),
      publicIp: scheme === 'internet-facing' ? publicIp() : undefined,
    });
  }
  world.schedule(lb, awsDurations.albCreate, 'active');
  return { LoadBalancers: [describe(lb)] };
});

const describeLoadBalancers = op<DescribeLoadBalancersInput, DescribeLoadBalancersOutput>((input, { world }) => {
  const arns = input.LoadBalancerArns ?? [];
  const names = input.Names ?? [];
  if (arns.length > 0 && names.length > 0) throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
  let found: Resource<LoadBalancerData>[];
  if (arns.length > 0) {
    found = arns.map((arn) => {
      checkArn('load balancer', arn);
      const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, arn);
      if (!lb || world.hiddenByConsistency(lb)) throw notFound();
      return lb;
    });
  } else if (names.length > 0) {
    const all = loadBalancers(world);
    const missing: string[] = [];
    found = [];
    for (const n of names) {
      const lb = all.find((l) => l.data.name === n);
      if (!lb || world.hiddenByConsistency(lb)) missing.push(n);
      else found.push(lb);
    }
    if (missing.length > 0) throw notFound(`Load balancers '[${missing.join(', ')}]' not found`);
  } else {
    found = loadBalancers(world).filter((lb) => !world.hiddenByConsistency(lb));
  }
  const unique = [...new Map(found.map((lb) => [lb.id, lb])).values()];
  const { page, next } = paginate(unique, input.Marker, input.PageSize);
  return { LoadBalancers: page.map(describe), NextMarker: next };
});

/** Deleting: listeners go at once; the load balancer stays describable until the delete completes, then its
 * network interfaces are released (and linger). A missing load balancer is a success, as the API reference says. */
const deleteLoadBalancer = op<DeleteLoadBalancerInput, DeleteLoadBalancerOutput>((input, { world }) => {
  const arn = required(input.LoadBalancerArn, 'loadBalancerArn');
  checkArn('load balancer', arn);
  const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, arn);
  if (!lb || lb.state === 'deleting') return {};
  if (lb.data.attributes['deletion_protection.enabled'] === 'true') {
    throw new AwsError('OperationNotPermitted', `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`, 400);
  }
  for (const l of listeners(world)) if (l.data.loadBalancerArn === arn) removeListener(world, l);
  lb.data.stateAtDelete = lb.state;
  world.clearTransitions(lb);
  world.setState(lb, 'deleting');
  world.schedule(lb, awsDurations.albDelete, 'deleted', 'lb-gone');
  return {};
});

function existingLoadBalancer(world: World, arn: string | undefined): Resource<LoadBalancerData> {
  const a = required(arn, 'loadBalancerArn');
  checkArn('load balancer', a);
  const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, a);
  if (!lb || lb.state === 'deleting') throw notFound();
  return lb;
}

const describeLoadBalancerAttributes = op<DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput>((input, { world }) => {
  const lb = existingLoadBalancer(world, input.LoadBalancerArn);
  return { Attributes: attributeList(lb.data.attributes) };
});

const booleanAttribute = /\.enabled$/;

const modifyLoadBalancerAttributes = op<ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput>((input, { world }) => {
  const lb = existingLoadBalancer(world, input.LoadBalancerArn);
  const changes = required(input.Attributes, 'attributes');
  const next = { ...lb.data.attributes };
  for (const a of changes) {
    const key = required(a.Key, 'attributes.member.key');
    const value = a.Value ?? '';
    if (!(key in defaultAttributes)) throw validation(`Load balancer attribute key '${key}' is not recognized`);
    if (booleanAttribute.test(key) && value !== 'true' && value !== 'false') {
      throw validation(`Load balancer attribute value for key '${key}' must be 'true' or 'false'`);
    }
    if (key === 'idle_timeout.timeout_seconds' && !(/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 4000)) {
      throw validation(`Load balancer attribute value for key '${key}' must be an integer between 1 and 4000`);
    }
    next[key] = value;
  }
  lb.data.attributes = next;
  return { Attributes: attributeList(next) };
});

export const loadBalancerHandlers: Record<string, Handler> = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancer,
  DescribeLoadBalancerAttributes: describeLoadBalancerAttributes,
  ModifyLoadBalancerAttributes: modifyLoadBalancerAttributes,
};

export function installLoadBalancers(world: World): void {
  world.onTransition(ResourceType.loadBalancer, 'lb-gone', (w, lb) => {
    w.remove(ResourceType.loadBalancer, lb.id);
    releaseManagedEnis(w, lbOwnerRef(lb.id), 'linger');
  });
}
