import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext } from '../engine/kind.js';
import { describeService } from './ecs-service.js';
import type { PauseOp, PauseState } from './pause-op.js';
import { waitFor } from './common.js';

/**
 * Pause of the API service: desired count 0, then wait until no task runs or starts (a task that still runs would
 * lose its database and its route out as pause goes on). The count it had is what resume restores.
 */
function stateOf(desired: number, running: number, pending: number): PauseState {
  const paused = desired === 0 && running === 0 && pending === 0;
  return { paused, state: `${running} task(s) running${pending ? `, ${pending} starting` : ''}, desired ${desired}`, desiredCount: desired };
}

export const serviceScaleDown: PauseOp = {
  verb: 'scale to 0 tasks',

  async read(ctx: NodeContext, identity: Identity) {
    const svc = await describeService(ctx, identity['cluster'] ?? '', identity['name'] ?? '');
    if (!svc || svc.status === 'INACTIVE') return undefined;
    return stateOf(svc.desiredCount ?? 0, svc.runningCount ?? 0, svc.pendingCount ?? 0);
  },

  async pause(ctx: NodeContext, identity: Identity) {
    const cluster = identity['cluster'] ?? '';
    const name = identity['name'] ?? '';
    const svc = await describeService(ctx, cluster, name);
    if ((svc?.desiredCount ?? 0) > 0) {
      try {
        await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }));
      } catch (err) {
        // A service that is gone has no task to stop.
        if (!isAwsError(err, 'ServiceNotFoundException', 'ServiceNotActiveException', 'ClusterNotFoundException')) throw err;
      }
    }
    return waitFor(ctx, `ECS service ${name} to stop its tasks`, 'serviceGone', async () => {
      const now = await describeService(ctx, cluster, name);
      const s = stateOf(now?.desiredCount ?? 0, now?.runningCount ?? 0, now?.pendingCount ?? 0);
      return s.paused ? { done: true, value: s } : { done: false, state: s.state };
    });
  },
};
