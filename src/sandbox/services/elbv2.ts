import type { SandboxService } from '../service.js';
import { expireDrainedTargets } from '../targets.js';
import { installLoadBalancers, loadBalancerHandlers } from './elbv2/load-balancers.js';
import { listenerHandlers } from './elbv2/listeners.js';
import { targetGroupHandlers } from './elbv2/target-groups.js';
import { targetHandlers } from './elbv2/targets.js';
import { tagHandlers } from './elbv2/tags.js';
import { elbv2ReadHandlers } from './elbv2/reads.js';

/**
 * Elastic Load Balancing v2 (awsQuery): Application Load Balancers with their network interfaces, target groups,
 * listeners, target registration and tags. The promises are in docs/sandbox/elbv2.md.
 */
export const elbv2: SandboxService = {
  name: 'elasticloadbalancing',
  protocol: 'query',
  version: '2015-12-01', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  loadClient: () => import('@aws-sdk/client-elastic-load-balancing-v2') as Promise<Record<string, unknown>>,
  handlers: {
    ...loadBalancerHandlers,
    ...targetGroupHandlers,
    ...listenerHandlers,
    ...targetHandlers,
    ...tagHandlers,
    ...elbv2ReadHandlers,
  },
  install(world) {
    installLoadBalancers(world);
    // Draining targets leave their group once the deregistration delay is over.
    world.addReconciler(expireDrainedTargets);
  },
};
