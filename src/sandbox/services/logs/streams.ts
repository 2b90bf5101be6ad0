/**
 * Log streams the caller makes and deletes itself (CreateLogStream / DeleteLogStream). ECS tasks create theirs as
 * they start (see store.ts); these are the same streams, listed by DescribeLogStreams.
 */
import type { CreateLogStreamRequest, DeleteLogStreamRequest } from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../errors.js';
import { op, type Handler } from '../../service.js';
import { groupOf, invalid } from './common.js';

const STREAM_NAME = /^[^:*]{1,512}$/;

function checkStreamName(name: string | undefined): string {
  if (name === undefined || name === '') throw invalid("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null");
  if (!STREAM_NAME.test(name)) {
    throw invalid(`1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
  }
  return name;
}

const createLogStream = op<CreateLogStreamRequest, Record<string, never>>((input, { world }) => {
  const group = groupOf(world, input.logGroupName);
  const name = checkStreamName(input.logStreamName);
  if (group.data.streams[name]) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists', 400);
  group.data.streams[name] = { creationTime: world.now(), events: [] };
  return {};
});

const deleteLogStream = op<DeleteLogStreamRequest, Record<string, never>>((input, { world }) => {
  const group = groupOf(world, input.logGroupName);
  const name = checkStreamName(input.logStreamName);
  if (!group.data.streams[name]) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.', 400);
  delete group.data.streams[name];
  return {};
});

export const logStreamHandlers: Record<string, Handler> = {
  CreateLogStream: createLogStream,
  DeleteLogStream: deleteLogStream,
};
