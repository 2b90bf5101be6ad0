import type { DriftItem, Health } from './model.js';
import type { Seen } from './read.js';

/** What AWS shows of one node: its live resource (seen, gone, or unreadable) and the drift found on it. */
export interface Live {
  awsId: string;
  state: string;
  health: Health;
  detail?: string;
}

export interface NodeOutcome {
  live: Seen<Live>;
  drift: DriftItem[];
}
