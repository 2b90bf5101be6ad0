import type { SandboxService } from '../service.js';

export const ecs: SandboxService = {
  name: 'ecs',
  protocol: 'json',
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  loadClient: () => import('@aws-sdk/client-ecs') as Promise<Record<string, unknown>>,
  handlers: {},
};
