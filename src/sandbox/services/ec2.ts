import type { SandboxService } from '../service.js';

export const ec2: SandboxService = {
  name: 'ec2',
  protocol: 'ec2',
  version: '2016-11-15', xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  loadClient: () => import('@aws-sdk/client-ec2') as Promise<Record<string, unknown>>,
  handlers: {},
};
