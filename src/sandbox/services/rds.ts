import type { SandboxService } from '../service.js';

export const rds: SandboxService = {
  name: 'rds',
  protocol: 'query',
  version: '2014-10-31', xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
  loadClient: () => import('@aws-sdk/client-rds') as Promise<Record<string, unknown>>,
  handlers: {},
};
