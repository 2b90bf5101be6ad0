import type { SandboxService } from '../service.js';

export const logs: SandboxService = {
  name: 'logs',
  protocol: 'json',
  targetPrefix: 'Logs_20140328',
  loadClient: () => import('@aws-sdk/client-cloudwatch-logs') as Promise<Record<string, unknown>>,
  handlers: {},
};
