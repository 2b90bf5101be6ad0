import type { SandboxService } from '../service.js';

export const ecr: SandboxService = {
  name: 'ecr',
  protocol: 'json',
  targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
  loadClient: () => import('@aws-sdk/client-ecr') as Promise<Record<string, unknown>>,
  handlers: {},
};
