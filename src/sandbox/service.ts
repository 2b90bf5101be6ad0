import type { World } from './world.js';

/** What a handler knows about the call it serves. */
export interface CallContext {
  world: World;
  service: string;
  operation: string;
  requestId: string;
  /** The sandbox's own base URL (http://127.0.0.1:PORT), for answers that point back at it (ECR layer URLs). */
  endpoint: string;
}

/**
 * A handler takes the SDK-shaped input of one operation and returns its SDK-shaped output (or throws AwsError).
 * Types come from the SDK packages: `op<CreateVpcRequest, CreateVpcResult>((input, ctx) => ...)`. The input has
 * already been checked against the operation's schema (every member has its modelled type). A read operation
 * (Describe*, List*, Get*, BatchGet*) changes nothing in place: `--state` saves after it only what World's own
 * methods changed (see World.markChanged).
 */
export type Handler = (input: never, ctx: CallContext) => unknown;

export function op<I, O>(fn: (input: I, ctx: CallContext) => O): Handler {
  return fn as unknown as Handler;
}

export type Protocol = 'ec2' | 'query' | 'json';

export interface SandboxService {
  /** The signing name, used in call counts and /_sandbox/resources (ec2, elasticloadbalancing, rds, ...). */
  name: string;
  protocol: Protocol;
  /** awsQuery and EC2: the API version the SDK sends as `Version=`; routes the request. */
  version?: string;
  /** awsQuery and EC2: the XML namespace of responses. */
  xmlns?: string;
  /** JSON 1.1: the X-Amz-Target prefix before the dot; routes the request. */
  targetPrefix?: string;
  /** The SDK client package whose schemas describe the wire shapes (loaded on the first call). */
  loadClient: () => Promise<Record<string, unknown>>;
  handlers: Record<string, Handler>;
  /** Registers transition listeners and reconcilers on a world. */
  install?: (world: World) => void;
}
