/**
 * IAM reads around roles beyond the ones three-tier uses: which roles a managed policy is attached to, and a role's
 * instance profiles (always none: the sandbox models no instance profiles, and none can be created). See
 * docs/sandbox/iam.md.
 */
import type {
  ListEntitiesForPolicyRequest,
  ListEntitiesForPolicyResponse,
  ListInstanceProfilesForRoleRequest,
  ListInstanceProfilesForRoleResponse,
  PolicyRole,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../errors.js';
import { ResourceType, type RoleData } from '../../model.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { managedPolicies } from './policy.js';

/** What the handlers borrow from iam.ts: the role lookup (with its errors) and IAM's Marker paging. */
export interface IamReadDeps {
  roleOf: (world: World, name: string | undefined) => Resource<RoleData>;
  page: <T>(items: T[], marker: string | undefined, maxItems: number | undefined) => { items: T[]; IsTruncated: boolean; Marker?: string };
}

const ENTITY_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];
const USAGE_FILTERS = ['PermissionsPolicy', 'PermissionsBoundary'];

export function iamReadHandlers({ roleOf, page }: IamReadDeps): Record<string, Handler> {
  const listInstanceProfilesForRole = op<ListInstanceProfilesForRoleRequest, ListInstanceProfilesForRoleResponse>((input, { world }) => {
    roleOf(world, input.RoleName);
    const p = page([], input.Marker, input.MaxItems);
    return { InstanceProfiles: p.items, IsTruncated: false };
  });

  /** Roles only: the sandbox has no users or groups, and no permissions boundaries. */
  const listEntitiesForPolicy = op<ListEntitiesForPolicyRequest, ListEntitiesForPolicyResponse>((input, { world }) => {
    const arn = input.PolicyArn ?? '';
    if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`, 400);
    if (managedPolicies[arn] === undefined) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
    if (input.EntityFilter !== undefined && !ENTITY_FILTERS.includes(input.EntityFilter)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${input.EntityFilter}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [${ENTITY_FILTERS.join(', ')}]`, 400);
    }
    if (input.PolicyUsageFilter !== undefined && !USAGE_FILTERS.includes(input.PolicyUsageFilter)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${input.PolicyUsageFilter}' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [${USAGE_FILTERS.join(', ')}]`, 400);
    }
    const wantRoles = (input.EntityFilter === undefined || input.EntityFilter === 'Role') && input.PolicyUsageFilter !== 'PermissionsBoundary';
    const prefix = input.PathPrefix ?? '/';
    const roles: PolicyRole[] = wantRoles
      ? world
          .list<RoleData>(ResourceType.iamRole)
          .filter((r) => r.data.attachedPolicyArns.includes(arn) && r.data.path.startsWith(prefix))
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((r) => ({ RoleName: r.data.roleName, RoleId: r.data.roleId }))
      : [];
    const p = page(roles, input.Marker, input.MaxItems);
    const out: ListEntitiesForPolicyResponse = { PolicyGroups: [], PolicyUsers: [], PolicyRoles: p.items, IsTruncated: p.IsTruncated };
    if (p.Marker !== undefined) out.Marker = p.Marker;
    return out;
  });

  return {
    ListInstanceProfilesForRole: listInstanceProfilesForRole,
    ListEntitiesForPolicy: listEntitiesForPolicy,
  };
}
