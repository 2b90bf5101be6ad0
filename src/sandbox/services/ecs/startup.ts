/**
 * Why a Fargate task would not start or not turn healthy, read from the rest of the simulated cloud: the subnet's
 * route out, the execution role's policies, the secrets, the image in the simulated ECR and its architecture, the
 * log group, the security groups between the load balancer and the task. The texts are the ones AWS reports.
 */
import { randomUUID } from 'node:crypto';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { containsIp, parseCidr } from '../../cidr.js';
import {
  ResourceType,
  type EniData,
  type RoleData,
  type RouteTableData,
  type SecretData,
  type SecurityGroupData,
  type SecurityGroupRule,
  type SubnetData,
  type TargetGroupData,
  type VpcData,
} from '../../model.js';
import { registryHost, resolveImage } from '../../images.js';
import type { Resource, World } from '../../world.js';
import { logGroup } from '../logs/store.js';
import { dataPlaneOf } from '../../dataplane/registry.js';
import type { HealthCheckResult } from '../../target-health.js';
import { internetGatewayAttached } from '../ec2/gateways.js';
import { enisOf } from '../../enis.js';
import { ownerRef as rdsOwnerRef, type DbInstanceData } from '../rds/instances.js';
import { host as cacheHost, ownerRef as cacheOwnerRef, type ReplicationGroupData } from '../elasticache/replication-groups.js';
import { roleAllows, roleByArn } from '../iam/policy.js';
import { ecsDurations, type PlannedFailure, type TaskData, type TaskDefinitionData } from './model.js';

/** What happens to a task once it has its network: it fails (after `afterMs` of AWS time) or it will run. */
export type StartOutcome = { fails: PlannedFailure; afterMs: number } | { fails?: undefined; imageDigests: Record<string, string>; archMismatch: boolean };

/** The route table that applies to a subnet: its explicit association, else its VPC's main table. */
function routeTableOf(world: World, subnet: Resource<SubnetData>): Resource<RouteTableData> | undefined {
  const tables = world.list<RouteTableData>(ResourceType.routeTable).filter((t) => t.data.vpcId === subnet.data.vpcId);
  const explicit = tables.find((t) => t.data.associations.some((a) => a.subnetId === subnet.id));
  if (explicit) return explicit;
  const mainId = world.get<VpcData>(ResourceType.vpc, subnet.data.vpcId)?.data.mainRouteTableId;
  return tables.find((t) => t.data.associations.some((a) => a.main)) ?? (mainId ? tables.find((t) => t.id === mainId) : undefined);
}

/**
 * Whether the task can reach the registry: a 0.0.0.0/0 route to an available NAT gateway, or to an attached
 * internet gateway when the task gets a public IP. Without any route table of the VPC in the world (partial test
 * fixtures), egress is assumed.
 */
export function hasEgress(world: World, subnetId: string, publicIp: boolean): boolean {
  const subnet = world.get<SubnetData>(ResourceType.subnet, subnetId);
  if (!subnet) return true;
  const anyTable = world.list<RouteTableData>(ResourceType.routeTable).some((t) => t.data.vpcId === subnet.data.vpcId);
  if (!anyTable) return true;
  const table = routeTableOf(world, subnet);
  if (!table) return false;
  return table.data.routes.some((r) => {
    if (r.destinationCidrBlock !== '0.0.0.0/0' || r.state !== 'active') return false;
    if (r.natGatewayId) return world.get(ResourceType.natGateway, r.natGatewayId)?.state === 'available';
    if (r.gatewayId?.startsWith('igw-') && publicIp) return internetGatewayAttached(world, subnet.data.vpcId, r.gatewayId);
    return false;
  });
}

/** host, repository path and reference of an image URI (Docker Hub names get their implicit registry). */
function splitImage(uri: string): { host: string; path: string; reference: string } {
  const slash = uri.indexOf('/');
  const first = slash >= 0 ? uri.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'registry-1.docker.io';
  let path = hasHost ? uri.slice(slash + 1) : uri;
  let reference = 'latest';
  const at = path.indexOf('@');
  if (at >= 0) {
    reference = path.slice(at + 1);
    path = path.slice(0, at);
  } else {
    const colon = path.lastIndexOf(':');
    if (colon >= 0) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
    }
  }
  if (!hasHost && !path.includes('/')) path = `library/${path}`;
  return { host, path, reference };
}

/** A made-up address of an AWS front end: what a dial that times out names. */
const AWS_FRONT_END = '52.46.145.25';

/**
 * What the task reports when it cannot reach AWS's endpoints (no route out). Fargate retrieves the task's
 * secrets and the registry auth before it pulls the image, so a task with Secrets Manager secrets fails on the
 * first secret, one with an ECR image (no secrets) on the registry auth, and only a task with neither on the image
 * pull itself. The texts are the ECS agent's (1.83+, the platform Fargate runs today).
 */
function noRouteReason(world: World, td: TaskDefinitionData, image: string): string {
  const prefix = 'ResourceInitializationError: unable to pull secrets or registry auth:';
  const secret = td.containerDefinitions.flatMap((c) => c.secrets ?? [])[0];
  if (secret) {
    const ref = secretRef(world, secret.valueFrom ?? '');
    if (ref) {
      return `${prefix} unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret ${ref.arn} from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded`;
    }
    return `${prefix} unable to retrieve secrets from ssm: There is a connection issue between the task and AWS Systems Manager. Check your task network configuration. operation error SSM: GetParameters, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded`;
  }
  if (td.containerDefinitions.some((c) => c.image?.startsWith(`${registryHost(world)}/`))) {
    return `${prefix} The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post "https://api.ecr.${world.config.region}.amazonaws.com/": dial tcp ${AWS_FRONT_END}:443: i/o timeout`;
  }
  return pullTimeout(image);
}

function pullTimeout(uri: string): string {
  const { host, path, reference } = splitImage(uri);
  return `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${uri}: failed to do request: Head "https://${host}/v2/${path}/manifests/${reference}": dial tcp ${AWS_FRONT_END}:443: i/o timeout`;
}

function assumedRole(world: World, roleArn: string | undefined, taskId: string): string {
  const name = roleArn ? roleArn.slice(roleArn.lastIndexOf('/') + 1) : 'none';
  return `arn:aws:sts::${world.config.accountId}:assumed-role/${name}/${taskId}`;
}

function denied(world: World, roleArn: string | undefined, taskId: string, action: string, resource: string): string {
  return `AccessDeniedException: User: ${assumedRole(world, roleArn, taskId)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action status code: 400, request id: ${randomUUID()}`;
}

function allowed(role: RoleData | undefined, action: string, resource: string): boolean {
  return !!role && roleAllows(role, action, resource);
}

/** The secret a Secrets Manager valueFrom names (full ARN, ARN with `:json-key:stage:version`, or partial ARN). */
export function secretRef(world: World, valueFrom: string): { arn: string; jsonKey?: string; secret?: Resource<SecretData> } | undefined {
  const parts = valueFrom.split(':');
  if (parts[0] !== 'arn' || parts[2] !== 'secretsmanager' || parts[5] !== 'secret' || parts.length < 7) return undefined;
  const base = parts.slice(0, 7).join(':');
  const jsonKey = parts[7] ? parts[7] : undefined;
  const exact = world.get<SecretData>(ResourceType.secret, base);
  const secret = exact ?? world.list<SecretData>(ResourceType.secret).find((s) => s.data.arn.startsWith(`${base}-`) && s.data.arn.length === base.length + 7);
  const out: { arn: string; jsonKey?: string; secret?: Resource<SecretData> } = { arn: secret?.data.arn ?? base };
  if (jsonKey !== undefined) out.jsonKey = jsonKey;
  if (secret) out.secret = secret;
  return out;
}

function secretsProblem(world: World, td: TaskDefinitionData, taskId: string): string | undefined {
  const role = td.executionRoleArn ? roleByArn(world, td.executionRoleArn) : undefined;
  const prefix = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:';
  for (const c of td.containerDefinitions) {
    for (const s of c.secrets ?? []) {
      const valueFrom = s.valueFrom ?? '';
      const ref = secretRef(world, valueFrom);
      if (!ref) {
        // SSM parameters are not simulated: a parameter reference resolves to nothing.
        return `${prefix} unable to retrieve secrets from ssm: service call has been retried 1 time(s): InvalidParameters: ${valueFrom}`;
      }
      const fetch = `unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref.arn} from secrets manager:`;
      if (!allowed(role, 'secretsmanager:GetSecretValue', ref.arn)) {
        return `${prefix} ${fetch} ${denied(world, td.executionRoleArn, taskId, 'secretsmanager:GetSecretValue', ref.arn)}`;
      }
      if (!ref.secret) {
        return `${prefix} ${fetch} ResourceNotFoundException: Secrets Manager can't find the specified secret. status code: 400, request id: ${randomUUID()}`;
      }
      if (ref.secret.data.deletedAt !== undefined) {
        return `${prefix} ${fetch} InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion. status code: 400, request id: ${randomUUID()}`;
      }
      if (ref.jsonKey !== undefined) {
        let value: unknown;
        try {
          value = JSON.parse(ref.secret.data.secretString);
        } catch {
          value = undefined;
        }
        if (!value || typeof value !== 'object' || !(ref.jsonKey in value)) {
          return `${prefix} unable to retrieve secret from asm: retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`;
        }
      }
    }
  }
  return undefined;
}

function registryAuthProblem(world: World, td: TaskDefinitionData, taskId: string): string | undefined {
  const host = registryHost(world);
  if (!td.containerDefinitions.some((c) => c.image?.startsWith(`${host}/`))) return undefined;
  const role = td.executionRoleArn ? roleByArn(world, td.executionRoleArn) : undefined;
  if (allowed(role, 'ecr:GetAuthorizationToken', '*')) return undefined;
  return `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): ${denied(world, td.executionRoleArn, taskId, 'ecr:GetAuthorizationToken', '*')}`;
}

/** awslogs destination of a container: group, stream `prefix/container/taskId`, and whether to create the group. */
export function logDestination(c: ContainerDefinition, taskId: string): { group: string; stream: string; createGroup: boolean } | undefined {
  const log = c.logConfiguration;
  if (log?.logDriver !== 'awslogs') return undefined;
  const options = log.options ?? {};
  const group = options['awslogs-group'];
  if (!group) return undefined;
  const prefix = options['awslogs-stream-prefix'];
  return { group, stream: prefix ? `${prefix}/${c.name ?? ''}/${taskId}` : taskId, createGroup: options['awslogs-create-group'] === 'true' };
}

function logProblem(world: World, td: TaskDefinitionData, taskId: string): string | undefined {
  const role = td.executionRoleArn ? roleByArn(world, td.executionRoleArn) : undefined;
  const prefix = 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times:';
  for (const c of td.containerDefinitions) {
    const dest = logDestination(c, taskId);
    if (!dest) continue;
    const groupArn = world.arn('logs', `log-group:${dest.group}`);
    if (!logGroup(world, dest.group)) {
      if (!dest.createGroup) return `${prefix} failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`;
      if (!allowed(role, 'logs:CreateLogGroup', `${groupArn}:*`)) {
        return `${prefix} failed to create Cloudwatch log group: ${denied(world, td.executionRoleArn, taskId, 'logs:CreateLogGroup', `${groupArn}:*`)} : exit status 1`;
      }
    }
    const streamArn = `${groupArn}:log-stream:${dest.stream}`;
    if (!allowed(role, 'logs:CreateLogStream', streamArn)) {
      return `${prefix} failed to create Cloudwatch log stream: ${denied(world, td.executionRoleArn, taskId, 'logs:CreateLogStream', streamArn)} : exit status 1`;
    }
  }
  return undefined;
}

/** The architecture a task runs on: runtimePlatform.cpuArchitecture, X86_64 by default, in OCI terms. */
export function taskArchitecture(td: TaskDefinitionData): 'amd64' | 'arm64' {
  return td.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'arm64' : 'amd64';
}

/**
 * Decide, when a task enters PENDING, how its start ends. Checks in the order Fargate meets them: the network path
 * out, the execution role's secrets and registry auth, the image pull, the log driver, then the architecture.
 */
export function planStart(world: World, task: TaskData, td: TaskDefinitionData): StartOutcome {
  const essential = td.containerDefinitions.find((c) => c.essential !== false) ?? td.containerDefinitions[0];
  if (!hasEgress(world, task.subnetId, task.assignPublicIp)) {
    const reason = noRouteReason(world, td, essential?.image ?? '');
    const failure: PlannedFailure = { stopCode: 'TaskFailedToStart', reason };
    // A pull that times out is the container's reason too; a resource that could not be retrieved is the task's.
    if (reason.startsWith('CannotPullContainerError')) failure.containerReason = reason;
    return { fails: failure, afterMs: ecsDurations.egressTimeout };
  }
  const secrets = secretsProblem(world, td, task.taskId) ?? registryAuthProblem(world, td, task.taskId);
  if (secrets) return { fails: { stopCode: 'TaskFailedToStart', reason: secrets }, afterMs: ecsDurations.initFailure };
  const digests: Record<string, string> = {};
  let archMismatch = false;
  const arch = taskArchitecture(td);
  for (const c of td.containerDefinitions) {
    const resolved = resolveImage(world, c.image ?? '');
    if (!resolved.pullable) {
      return { fails: { stopCode: 'TaskFailedToStart', reason: resolved.reason, containerReason: resolved.reason }, afterMs: ecsDurations.pullNotFound };
    }
    if (resolved.digest) digests[c.name ?? ''] = resolved.digest;
    if (resolved.architecture !== arch && c.essential !== false) archMismatch = true;
  }
  const logs = logProblem(world, td, task.taskId);
  if (logs) return { fails: { stopCode: 'TaskFailedToStart', reason: logs }, afterMs: ecsDurations.initFailure };
  return { imageDigests: digests, archMismatch };
}

/** The failure of a container built for another architecture: it starts and exits at once. */
export function archFailure(): PlannedFailure {
  return {
    stopCode: 'EssentialContainerExited',
    reason: 'Essential container in task exited',
    exitCode: 1,
    logLines: ['exec /usr/local/bin/docker-entrypoint.sh: exec format error'],
  };
}

export interface HealthVerdict {
  healthy: boolean;
  /** The results of the data plane's real HTTP checks since the last tick (a task that runs as a process). */
  real?: HealthCheckResult[];
  reason?: string;
  description?: string;
  /** What the application logs while it fails its health checks. */
  logLine?: string;
}

function ruleAllowsPort(rule: SecurityGroupRule, port: number): boolean {
  if (rule.ipProtocol === '-1' || rule.ipProtocol === 'all') return true;
  if (rule.ipProtocol !== 'tcp' && rule.ipProtocol !== '6') return false;
  return rule.fromPort <= port && port <= rule.toPort;
}

function cidrHas(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  return !!c && containsIp(c, ip);
}

/** The load balancer's security groups: those of its network interfaces, or what its data records. */
function loadBalancerGroups(world: World, lbArn: string): { groups: string[]; ips: string[] } {
  const enis = world.list<EniData>(ResourceType.networkInterface).filter((e) => e.data.ownerRef === `${ResourceType.loadBalancer}:${lbArn}`);
  const groups = new Set(enis.flatMap((e) => e.data.groupIds));
  const lb = world.get<Record<string, unknown>>(ResourceType.loadBalancer, lbArn);
  for (const key of ['securityGroups', 'SecurityGroups', 'securityGroupIds']) {
    const v = lb?.data[key];
    if (Array.isArray(v)) for (const g of v) if (typeof g === 'string') groups.add(g);
  }
  return { groups: [...groups], ips: enis.map((e) => e.data.privateIpAddress) };
}

/** One side of a connection: its security groups and its private addresses. */
interface Peer {
  groups: string[];
  ips: string[];
}

/**
 * Whether the security groups let `from` open a TCP connection to `to` on `port`: an ingress rule of one of `to`'s
 * groups covering the port from one of `from`'s groups (or a CIDR holding one of its addresses; any CIDR when its
 * addresses are unknown), and an egress rule of one of `from`'s groups to one of `to`'s groups or a CIDR holding
 * one of its addresses (any, again, when they are unknown). Undefined when a group is not in the world (a partial fixture): nothing to judge by.
 */
function groupsAdmit(world: World, from: Peer, to: Peer, port: number): boolean | undefined {
  const fromGroups = from.groups.map((id) => world.get<SecurityGroupData>(ResourceType.securityGroup, id));
  const toGroups = to.groups.map((id) => world.get<SecurityGroupData>(ResourceType.securityGroup, id));
  if (from.groups.length === 0 || to.groups.length === 0 || [...fromGroups, ...toGroups].some((g) => g === undefined)) return undefined;
  const ingressOk = toGroups.some((g) =>
    (g?.data.ingress ?? []).some(
      (r) =>
        ruleAllowsPort(r, port) &&
        ((r.referencedGroupId !== undefined && from.groups.includes(r.referencedGroupId)) ||
          (r.cidrIpv4 !== undefined && (from.ips.length === 0 || from.ips.some((ip) => cidrHas(r.cidrIpv4 ?? '', ip))))),
    ),
  );
  const egressOk = fromGroups.some((g) =>
    (g?.data.egress ?? []).some(
      (r) =>
        ruleAllowsPort(r, port) &&
        ((r.referencedGroupId !== undefined && to.groups.includes(r.referencedGroupId)) || (r.cidrIpv4 !== undefined && (to.ips.length === 0 || to.ips.some((ip) => cidrHas(r.cidrIpv4 ?? '', ip))))),
    ),
  );
  return ingressOk && egressOk;
}

/** A JSON line as three-tier's API logs it (api/src/logging/json-logger.ts) when a dependency's check fails. */
function apiHealthLog(world: World, service: 'database' | 'cache', reason: string): string {
  return JSON.stringify({ time: new Date(world.now()).toISOString(), level: 'warn', msg: 'health check failed', service, reason });
}

const HEALTH_503: Pick<HealthVerdict, 'reason' | 'description'> = { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' };

/** The RDS instance a DB_HOST names (its endpoint address), if it is in the world. */
function databaseAt(world: World, host: string): { peer: Peer; port: number; accepting: boolean } | undefined {
  const db = world.list<DbInstanceData>(ResourceType.dbInstance).find((d) => d.data.endpointAddress === host);
  if (!db) return undefined;
  const peer = { groups: db.data.securityGroupIds, ips: enisOf(world, rdsOwnerRef(db.id)).map((e) => e.data.privateIpAddress) };
  return { peer, port: db.data.port, accepting: !DB_NOT_ACCEPTING.has(db.state) };
}

// RDS states in which the instance takes no connections (docs/sandbox/rds.md): a task whose database is in one of
// them fails its health check like one whose security group is closed.
const DB_NOT_ACCEPTING = new Set(['creating', 'stopping', 'stopped', 'starting', 'rebooting', 'deleting', 'failed']);

/** The replication group a REDIS_HOST names (its primary, reader or a node endpoint), if it is in the world. */
function cacheAt(world: World, hostName: string): { peer: Peer; port: number; transitEncryption: boolean; authToken: boolean } | undefined {
  const rg = world
    .list<ReplicationGroupData>(ResourceType.replicationGroup)
    .find((g) => [cacheHost(world, 'master', g.id), cacheHost(world, 'replica', g.id), ...g.data.members.map((m) => cacheHost(world, m.clusterId, g.id))].includes(hostName));
  if (!rg) return undefined;
  const peer = { groups: rg.data.securityGroupIds, ips: enisOf(world, cacheOwnerRef(rg.id)).map((e) => e.data.privateIpAddress) };
  return { peer, port: rg.data.port, transitEncryption: rg.data.transitEncryption, authToken: rg.data.authTokenEnabled === true };
}

/**
 * Would the load balancer's health checks of this task pass? The security groups must let the load balancer reach
 * the container port (Target.Timeout otherwise). Then three-tier's API answers GET /health with 503 when it cannot
 * reach PostgreSQL or Redis (Target.ResponseCodeMismatch), which the sandbox reads off the cloud:
 * - without TLS against RDS (DB_SSL unset, empty or `disable` with an RDS DB_HOST): RDS PostgreSQL forces TLS;
 * - a DB_HOST naming an RDS instance the task's groups cannot reach on its port (the database group's ingress from
 *   the task's group, the task group's egress);
 * - a REDIS_HOST naming a replication group the task's groups cannot reach on its port, or whose transit
 *   encryption the client's REDIS_TLS does not match (a TLS-only server refuses plain text; a TLS client gets no
 *   handshake from a plain server).
 * What the sandbox cannot see (a host outside the world, groups not in it) is not judged. A task the data plane
 * runs as a process gets the verdict of its real checks after the load balancer's security group check.
 * - a cache created with an AuthToken when the container is not given the token (REDIS_AUTH_TOKEN, or the
 *   password part of REDIS_URL): Redis answers "NOAUTH Authentication required.".
 */
export function healthVerdict(world: World, task: TaskData, td: TaskDefinitionData, tg: Resource<TargetGroupData>, containerName: string, port: number): HealthVerdict {
  const lbs = tg.data.loadBalancerArns.map((arn) => loadBalancerGroups(world, arn));
  const lbPeer: Peer = { groups: [...new Set(lbs.flatMap((l) => l.groups))], ips: lbs.flatMap((l) => l.ips) };
  const taskPeer: Peer = { groups: task.securityGroups, ips: [task.privateIp] };
  if (groupsAdmit(world, lbPeer, taskPeer, port) === false) return { healthy: false, reason: 'Target.Timeout', description: 'Request timed out' };
  // A task that runs as a real process (the data plane) answers real HTTP health checks: its own connections to
  // PostgreSQL and Redis decide, not the model below.
  const real = dataPlaneOf(world)?.checks(task.taskArn);
  if (real) return { healthy: real.at(-1)?.passed ?? false, real };
  const container = td.containerDefinitions.find((c) => c.name === containerName);
  const env = new Map((container?.environment ?? []).map((e) => [e.name ?? '', e.value ?? '']));
  const dbHost = env.get('DB_HOST') ?? '';
  const ssl = env.get('DB_SSL');
  if (dbHost.endsWith('.rds.amazonaws.com') && (ssl === undefined || ssl === '' || ssl === 'disable')) {
    const user = env.get('DB_USER') ?? env.get('DB_USERNAME') ?? 'postgres';
    const database = env.get('DB_NAME') ?? env.get('DB_DATABASE') ?? 'postgres';
    return {
      healthy: false,
      ...HEALTH_503,
      logLine: `error: no pg_hba.conf entry for host "${task.privateIp}", user "${user}", database "${database}", no encryption`,
    };
  }
  const db = databaseAt(world, dbHost);
  if (db && (!db.accepting || groupsAdmit(world, taskPeer, db.peer, db.port) === false)) {
    return { healthy: false, ...HEALTH_503, logLine: apiHealthLog(world, 'database', 'timeout exceeded when trying to connect') };
  }
  const cache = cacheAt(world, env.get('REDIS_HOST') ?? '');
  if (cache) {
    const tls = env.get('REDIS_TLS') === 'true';
    if (groupsAdmit(world, taskPeer, cache.peer, cache.port) === false || tls !== cache.transitEncryption) {
      return { healthy: false, ...HEALTH_503, logLine: apiHealthLog(world, 'cache', 'not connected (reconnecting)') };
    }
  }
  // A cache created with an AuthToken refuses commands before AUTH ("NOAUTH Authentication required."): the API's
  // cache check fails and /health answers 503 unless the container gets the token (REDIS_AUTH_TOKEN, or the
  // password part of REDIS_URL).
  const sendsToken =
    env.has('REDIS_AUTH_TOKEN') || (container?.secrets ?? []).some((x) => x.name === 'REDIS_AUTH_TOKEN') || /^rediss?:\/\/[^@/]*:[^@/]+@/.test(env.get('REDIS_URL') ?? '');
  if (cache?.authToken === true && !sendsToken) {
    return { healthy: false, ...HEALTH_503, logLine: apiHealthLog(world, 'cache', 'NOAUTH Authentication required.') };
  }
  return { healthy: true };
}
