import type { Identity, NodeContext } from '../engine/kind.js';

/**
 * What `pause` does to a resource it keeps: bring it to a state that bills less (the service scaled to 0 tasks, the
 * database stopped, the private default route removed), and back is `up`'s own convergence (waitReady starts a
 * stopped database, restores the count, puts the route back). Resources that pause deletes use their kind's delete.
 */
export interface PauseState {
  /** Already in its paused state: pause has nothing to do. */
  paused: boolean;
  /** Its state now, in words (for the plan). */
  state: string;
  /** ecs-service: the desired count it has now. */
  desiredCount?: number;
  /** database: when AWS starts it again on its own (ISO date). */
  restartsAt?: string;
}

export interface PauseOp {
  /** What pause does, for the plan: "scale to 0 tasks", "stop", "remove the default route". */
  verb: string;
  /** How it stands; undefined when it does not exist. */
  read(ctx: NodeContext, identity: Identity): Promise<PauseState | undefined>;
  /** Bring it to its paused state and wait until it is there. */
  pause(ctx: NodeContext, identity: Identity): Promise<PauseState>;
}
