import type {
  CreateTargetGroupInput,
  CreateTargetGroupOutput,
  DeleteTargetGroupInput,
  DeleteTargetGroupOutput,
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupAttributesOutput,
  ModifyTargetGroupInput,
  ModifyTargetGroupOutput,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../errors.js';
import { ResourceType, type TargetGroupData, type VpcData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { ELB_SERVICE, attributeList, checkArn, checkName, hexId, paginate, readTags, required, validation } from './common.js';
import { forwardedGroups, listeners, targetGroups, type LoadBalancerData } from './model.js';

/** The shared TargetGroupData plus the health check settings only ELBv2 reads. */
export interface StoredTargetGroup extends TargetGroupData {
  healthCheckPort: string;
  healthCheckTimeoutSeconds: number;
  healthCheckEnabled: boolean;
  protocolVersion: string;
}

export const tgNotFound = (message = 'One or more target groups not found'): AwsError => new AwsError('TargetGroupNotFound', message, 400);

/** Attributes an HTTP target group starts with; deregistration_delay.timeout_seconds is what targets.ts reads. */
const defaultAttributes: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
};

function intBetween(value: string, min: number, max: number): boolean {
  return /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

const attributeRules: Record<string, (v: string) => boolean> = {
  'deregistration_delay.timeout_seconds': (v) => intBetween(v, 0, 3600),
  'load_balancing.algorithm.type': (v) => ['round_robin', 'least_outstanding_requests', 'weighted_random'].includes(v),
  'load_balancing.algorithm.anomaly_mitigation': (v) => v === 'on' || v === 'off',
  'load_balancing.cross_zone.enabled': (v) => ['true', 'false', 'use_load_balancer_configuration'].includes(v),
  'slow_start.duration_seconds': (v) => v === '0' || intBetween(v, 30, 900),
  'stickiness.enabled': (v) => v === 'true' || v === 'false',
  'stickiness.type': (v) => v === 'lb_cookie' || v === 'app_cookie',
  'stickiness.lb_cookie.duration_seconds': (v) => intBetween(v, 1, 604800),
  'stickiness.app_cookie.cookie_name': () => true,
  'stickiness.app_cookie.duration_seconds': (v) => intBetween(v, 1, 604800),
};

export function describeTargetGroup(tg: Resource<StoredTargetGroup>): TargetGroup {
  const d = tg.data;
  return {
    TargetGroupArn: d.arn,
    TargetGroupName: d.name,
    Protocol: d.protocol as 'HTTP',
    Port: d.port,
    VpcId: d.vpcId,
    HealthCheckProtocol: d.healthCheckProtocol as 'HTTP',
    HealthCheckPort: d.healthCheckPort,
    HealthCheckEnabled: d.healthCheckEnabled,
    HealthCheckIntervalSeconds: d.healthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: d.healthCheckTimeoutSeconds,
    HealthyThresholdCount: d.healthyThresholdCount,
    UnhealthyThresholdCount: d.unhealthyThresholdCount,
    HealthCheckPath: d.healthCheckPath,
    Matcher: { HttpCode: d.matcher },
    LoadBalancerArns: [...d.loadBalancerArns],
    TargetType: d.targetType as 'ip',
    ProtocolVersion: d.protocolVersion,
    IpAddressType: 'ipv4',
  };
}

type HealthSettings = Pick<
  StoredTargetGroup,
  | 'healthCheckProtocol'
  | 'healthCheckPort'
  | 'healthCheckPath'
  | 'healthCheckEnabled'
  | 'healthCheckIntervalSeconds'
  | 'healthCheckTimeoutSeconds'
  | 'healthyThresholdCount'
  | 'unhealthyThresholdCount'
  | 'matcher'
>;

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validation(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
}

/** Health check settings from a create or modify call over a base; the ranges of the API reference. */
function healthSettings(input: ModifyTargetGroupInput | CreateTargetGroupInput, base: HealthSettings): HealthSettings {
  const s: HealthSettings = {
    healthCheckProtocol: input.HealthCheckProtocol ?? base.healthCheckProtocol,
    healthCheckPort: input.HealthCheckPort ?? base.healthCheckPort,
    healthCheckPath: input.HealthCheckPath ?? base.healthCheckPath,
    healthCheckEnabled: input.HealthCheckEnabled ?? base.healthCheckEnabled,
    healthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? base.healthCheckIntervalSeconds,
    healthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? base.healthCheckTimeoutSeconds,
    healthyThresholdCount: input.HealthyThresholdCount ?? base.healthyThresholdCount,
    unhealthyThresholdCount: input.UnhealthyThresholdCount ?? base.unhealthyThresholdCount,
    matcher: input.Matcher?.HttpCode ?? base.matcher,
  };
  if (s.healthCheckProtocol !== 'HTTP' && s.healthCheckProtocol !== 'HTTPS') {
    throw validation(`Health check protocol '${s.healthCheckProtocol}' is not supported for target groups with the HTTP or HTTPS protocol`);
  }
  if (s.healthCheckPort !== 'traffic-port' && !intBetween(s.healthCheckPort, 1, 65535)) {
    throw validation(`Health check port '${s.healthCheckPort}' must be 'traffic-port' or a port between 1 and 65535`);
  }
  if (!s.healthCheckPath.startsWith('/') || s.healthCheckPath.length > 1024) {
    throw validation(`Health check path '${s.healthCheckPath}' must begin with '/' and be at most 1024 characters`);
  }
  checkRange('healthCheckIntervalSeconds', s.healthCheckIntervalSeconds, 5, 300);
  checkRange('healthCheckTimeoutSeconds', s.healthCheckTimeoutSeconds, 2, 120);
  checkRange('healthyThresholdCount', s.healthyThresholdCount, 2, 10);
  checkRange('unhealthyThresholdCount', s.unhealthyThresholdCount, 2, 10);
  if (s.healthCheckTimeoutSeconds >= s.healthCheckIntervalSeconds) {
    throw validation('Health check timeout must be smaller than the interval');
  }
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(s.matcher)) throw validation(`Matcher HTTP code '${s.matcher}' is not valid`);
  return s;
}

const createTargetGroup = op<CreateTargetGroupInput, CreateTargetGroupOutput>((input, { world }) => {
  const name = required(input.Name, 'name');
  checkName('Target group', name);
  const targetType = input.TargetType ?? 'instance';
  if (targetType !== 'ip' && targetType !== 'instance') throw validation(`The sandbox simulates 'ip' and 'instance' target groups only, not '${targetType}'`);
  const protocol = input.Protocol;
  if (!protocol) throw validation('A protocol must be specified');
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw validation(`The sandbox simulates HTTP and HTTPS target groups only, not '${protocol}'`);
  const port = input.Port;
  if (port === undefined) throw validation('A port must be specified');
  checkRange('port', port, 1, 65535);
  const vpcId = input.VpcId;
  if (!vpcId) throw validation('A VPC ID must be specified');
  if (!world.get<VpcData>(ResourceType.vpc, vpcId)) throw validation(`The VPC ID '${vpcId}' is not found`);
  const health = healthSettings(input, {
    healthCheckProtocol: protocol,
    healthCheckPort: 'traffic-port',
    healthCheckPath: '/',
    healthCheckEnabled: true,
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: '200',
  });
  const protocolVersion = input.ProtocolVersion ?? 'HTTP1';
  const tags = readTags(input.Tags);

  const existing = targetGroups(world).find((tg) => tg.data.name === name) as Resource<StoredTargetGroup> | undefined;
  if (existing) {
    const d = existing.data;
    const same =
      d.protocol === protocol &&
      d.port === port &&
      d.vpcId === vpcId &&
      d.targetType === targetType &&
      d.protocolVersion === protocolVersion &&
      (Object.keys(health) as (keyof HealthSettings)[]).every((k) => d[k] === health[k]);
    if (!same) throw new AwsError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`, 400);
    return { TargetGroups: [describeTargetGroup(existing)] };
  }

  const arn = world.arn('elasticloadbalancing', `targetgroup/${name}/${hexId()}`);
  const data: StoredTargetGroup = {
    name,
    arn,
    protocol,
    port,
    vpcId,
    targetType,
    ...health,
    protocolVersion,
    loadBalancerArns: [],
    attributes: { ...defaultAttributes },
    targets: [],
  };
  const tg = world.create(ELB_SERVICE, ResourceType.targetGroup, arn, { state: 'active', data, tags });
  return { TargetGroups: [describeTargetGroup(tg)] };
});

export function existingTargetGroup(world: World, arn: string | undefined): Resource<StoredTargetGroup> {
  const a = required(arn, 'targetGroupArn');
  checkArn('target group', a);
  const tg = world.get<StoredTargetGroup>(ResourceType.targetGroup, a);
  if (!tg) throw tgNotFound();
  return tg;
}

const describeTargetGroups = op<DescribeTargetGroupsInput, DescribeTargetGroupsOutput>((input, { world }) => {
  const arns = input.TargetGroupArns ?? [];
  const names = input.Names ?? [];
  const given = [arns.length > 0, names.length > 0, input.LoadBalancerArn !== undefined].filter(Boolean).length;
  if (given > 1) throw validation('Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time');
  const all = targetGroups(world) as Resource<StoredTargetGroup>[];
  let found: Resource<StoredTargetGroup>[];
  if (arns.length > 0) {
    found = arns.map((arn) => {
      checkArn('target group', arn);
      const tg = all.find((t) => t.id === arn);
      if (!tg || world.hiddenByConsistency(tg)) throw tgNotFound();
      return tg;
    });
  } else if (names.length > 0) {
    const missing: string[] = [];
    found = [];
    for (const n of names) {
      const tg = all.find((t) => t.data.name === n);
      if (!tg || world.hiddenByConsistency(tg)) missing.push(n);
      else found.push(tg);
    }
    if (missing.length > 0) throw tgNotFound(`Target groups '[${missing.join(', ')}]' not found`);
  } else if (input.LoadBalancerArn !== undefined) {
    const lbArn = input.LoadBalancerArn;
    checkArn('load balancer', lbArn);
    if (!world.get<LoadBalancerData>(ResourceType.loadBalancer, lbArn)) {
      throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found', 400);
    }
    found = all.filter((t) => t.data.loadBalancerArns.includes(lbArn));
  } else {
    found = all.filter((t) => !world.hiddenByConsistency(t));
  }
  const unique = [...new Map(found.map((t) => [t.id, t])).values()];
  const { page, next } = paginate(unique, input.Marker, input.PageSize);
  return { TargetGroups: page.map(describeTargetGroup), NextMarker: next };
});

const modifyTargetGroup = op<ModifyTargetGroupInput, ModifyTargetGroupOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  Object.assign(tg.data, healthSettings(input, tg.data));
  return { TargetGroups: [describeTargetGroup(tg)] };
});

const describeTargetGroupAttributes = op<DescribeTargetGroupAttributesInput, DescribeTargetGroupAttributesOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  return { Attributes: attributeList(tg.data.attributes) };
});

const modifyTargetGroupAttributes = op<ModifyTargetGroupAttributesInput, ModifyTargetGroupAttributesOutput>((input, { world }) => {
  const tg = existingTargetGroup(world, input.TargetGroupArn);
  const next = { ...tg.data.attributes };
  for (const a of required(input.Attributes, 'attributes')) {
    const key = required(a.Key, 'attributes.member.key');
    const value = a.Value ?? '';
    const rule = attributeRules[key];
    if (!rule) throw validation(`Target group attribute key '${key}' is not recognized`);
    if (!rule(value)) throw validation(`Target group attribute value '${value}' is not valid for key '${key}'`);
    next[key] = value;
  }
  tg.data.attributes = next;
  return { Attributes: attributeList(next) };
});

/** A target group a listener forwards to is in use; a missing one is a success (the API reference lists no
 * not-found error for this call). */
const deleteTargetGroup = op<DeleteTargetGroupInput, DeleteTargetGroupOutput>((input, { world }) => {
  const arn = required(input.TargetGroupArn, 'targetGroupArn');
  checkArn('target group', arn);
  const tg = world.get<StoredTargetGroup>(ResourceType.targetGroup, arn);
  if (!tg) return {};
  const used = listeners(world).some((l) => forwardedGroups(l.data.defaultActions).includes(arn));
  if (used || tg.data.loadBalancerArns.length > 0) {
    throw new AwsError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`, 400);
  }
  world.remove(ResourceType.targetGroup, arn);
  return {};
});

export const targetGroupHandlers: Record<string, Handler> = {
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
  DeleteTargetGroup: deleteTargetGroup,
};
