/**
 * Classify AWS SDK v3 errors in one place. EC2 has no modelled errors, so `name` is the wire code
 * (InvalidVpcID.NotFound); other services throw classes named after the model shape (DBInstanceNotFoundFault), and
 * `Code` may hold the wire code. Check both (docs/aws-facts.md, "Conventions").
 */
export function awsErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.code === 'string') return e.code;
  return undefined;
}

export function errorCodes(err: unknown): string[] {
  if (!err || typeof err !== 'object') return [];
  const e = err as { name?: unknown; Code?: unknown };
  return [e.name, e.Code].filter((v): v is string => typeof v === 'string');
}

export function isAwsError(err: unknown, ...codes: string[]): boolean {
  const have = errorCodes(err);
  return codes.some((c) => have.includes(c));
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** "It is not there (any more)": describe or delete of something gone. */
export function isNotFound(err: unknown): boolean {
  return errorCodes(err).some((c) => /NotFound|NoSuchEntity|\.Missing$/.test(c) || c === 'InvalidAllocationID.NotFound');
}

/** Errors that mean "something still depends on it": retry within the delete budget. */
export const DEPENDENCY_CODES = [
  'DependencyViolation',
  'InvalidGroup.InUse',
  'ResourceInUse',
  'ResourceInUseException',
  'CacheSubnetGroupInUse',
  'InvalidDBSubnetGroupStateFault',
  'InvalidDBSubnetGroupState',
  'ClusterContainsTasksException',
  'ClusterContainsServicesException',
  'DeleteConflict',
  'DeleteConflictException',
  'InvalidReplicationGroupState',
  'InvalidReplicationGroupStateFault',
] as const;

export function isDependencyError(err: unknown): boolean {
  return isAwsError(err, ...DEPENDENCY_CODES);
}

/** Credentials that are missing, wrong or expired. */
export function isCredentialsError(err: unknown): boolean {
  const codes = errorCodes(err);
  return codes.some((c) =>
    [
      'CredentialsProviderError',
      'ExpiredToken',
      'ExpiredTokenException',
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'SignatureDoesNotMatch',
      'AuthFailure',
      'TokenRefreshRequired',
      'InvalidIdentityToken',
      // IAM Identity Center: the SSO token expired or was never made (aws sso login), during a run too.
      'TokenProviderError',
      'UnauthorizedException',
      'InvalidGrantException',
    ].includes(c),
  );
}
