import type { SandboxService } from '../service.js';

export const secretsmanager: SandboxService = {
  name: 'secretsmanager',
  protocol: 'json',
  targetPrefix: 'secretsmanager',
  loadClient: () => import('@aws-sdk/client-secrets-manager') as Promise<Record<string, unknown>>,
  handlers: {},
};
