import type { GetCallerIdentityRequest, GetCallerIdentityResponse } from '@aws-sdk/client-sts';
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
  },
};
