import type { SandboxService } from '../service.js';

export const elbv2: SandboxService = {
  name: 'elasticloadbalancing',
  protocol: 'query',
  version: '2015-12-01', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  loadClient: () => import('@aws-sdk/client-elastic-load-balancing-v2') as Promise<Record<string, unknown>>,
  handlers: {},
};
