import type { HealthCheckResult } from '../target-health.js';
import type { World } from '../world.js';

/**
 * The one thing the simulated services ask of a data plane: the results of the load balancer's real HTTP checks of
 * a task that runs as a real process, each one once, in order. The shared rules (src/sandbox/target-health.ts)
 * count them against the group's thresholds, as they count simulated checks. Kept apart from the data plane itself
 * so the ECS model can ask without importing processes and sockets.
 */
export interface DataPlaneHooks {
  /** Whether the task runs as a process (its checks are real). */
  runs(taskArn: string): boolean;
  /** The checks finished since the last call; undefined: the task is simulated, not a process. */
  checks(taskArn: string): HealthCheckResult[] | undefined;
}

const planes = new WeakMap<World, DataPlaneHooks>();

export function attachDataPlane(world: World, hooks: DataPlaneHooks): void {
  planes.set(world, hooks);
}

export function dataPlaneOf(world: World): DataPlaneHooks | undefined {
  return planes.get(world);
}
