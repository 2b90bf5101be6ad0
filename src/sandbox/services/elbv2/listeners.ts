import type {
  Action,
  CreateListenerInput,
  CreateListenerOutput,
  DeleteListenerInput,
  DeleteListenerOutput,
  DescribeListenersInput,
  DescribeListenersOutput,
  Listener,
  ModifyListenerInput,
  ModifyListenerOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../errors.js';
import { ResourceType, type TargetGroupData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import { targetGroup } from '../../targets.js';
import type { Resource, World } from '../../world.js';
import { ELB_SERVICE, checkArn, hexId, paginate, readTags, required, validation } from './common.js';
import { forwardedGroups, listeners, type ListenerData, type LoadBalancerData } from './model.js';

const listenerNotFound = (): AwsError => new AwsError('ListenerNotFound', 'One or more listeners not found', 400);
const tgNotFound = (): AwsError => new AwsError('TargetGroupNotFound', 'One or more target groups not found', 400);

function describe(l: Resource<ListenerData>): Listener {
  const d = l.data;
  const out: Listener = {
    ListenerArn: d.arn,
    LoadBalancerArn: d.loadBalancerArn,
    Port: d.port,
    Protocol: d.protocol as 'HTTP',
    DefaultActions: d.defaultActions,
  };
  if (d.sslPolicy !== undefined) out.SslPolicy = d.sslPolicy;
  if (d.certificateArns) out.Certificates = d.certificateArns.map((CertificateArn) => ({ CertificateArn }));
  return out;
}

/** Keep only what defines an action, so that an identical re-create compares equal. */
function normalizeActions(actions: Action[]): Action[] {
  return actions.map((a, i) => {
    const out: Action = { Type: a.Type, Order: a.Order ?? i + 1 };
    if (a.TargetGroupArn !== undefined) out.TargetGroupArn = a.TargetGroupArn;
    if (a.ForwardConfig !== undefined) out.ForwardConfig = a.ForwardConfig;
    if (a.RedirectConfig !== undefined) out.RedirectConfig = a.RedirectConfig;
    if (a.FixedResponseConfig !== undefined) out.FixedResponseConfig = a.FixedResponseConfig;
    // A plain forward action is reported with the equivalent ForwardConfig, as ELBv2 does.
    if (a.Type === 'forward' && a.TargetGroupArn && !a.ForwardConfig) {
      out.ForwardConfig = { TargetGroups: [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } };
    }
    return out;
  });
}

function checkActions(world: World, lb: Resource<LoadBalancerData>, actions: Action[]): void {
  if (actions.length === 0) throw validation('A default action must be specified');
  for (const a of actions) {
    const type = required(a.Type, 'defaultActions.member.type');
    if (type === 'forward') {
      if (!a.TargetGroupArn && !(a.ForwardConfig?.TargetGroups ?? []).length) throw validation('A target group ARN must be specified for a forward action');
    } else if (type === 'redirect') {
      if (!a.RedirectConfig) throw validation('A redirect configuration must be specified for a redirect action');
    } else if (type === 'fixed-response') {
      if (!a.FixedResponseConfig) throw validation('A fixed response configuration must be specified for a fixed-response action');
    } else {
      throw validation(`The sandbox does not simulate '${type}' actions`);
    }
  }
  for (const arn of forwardedGroups(actions)) {
    checkArn('target group', arn);
    const tg = targetGroup(world, arn);
    if (!tg) throw tgNotFound();
    if (tg.data.vpcId !== lb.data.vpcId) {
      throw validation(`Target group '${arn}' and load balancer '${lb.id}' must be in the same VPC`);
    }
    if (tg.data.protocol !== 'HTTP' && tg.data.protocol !== 'HTTPS') {
      throw new AwsError('IncompatibleProtocols', `Target group '${arn}' has protocol '${tg.data.protocol}', which an application load balancer cannot use`, 400);
    }
    const other = tg.data.loadBalancerArns.find((x) => x !== lb.id);
    if (other) {
      throw new AwsError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${arn}`, 400);
    }
  }
}

/** A target group starts (or stops) receiving traffic: its targets leave (or enter) the `unused` state. */
function attach(world: World, tg: Resource<TargetGroupData>, lbArn: string): void {
  if (tg.data.loadBalancerArns.includes(lbArn)) return;
  tg.data.loadBalancerArns.push(lbArn);
  for (const t of tg.data.targets) {
    if (t.state !== 'unused') continue;
    t.state = 'initial';
    t.reason = 'Elb.RegistrationInProgress';
    t.description = 'Target registration is in progress';
    t.since = world.now();
  }
}

function detach(world: World, tg: Resource<TargetGroupData>, lbArn: string): void {
  tg.data.loadBalancerArns = tg.data.loadBalancerArns.filter((a) => a !== lbArn);
  if (tg.data.loadBalancerArns.length > 0) return;
  for (const t of tg.data.targets) {
    if (t.state === 'draining') continue;
    t.state = 'unused';
    t.reason = 'Target.NotInUse';
    t.description = 'Target group is not configured to receive traffic from the load balancer';
    t.since = world.now();
  }
}

/** After listeners of a load balancer changed: groups no listener of it forwards to any more lose the association. */
function detachUnused(world: World, lbArn: string, candidates: string[]): void {
  const stillUsed = new Set(
    listeners(world)
      .filter((l) => l.data.loadBalancerArn === lbArn)
      .flatMap((l) => forwardedGroups(l.data.defaultActions)),
  );
  for (const arn of candidates) {
    const tg = targetGroup(world, arn);
    if (tg && !stillUsed.has(arn)) detach(world, tg, lbArn);
  }
}

/** Delete a listener; a target group no other listener of the load balancer forwards to loses the association. */
export function removeListener(world: World, listener: Resource<ListenerData>): void {
  world.remove(ResourceType.listener, listener.id);
  detachUnused(world, listener.data.loadBalancerArn, forwardedGroups(listener.data.defaultActions));
}

const createListener = op<CreateListenerInput, CreateListenerOutput>((input, { world }) => {
  const lbArn = required(input.LoadBalancerArn, 'loadBalancerArn');
  checkArn('load balancer', lbArn);
  const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, lbArn);
  if (!lb || lb.state === 'deleting') throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found', 400);
  const protocol = required(input.Protocol, 'protocol');
  const port = required(input.Port, 'port');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw validation(`1 validation error detected: Value '${port}' at 'port' failed to satisfy constraint: Member must have value between 1 and 65535`);
  }
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
    throw new AwsError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by application load balancers`, 400);
  }
  const certificateArns = (input.Certificates ?? []).map((c) => required(c.CertificateArn, 'certificates.member.certificateArn'));
  if (protocol === 'HTTPS' && certificateArns.length === 0) throw validation('A certificate must be specified for HTTPS listeners');
  const actions = required(input.DefaultActions, 'defaultActions');
  checkActions(world, lb, actions);
  const tags = readTags(input.Tags);
  const normalized = normalizeActions(actions);

  const existing = listeners(world).find((l) => l.data.loadBalancerArn === lbArn && l.data.port === port);
  if (existing) {
    const same =
      existing.data.protocol === protocol &&
      JSON.stringify(existing.data.defaultActions) === JSON.stringify(normalized) &&
      JSON.stringify(existing.data.certificateArns ?? []) === JSON.stringify(certificateArns);
    if (!same) throw new AwsError('DuplicateListener', `A listener already exists on this port for this load balancer '${lbArn}'`, 400);
    return { Listeners: [describe(existing)] };
  }

  const lbPath = lbArn.slice(lbArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  const arn = world.arn('elasticloadbalancing', `listener/${lbPath}/${hexId()}`);
  const data: ListenerData = { arn, loadBalancerArn: lbArn, port, protocol, defaultActions: normalized };
  if (protocol === 'HTTPS') {
    data.sslPolicy = input.SslPolicy ?? 'ELBSecurityPolicy-2016-08';
    data.certificateArns = certificateArns;
  }
  const listener = world.create(ELB_SERVICE, ResourceType.listener, arn, { state: 'active', data, tags });
  for (const tgArn of forwardedGroups(normalized)) {
    const tg = targetGroup(world, tgArn);
    if (tg) attach(world, tg, lbArn);
  }
  return { Listeners: [describe(listener)] };
});

/** Change port, protocol, certificates or default actions; the target group associations follow the actions. */
const modifyListener = op<ModifyListenerInput, ModifyListenerOutput>((input, { world }) => {
  const arn = required(input.ListenerArn, 'listenerArn');
  checkArn('listener', arn);
  const listener = world.get<ListenerData>(ResourceType.listener, arn);
  if (!listener) throw listenerNotFound();
  const d = listener.data;
  const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, d.loadBalancerArn);
  if (!lb || lb.state === 'deleting') throw listenerNotFound();
  const protocol = input.Protocol ?? d.protocol;
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
    throw new AwsError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by application load balancers`, 400);
  }
  const port = input.Port ?? d.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw validation(`1 validation error detected: Value '${port}' at 'port' failed to satisfy constraint: Member must have value between 1 and 65535`);
  }
  if (listeners(world).some((l) => l.id !== arn && l.data.loadBalancerArn === d.loadBalancerArn && l.data.port === port)) {
    throw new AwsError('DuplicateListener', `A listener already exists on this port for this load balancer '${d.loadBalancerArn}'`, 400);
  }
  const certificateArns = input.Certificates
    ? input.Certificates.map((c) => required(c.CertificateArn, 'certificates.member.certificateArn'))
    : d.certificateArns ?? [];
  if (protocol === 'HTTPS' && certificateArns.length === 0) throw validation('A certificate must be specified for HTTPS listeners');
  let actions = d.defaultActions;
  if (input.DefaultActions) {
    checkActions(world, lb, input.DefaultActions);
    actions = normalizeActions(input.DefaultActions);
  }
  const before = forwardedGroups(d.defaultActions);
  d.protocol = protocol;
  d.port = port;
  d.defaultActions = actions;
  if (protocol === 'HTTPS') {
    d.sslPolicy = input.SslPolicy ?? d.sslPolicy ?? 'ELBSecurityPolicy-2016-08';
    d.certificateArns = certificateArns;
  } else {
    delete d.sslPolicy;
    delete d.certificateArns;
  }
  for (const tgArn of forwardedGroups(actions)) {
    const tg = targetGroup(world, tgArn);
    if (tg) attach(world, tg, d.loadBalancerArn);
  }
  detachUnused(world, d.loadBalancerArn, before);
  return { Listeners: [describe(listener)] };
});

const describeListeners = op<DescribeListenersInput, DescribeListenersOutput>((input, { world }) => {
  const arns = input.ListenerArns ?? [];
  let found: Resource<ListenerData>[];
  if (arns.length > 0) {
    found = arns.map((arn) => {
      checkArn('listener', arn);
      const l = world.get<ListenerData>(ResourceType.listener, arn);
      if (!l) throw listenerNotFound();
      return l;
    });
  } else if (input.LoadBalancerArn) {
    const lbArn = input.LoadBalancerArn;
    checkArn('load balancer', lbArn);
    const lb = world.get<LoadBalancerData>(ResourceType.loadBalancer, lbArn);
    if (!lb) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found', 400);
    found = listeners(world).filter((l) => l.data.loadBalancerArn === lbArn);
  } else {
    throw validation('You must specify either listener ARNs or a load balancer ARN');
  }
  const { page, next } = paginate(found, input.Marker, input.PageSize);
  return { Listeners: page.map(describe), NextMarker: next };
});

const deleteListener = op<DeleteListenerInput, DeleteListenerOutput>((input, { world }) => {
  const arn = required(input.ListenerArn, 'listenerArn');
  checkArn('listener', arn);
  const l = world.get<ListenerData>(ResourceType.listener, arn);
  if (!l) throw listenerNotFound();
  removeListener(world, l);
  return {};
});

export const listenerHandlers: Record<string, Handler> = {
  CreateListener: createListener,
  ModifyListener: modifyListener,
  DescribeListeners: describeListeners,
  DeleteListener: deleteListener,
};
