import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { diagnoseServiceTargets, hintsFrom } from '../diagnose.js';
import { ThreeTierError } from '../errors.js';
import type { NodeContext } from '../engine/kind.js';

/** What the service's wait saw last: the tasks running and the target group's targets. */
export interface LastSeen {
  running: number;
  targets: readonly TargetHealthDescription[];
}

/**
 * A service wait that ran out of time says what its last state means and what to do (src/diagnose.ts), instead of
 * only "run again": "1/1 running, 0/1 healthy" is a mapping that registers nothing, or targets failing their checks.
 * Any other error passes through unchanged.
 */
export function explainServiceTimeout(ctx: NodeContext, service: string, cluster: string, err: unknown, last: LastSeen | undefined): unknown {
  if (!(err instanceof ThreeTierError && err.code === 'WAIT_TIMEOUT') || !last) return err;
  const { meaning, diagnoses } = diagnoseServiceTargets({
    targetType: ctx.outputsOf('target-group')['targetType'],
    running: last.running,
    targets: last.targets.map((t) => ({ state: t.TargetHealth?.State, reason: t.TargetHealth?.Reason, description: t.TargetHealth?.Description })),
    service,
    cluster,
  });
  return new ThreeTierError('SERVICE_NOT_HEALTHY', `${err.message}: ${meaning}`, {
    cause: err,
    hints: [...hintsFrom(diagnoses), 'then run the same command again: it continues from where it stopped'],
  });
}
