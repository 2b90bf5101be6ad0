import type { SandboxService } from '../service.js';

export const iam: SandboxService = {
  name: 'iam',
  protocol: 'query',
  version: '2010-05-08', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
  loadClient: () => import('@aws-sdk/client-iam') as Promise<Record<string, unknown>>,
  handlers: {},
};
