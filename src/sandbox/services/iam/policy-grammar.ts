/**
 * IAM's checks of a policy document, with its MalformedPolicyDocument texts (IAM user guide, "IAM JSON policy
 * grammar" and "IAM JSON policy elements"; the texts as IAM answers them, quoted in public issue threads):
 * - not JSON: "Syntax errors in policy." (CreateRole: "This policy contains invalid Json");
 * - an element the grammar does not have, a Version other than 2012-10-17 / 2008-10-17, no Statement, an Effect
 *   other than Allow / Deny, a Condition that is not operator -> key -> value(s): "Syntax errors in policy.";
 * - a statement without Action / NotAction: "Policy statement must contain actions.";
 * - an action without a service prefix: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
 * - identity policies: a Principal: "Policy document should not specify a principal."; no Resource / NotResource:
 *   "Policy statement must contain resources."; a resource that is neither an ARN nor `*`:
 *   `Resource x must be in ARN format or "*".`;
 * - trust policies: a Resource: "Has prohibited field Resource"; a principal IAM does not know (a service that does
 *   not exist, a role that does not exist): `Invalid principal in policy: "SERVICE":"ecs-task.amazonaws.com"`.
 */
import { AwsError } from '../../errors.js';
import { ResourceType, type RoleData } from '../../model.js';
import type { World } from '../../world.js';

const malformed = (message: string): AwsError => new AwsError('MalformedPolicyDocument', message, 400);
const syntax = (): AwsError => malformed('Syntax errors in policy.');

const TOP = new Set(['Version', 'Id', 'Statement']);
const STATEMENT = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/**
 * Service principals IAM accepts in a trust policy, by the service's first label: `<label>.amazonaws.com` (or a
 * regional `<label>.<region>.amazonaws.com`). The ones AWS services document for their roles; an unknown one is
 * refused as IAM refuses a service that does not exist.
 */
const SERVICE_PRINCIPALS = new Set([
  'apigateway', 'application-autoscaling', 'appsync', 'autoscaling', 'backup', 'batch', 'cloudformation', 'cloudtrail',
  'codebuild', 'codedeploy', 'codepipeline', 'config', 'delivery.logs', 'dms', 'ec2', 'ecs', 'ecs-tasks',
  'edgelambda', 'eks', 'eks-fargate-pods', 'elasticache', 'elasticloadbalancing', 'elasticmapreduce', 'events',
  'firehose', 'glue', 'guardduty', 'iot', 'kinesis', 'kinesisanalytics', 'lambda', 'logs', 'monitoring.rds',
  'pipes', 'rds', 'redshift', 's3', 'sagemaker', 'scheduler', 'secretsmanager', 'ses', 'sns', 'sqs', 'ssm',
  'states', 'sts', 'vpc-flow-logs',
]);

function serviceKnown(principal: string): boolean {
  const m = /^(.+?)(?:\.[a-z]{2}(?:-gov)?-[a-z]+-\d)?\.amazonaws\.com(?:\.cn)?$/.exec(principal);
  return m?.[1] !== undefined && SERVICE_PRINCIPALS.has(m[1]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or a non-empty list of strings (Action, Resource, principal values); else a syntax error. */
function strings(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string')) throw syntax();
  return list as string[];
}

function checkCondition(c: unknown): void {
  if (!isObject(c)) throw syntax();
  for (const block of Object.values(c)) {
    if (!isObject(block)) throw syntax();
    for (const value of Object.values(block)) {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) throw syntax();
    }
  }
}

function checkActions(s: Record<string, unknown>): void {
  const actions = s['Action'] ?? s['NotAction'];
  if (actions === undefined) throw malformed('Policy statement must contain actions.');
  if (s['Action'] !== undefined && s['NotAction'] !== undefined) throw syntax();
  for (const a of strings(actions)) {
    if (a !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a)) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }
}

function checkPrincipal(world: World, principal: unknown): void {
  if (principal === '*') return;
  if (!isObject(principal)) throw syntax();
  for (const [kind, value] of Object.entries(principal)) {
    for (const p of strings(value)) {
      const invalid = (): AwsError => malformed(`Invalid principal in policy: "${kind.toUpperCase()}":"${p}"`);
      if (kind === 'Service') {
        if (!serviceKnown(p)) throw invalid();
      } else if (kind === 'AWS') {
        if (p === '*' || /^\d{12}$/.test(p) || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(p)) continue;
        const role = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(p);
        // A role of this account must exist: IAM stores the role's unique id, not its ARN.
        if (role && (role[1] !== world.config.accountId || world.get<RoleData>(ResourceType.iamRole, role[2] ?? '')?.data.arn === p)) continue;
        if (/^arn:aws[a-z-]*:iam::\d{12}:user\/[\w+=,.@/-]+$/.test(p)) continue;
        throw invalid();
      } else if (kind !== 'Federated' && kind !== 'CanonicalUser') {
        throw syntax();
      }
    }
  }
}

/** The statements of a document that passed IAM's JSON and top-level checks. */
function statementsOf(document: string, onBadJson: () => AwsError): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    throw onBadJson();
  }
  if (!isObject(doc)) throw onBadJson();
  if (Object.keys(doc).some((k) => !TOP.has(k))) throw syntax();
  const version = doc['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') throw syntax();
  const raw = doc['Statement'];
  // No Statement, or null: a syntax error (quoted from IAM); an empty list is left alone (unconfirmed either way).
  if (raw === undefined || raw === null) throw syntax();
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every(isObject)) throw syntax();
  for (const s of list as Record<string, unknown>[]) {
    if (Object.keys(s).some((k) => !STATEMENT.has(k))) throw syntax();
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') throw syntax();
    if (s['Sid'] !== undefined && (typeof s['Sid'] !== 'string' || !/^[A-Za-z0-9]*$/.test(s['Sid']))) throw syntax();
    if (s['Condition'] !== undefined) checkCondition(s['Condition']);
  }
  return list as Record<string, unknown>[];
}

/** An identity policy (PutRolePolicy): actions on resources, no principal. */
export function checkIdentityPolicy(document: string): void {
  for (const s of statementsOf(document, syntax)) {
    if (s['Principal'] !== undefined || s['NotPrincipal'] !== undefined) throw malformed('Policy document should not specify a principal.');
    checkActions(s);
    const resources = s['Resource'] ?? s['NotResource'];
    if (resources === undefined) throw malformed('Policy statement must contain resources.');
    if (s['Resource'] !== undefined && s['NotResource'] !== undefined) throw syntax();
    for (const r of strings(resources)) {
      if (r !== '*' && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/.test(r)) throw malformed(`Resource ${r} must be in ARN format or "*".`);
    }
  }
}

/** A trust policy (CreateRole, UpdateAssumeRolePolicy): who may assume the role, and no resource. */
export function checkTrustPolicy(world: World, document: string): void {
  for (const s of statementsOf(document, () => malformed('This policy contains invalid Json'))) {
    if (s['Resource'] !== undefined || s['NotResource'] !== undefined) throw malformed(`Has prohibited field ${s['Resource'] !== undefined ? 'Resource' : 'NotResource'}`);
    checkActions(s);
    const principal = s['Principal'] ?? s['NotPrincipal'];
    if (principal === undefined) throw syntax();
    checkPrincipal(world, principal);
  }
}
