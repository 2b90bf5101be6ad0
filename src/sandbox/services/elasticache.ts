import type { SandboxService } from '../service.js';

export const elasticache: SandboxService = {
  name: 'elasticache',
  protocol: 'query',
  version: '2015-02-02', xmlns: 'http://elasticache.amazonaws.com/doc/2015-02-02/',
  loadClient: () => import('@aws-sdk/client-elasticache') as Promise<Record<string, unknown>>,
  handlers: {},
};
