import type { World } from '../world.js';

/**
 * The one thing the simulated services ask of a data plane: the health of a task that runs as a real process, as
 * the load balancer's real HTTP checks found it. Kept apart from the data plane itself so the ECS model can ask
 * without importing processes and sockets.
 */
export interface RealHealth {
  /** The checks have not decided yet (the process is starting, or too few checks in a row agree). */
  pending?: boolean;
  healthy: boolean;
  reason?: string;
  description?: string;
}

export interface DataPlaneHooks {
  /** undefined: the task is simulated, not a process. */
  health(taskArn: string): RealHealth | undefined;
}

const planes = new WeakMap<World, DataPlaneHooks>();

export function attachDataPlane(world: World, hooks: DataPlaneHooks): void {
  planes.set(world, hooks);
}

export function dataPlaneOf(world: World): DataPlaneHooks | undefined {
  return planes.get(world);
}
