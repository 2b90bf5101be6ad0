import type { GetAccessKeyInfoRequest, GetAccessKeyInfoResponse, GetCallerIdentityRequest, GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import { AwsError } from '../errors.js';
import { op, type SandboxService } from '../service.js';

/** STS: who the caller is. The sandbox has one account and one user, whatever credentials sign the request. */
export const sts: SandboxService = {
  name: 'sts',
  protocol: 'query',
  version: '2011-06-15',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  loadClient: () => import('@aws-sdk/client-sts') as Promise<Record<string, unknown>>,
  handlers: {
    GetCallerIdentity: op<GetCallerIdentityRequest, GetCallerIdentityResponse>((_input, { world }) => ({
      Account: world.config.accountId,
      Arn: `arn:aws:iam::${world.config.accountId}:user/sandbox`,
      UserId: 'AIDASANDBOXUSER000001',
    })),
    // Whatever key signed, it belongs to the sandbox's one account.
    GetAccessKeyInfo: op<GetAccessKeyInfoRequest, GetAccessKeyInfoResponse>((input, { world }) => {
      const key = input.AccessKeyId ?? '';
      if (!/^\w{16,128}$/.test(key)) {
        throw new AwsError('ValidationError', `1 validation error detected: Value '${key}' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]*`, 400);
      }
      return { Account: world.config.accountId };
    }),
  },
};
