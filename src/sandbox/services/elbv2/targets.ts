import type {
  DeregisterTargetsInput,
  DeregisterTargetsOutput,
  DescribeTargetHealthInput,
  DescribeTargetHealthOutput,
  RegisterTargetsInput,
  RegisterTargetsOutput,
  TargetDescription,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { containsIp, parseCidr } from '../../cidr.js';
import { AwsError } from '../../errors.js';
import { ResourceType, type SubnetData, type TargetData, type VpcData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { deregisterTarget, registerTarget } from '../../targets.js';
import type { Resource, World } from '../../world.js';
import { required, validation } from './common.js';
import { existingTargetGroup, type StoredTargetGroup } from './target-groups.js';

const invalidTarget = (message: string): AwsError => new AwsError('InvalidTarget', message, 400);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Private ranges an ALB may reach outside its VPC (AvailabilityZone `all`): RFC 1918 and 100.64.0.0/10. */
const outsideRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => parseCidr(c)!);

const defaultDescriptions: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.Timeout': 'Request timed out',
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes',
};

/** Where an ip target lives: the Availability Zone of the subnet of the group's VPC that holds the address. */
function placeIpTarget(world: World, tg: Resource<StoredTargetGroup>, t: TargetDescription, ip: string): string | undefined {
  if (!IPV4.test(ip)) throw invalidTarget(`The IP address '${ip}' is not a valid IPv4 address`);
  const vpc = world.get<VpcData>(ResourceType.vpc, tg.data.vpcId);
  const vpcCidr = vpc ? parseCidr(vpc.data.cidrBlock) : undefined;
  if (vpcCidr && containsIp(vpcCidr, ip)) {
    const subnet = world
      .list<SubnetData>(ResourceType.subnet)
      .find((s) => s.data.vpcId === tg.data.vpcId && containsIp(parseCidr(s.data.cidrBlock) ?? vpcCidr, ip));
    return subnet?.data.availabilityZone;
  }
  if (t.AvailabilityZone === 'all' && outsideRanges.some((c) => containsIp(c, ip))) return 'all';
  throw invalidTarget(`The IP address '${ip}' is not within the CIDR of VPC '${tg.data.vpcId}' of the target group`);
}

function checkPort(port: number | undefined): void {
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw validation(`1 validation error detected: Value '${port}' at 'targets.member.port' failed to satisfy constraint: Member must have value between 1 and 65535`);
  }
}

/** The sandbox runs no EC2 instances, so an `instance` target group can register nothing. */
function rejectInstanceTarget(id: string): never {
  if (IPV4.test(id)) throw invalidTarget(`The IP address '${id}' cannot be registered with a target group of type 'instance'`);
  throw invalidTarget(`The following targets are not valid instances: '${id}'`);
}

const registerTargets = op<RegisterTargetsInput, RegisterTargetsOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  const targets = required(input.Targets, 'targets');
  if (targets.length === 0) throw validation('At least one target must be specified');
  // Validate all before registering any: the call is all or nothing.
  const placed = targets.map((t) => {
    const id = required(t.Id, 'targets.member.id');
    checkPort(t.Port);
    if (tg.data.targetType !== 'ip') rejectInstanceTarget(id);
    return { id, port: t.Port, availabilityZone: placeIpTarget(world, tg, t, id) };
  });
  for (const p of placed) {
    const target: { id: string; port?: number; availabilityZone?: string } = { id: p.id };
    if (p.port !== undefined) target.port = p.port;
    if (p.availabilityZone !== undefined) target.availabilityZone = p.availabilityZone;
    registerTarget(world, tg, target);
  }
  return {};
});

/** Deregistering drains for the group's deregistration delay; a group no load balancer uses drops at once.
 * A target that is not registered is ignored. */
const deregisterTargets = op<DeregisterTargetsInput, DeregisterTargetsOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  const targets = required(input.Targets, 'targets');
  for (const t of targets) {
    const id = required(t.Id, 'targets.member.id');
    checkPort(t.Port);
    if (tg.data.loadBalancerArns.length === 0) {
      tg.data.targets = tg.data.targets.filter((x) => !(x.id === id && (t.Port === undefined || x.port === t.Port)));
    } else {
      deregisterTarget(world, tg, id, t.Port);
    }
  }
  return {};
});

function healthOf(tg: Resource<StoredTargetGroup>, t: TargetData): TargetHealthDescription {
  const target: TargetDescription = { Id: t.id, Port: t.port };
  if (t.availabilityZone !== undefined) target.AvailabilityZone = t.availabilityZone;
  const health: TargetHealthDescription['TargetHealth'] = { State: t.state };
  if (t.reason !== undefined) {
    health.Reason = t.reason as 'Target.NotInUse';
    health.Description = t.description ?? defaultDescriptions[t.reason];
  } else if (t.description !== undefined) {
    health.Description = t.description;
  }
  return {
    Target: target,
    HealthCheckPort: tg.data.healthCheckPort === 'traffic-port' ? String(t.port) : tg.data.healthCheckPort,
    TargetHealth: health,
  };
}

const describeTargetHealth = op<DescribeTargetHealthInput, DescribeTargetHealthOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  const asked = input.Targets ?? [];
  if (asked.length === 0) return { TargetHealthDescriptions: tg.data.targets.map((t) => healthOf(tg, t)) };
  const out: TargetHealthDescription[] = [];
  for (const a of asked) {
    const id = required(a.Id, 'targets.member.id');
    checkPort(a.Port);
    if (tg.data.targetType !== 'ip') rejectInstanceTarget(id);
    const matches = tg.data.targets.filter((t) => t.id === id && (a.Port === undefined || t.port === a.Port));
    if (matches.length === 0) {
      out.push({
        Target: { Id: id, Port: a.Port ?? tg.data.port },
        HealthCheckPort: tg.data.healthCheckPort === 'traffic-port' ? String(a.Port ?? tg.data.port) : tg.data.healthCheckPort,
        TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: defaultDescriptions['Target.NotRegistered'] },
      });
    } else {
      for (const t of matches) out.push(healthOf(tg, t));
    }
  }
  return { TargetHealthDescriptions: out };
});

export const targetHandlers: Record<string, Handler> = {
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};
