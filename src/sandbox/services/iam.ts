import type {
  AttachRolePolicyRequest,
  CreateRoleRequest,
  CreateRoleResponse,
  CreateServiceLinkedRoleRequest,
  CreateServiceLinkedRoleResponse,
  DeleteRolePolicyRequest,
  DeleteRoleRequest,
  DetachRolePolicyRequest,
  GetRolePolicyRequest,
  GetRolePolicyResponse,
  GetRoleRequest,
  GetRoleResponse,
  ListAttachedRolePoliciesRequest,
  ListAttachedRolePoliciesResponse,
  ListRolePoliciesRequest,
  ListRolePoliciesResponse,
  ListRoleTagsRequest,
  ListRoleTagsResponse,
  ListRolesRequest,
  ListRolesResponse,
  PutRolePolicyRequest,
  Role,
  TagRoleRequest,
  UntagRoleRequest,
  UpdateAssumeRolePolicyRequest,
} from '@aws-sdk/client-iam';
import { op, type SandboxService } from '../service.js';
import { AwsError } from '../errors.js';
import { ResourceType, type RoleData } from '../model.js';
import { pageByOffset } from '../paging.js';
import { tagList, tagMap } from '../tags.js';
import type { Resource, World } from '../world.js';
import { managedPolicies, markUnpropagated, policyName } from './iam/policy.js';
import { checkIdentityPolicy, checkTrustPolicy } from './iam/policy-grammar.js';
import { createRoleResource, serviceLinkedRoles } from './iam/roles.js';
import { iamReadHandlers } from './iam/reads.js';

/**
 * IAM (awsQuery, global): roles, their managed and inline policies and tags, and service-linked roles. Roles are
 * resources of type `iam-role` with the role name as id. Policy documents come back URL-encoded, as AWS sends them
 * (the SDK does not decode them: callers use decodeURIComponent).
 */
const NAME = /^[\w+=,.@-]+$/;
const PATH = /^\/(?:[\u0021-\u007E]*\/)?$/;

const noSuchRole = (name: string): AwsError => new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);

function validation(field: string, value: string, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`, 400);
}

function checkName(field: string, value: string | undefined, max: number): string {
  if (value === undefined || value === '') throw new AwsError('ValidationError', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`, 400);
  if (value.length > max) throw validation(field, value, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value)) throw validation(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

function roleOf(world: World, name: string | undefined): Resource<RoleData> {
  const role = world.get<RoleData>(ResourceType.iamRole, checkName('roleName', name, 64));
  if (!role || world.hiddenByConsistency(role)) throw noSuchRole(name ?? '');
  return role;
}

function toRole(r: Resource<RoleData>): Role {
  const role: Role = {
    Path: r.data.path,
    RoleName: r.data.roleName,
    RoleId: r.data.roleId,
    Arn: r.data.arn,
    CreateDate: new Date(r.data.createDate),
    AssumeRolePolicyDocument: encodeURIComponent(r.data.assumeRolePolicyDocument),
    MaxSessionDuration: 3600,
    RoleLastUsed: {},
  };
  if (r.data.description !== undefined) role.Description = r.data.description;
  if (Object.keys(r.tags).length > 0) role.Tags = tagList(r.tags);
  return role;
}

/** Marker-based paging (IAM: MaxItems 1-1000, default 100; Marker opaque). */
function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const p = pageByOffset(items, marker, maxItems, {
    min: 1,
    max: 1000,
    default: 100,
    badSize: (n) => validation('maxItems', String(n), 'Member must have value between 1 and 1000'),
    badToken: () => new AwsError('ValidationError', 'Invalid Marker.', 400),
  });
  return p.next === undefined ? { items: p.items, IsTruncated: false } : { items: p.items, IsTruncated: true, Marker: p.next };
}

function applyTags(r: Resource<RoleData>, tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined): void {
  const added = tagMap(tags, {
    entry: (t) => {
      if (!t.Key) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null", 400);
      return [t.Key, t.Value ?? ''];
    },
  });
  const next = { ...r.tags, ...added };
  if (Object.keys(next).length > 50) throw new AwsError('LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50.', 409);
  r.tags = next;
}

export const iam: SandboxService = {
  name: 'iam',
  protocol: 'query',
  version: '2010-05-08', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
  loadClient: () => import('@aws-sdk/client-iam') as Promise<Record<string, unknown>>,
  handlers: {
    ...iamReadHandlers({ roleOf, page }),
    CreateRole: op<CreateRoleRequest, CreateRoleResponse>((input, { world }) => {
      const name = checkName('roleName', input.RoleName, 64);
      const path = input.Path ?? '/';
      if (path.length > 512 || !PATH.test(path)) throw validation('path', path, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
      const trust = input.AssumeRolePolicyDocument;
      if (trust === undefined) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null", 400);
      checkTrustPolicy(world, trust);
      if (input.Description !== undefined && input.Description.length > 1000) throw validation('description', input.Description, 'Member must have length less than or equal to 1000');
      // Role names are unique regardless of case (IAM user guide, "IAM object quotas": "Role names are not
      // distinguished by case"): a role "App" blocks "app".
      if (world.list<RoleData>(ResourceType.iamRole).some((r) => r.id.toLowerCase() === name.toLowerCase())) {
        throw new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
      }
      const role = createRoleResource(world, input.Description === undefined ? { name, path, trust } : { name, path, trust, description: input.Description });
      try {
        applyTags(role, input.Tags);
      } catch (e) {
        world.remove(ResourceType.iamRole, name);
        throw e;
      }
      return { Role: toRole(role) };
    }),

    GetRole: op<GetRoleRequest, GetRoleResponse>((input, { world }) => ({ Role: toRole(roleOf(world, input.RoleName)) })),

    ListRoles: op<ListRolesRequest, ListRolesResponse>((input, { world }) => {
      const prefix = input.PathPrefix ?? '/';
      const all = world
        .list<RoleData>(ResourceType.iamRole)
        .filter((r) => r.data.path.startsWith(prefix))
        .sort((a, b) => a.id.localeCompare(b.id));
      const p = page(all, input.Marker, input.MaxItems);
      const roles = p.items.map((r) => {
        const role = toRole(r);
        delete role.Tags;
        return role;
      });
      return p.Marker === undefined ? { Roles: roles, IsTruncated: false } : { Roles: roles, IsTruncated: true, Marker: p.Marker };
    }),

    DeleteRole: op<DeleteRoleRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      if (role.data.path.startsWith('/aws-service-role/')) {
        throw new AwsError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${role.data.roleName}' - this role is only modifiable by AWS`, 400);
      }
      if (role.data.attachedPolicyArns.length > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
      if (Object.keys(role.data.inlinePolicies).length > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      world.remove(ResourceType.iamRole, role.id);
      return {};
    }),

    AttachRolePolicy: op<AttachRolePolicyRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const arn = input.PolicyArn ?? '';
      if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`, 400);
      if (managedPolicies[arn] === undefined) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
      if (!role.data.attachedPolicyArns.includes(arn)) role.data.attachedPolicyArns.push(arn);
      markUnpropagated(world, role.data);
      return {};
    }),

    DetachRolePolicy: op<DetachRolePolicyRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const arn = input.PolicyArn ?? '';
      if (!role.data.attachedPolicyArns.includes(arn)) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      role.data.attachedPolicyArns = role.data.attachedPolicyArns.filter((a) => a !== arn);
      markUnpropagated(world, role.data);
      return {};
    }),

    ListAttachedRolePolicies: op<ListAttachedRolePoliciesRequest, ListAttachedRolePoliciesResponse>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const prefix = input.PathPrefix ?? '/';
      const attached = role.data.attachedPolicyArns
        .filter((arn) => arn.slice(arn.indexOf(':policy') + ':policy'.length).startsWith(prefix))
        .map((arn) => ({ PolicyName: policyName(arn), PolicyArn: arn }));
      const p = page(attached, input.Marker, input.MaxItems);
      return p.Marker === undefined ? { AttachedPolicies: p.items, IsTruncated: false } : { AttachedPolicies: p.items, IsTruncated: true, Marker: p.Marker };
    }),

    PutRolePolicy: op<PutRolePolicyRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const name = checkName('policyName', input.PolicyName, 128);
      const doc = input.PolicyDocument;
      if (doc === undefined) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null", 400);
      checkIdentityPolicy(doc);
      role.data.inlinePolicies[name] = doc;
      markUnpropagated(world, role.data);
      return {};
    }),

    // The trust policy of a role, replaced whole (IAM API reference, UpdateAssumeRolePolicy).
    UpdateAssumeRolePolicy: op<UpdateAssumeRolePolicyRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const doc = input.PolicyDocument;
      if (doc === undefined) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null", 400);
      checkTrustPolicy(world, doc);
      role.data.assumeRolePolicyDocument = doc;
      markUnpropagated(world, role.data);
      return {};
    }),

    GetRolePolicy: op<GetRolePolicyRequest, GetRolePolicyResponse>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const name = checkName('policyName', input.PolicyName, 128);
      const doc = role.data.inlinePolicies[name];
      if (doc === undefined) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      return { RoleName: role.data.roleName, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
    }),

    DeleteRolePolicy: op<DeleteRolePolicyRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const name = checkName('policyName', input.PolicyName, 128);
      if (role.data.inlinePolicies[name] === undefined) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      delete role.data.inlinePolicies[name];
      markUnpropagated(world, role.data);
      return {};
    }),

    ListRolePolicies: op<ListRolePoliciesRequest, ListRolePoliciesResponse>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const p = page(Object.keys(role.data.inlinePolicies).sort(), input.Marker, input.MaxItems);
      return p.Marker === undefined ? { PolicyNames: p.items, IsTruncated: false } : { PolicyNames: p.items, IsTruncated: true, Marker: p.Marker };
    }),

    TagRole: op<TagRoleRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      applyTags(role, input.Tags);
      return {};
    }),

    UntagRole: op<UntagRoleRequest, Record<string, never>>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      for (const k of input.TagKeys ?? []) delete role.tags[k];
      return {};
    }),

    ListRoleTags: op<ListRoleTagsRequest, ListRoleTagsResponse>((input, { world }) => {
      const role = roleOf(world, input.RoleName);
      const p = page(tagList(role.tags), input.Marker, input.MaxItems);
      return p.Marker === undefined ? { Tags: p.items, IsTruncated: false } : { Tags: p.items, IsTruncated: true, Marker: p.Marker };
    }),

    CreateServiceLinkedRole: op<CreateServiceLinkedRoleRequest, CreateServiceLinkedRoleResponse>((input, { world }) => {
      const service = input.AWSServiceName ?? '';
      const known = serviceLinkedRoles[service];
      if (!known) throw new AwsError('InvalidInput', `Service name ${service} is not a valid service or does not support service-linked roles.`, 400);
      const name = input.CustomSuffix ? `${known.roleName}_${input.CustomSuffix}` : known.roleName;
      if (world.get(ResourceType.iamRole, name)) {
        throw new AwsError('InvalidInput', `Service role name ${name} has been taken in this account, please try a different suffix.`, 400);
      }
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
      const role = createRoleResource(world, {
        name,
        path: `/aws-service-role/${service}/`,
        trust,
        ...(input.Description === undefined ? {} : { description: input.Description }),
      });
      role.data.attachedPolicyArns.push(known.policy);
      return { Role: toRole(role) };
    }),
  },
};
