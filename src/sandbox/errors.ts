/**
 * An error the sandbox answers with, in the shape AWS would: a wire code (what `err.name` or the error class the
 * SDK maps it to), a message, an HTTP status, and who is at fault. The protocol layer serializes it for the
 * service's protocol (EC2 <Response><Errors>, awsQuery <ErrorResponse>, JSON 1.1 __type).
 */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Shorthands for the errors every service uses. */
export const err = {
  notFound: (code: string, message: string): AwsError => new AwsError(code, message, 400),
  invalid: (code: string, message: string): AwsError => new AwsError(code, message, 400),
  /** The generic validation error of the query and JSON protocols. */
  validation: (message: string, code = 'ValidationError'): AwsError => new AwsError(code, message, 400),
};
