import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { appendLogEvent } from '../../src/sandbox/services/logs/store.js';
import { clientConfig, resources, sandbox } from './helpers.js';

function rejectsWith(name: string, message?: RegExp) {
  return (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  };
}

describe('sandbox CloudWatch Logs', () => {
  let sb: Sandbox;
  let logs: CloudWatchLogsClient;
  before(async () => {
    sb = await sandbox();
    logs = new CloudWatchLogsClient(clientConfig(sb, { maxAttempts: 1 }));
  });
  after(async () => {
    await sb.close();
  });

  it('creates a log group with tags; a second create is ResourceAlreadyExistsException; the world lists it', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/demo', tags: { 'three-tier:stack': 'demo' } }));
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/demo' })), rejectsWith('ResourceAlreadyExistsException'));
    const listed = (await resources(sb)).find((r) => r.type === 'log-group' && r.id === '/ecs/demo');
    assert.equal(listed?.tags['three-tier:stack'], 'demo');
  });

  it('validates log group names', async () => {
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'has space' })), rejectsWith('InvalidParameterException', /regular expression/));
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'x'.repeat(513) })), rejectsWith('InvalidParameterException', /512/));
  });

  it('accepts only the allowed retention values', async () => {
    await assert.rejects(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/ecs/demo', retentionInDays: 2 })),
      rejectsWith('InvalidParameterException', /retentionInDays.*enum value set: \[1, 3, 5, 7, 14/),
    );
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/ecs/demo', retentionInDays: 14 }));
    await assert.rejects(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/ecs/missing', retentionInDays: 14 })),
      rejectsWith('ResourceNotFoundException', /log group does not exist/),
    );
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/demo' }));
    assert.equal(out.logGroups?.length, 1);
    const g = out.logGroups?.[0];
    assert.equal(g?.retentionInDays, 14);
    assert.equal(g?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo:*');
    assert.equal(g?.logGroupArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo');
    assert.equal(typeof g?.creationTime, 'number');
  });

  it('tags and lists tags by ARN', async () => {
    const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo';
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'team' } }));
    const out = await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(out.tags, { 'three-tier:stack': 'demo', owner: 'team' });
    await assert.rejects(
      logs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/nope' })),
      rejectsWith('ResourceNotFoundException'),
    );
  });

  it('pages DescribeLogGroups with limit and nextToken', async () => {
    for (let i = 0; i < 5; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `/paged/g${i}` }));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/paged/', limit: 2, ...(token ? { nextToken: token } : {}) }));
      names.push(...(out.logGroups ?? []).map((g) => g.logGroupName ?? ''));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['/paged/g0', '/paged/g1', '/paged/g2', '/paged/g3', '/paged/g4']);
    await assert.rejects(logs.send(new DescribeLogGroupsCommand({ limit: 51 })), rejectsWith('InvalidParameterException'));
  });

  it('removes retention, matches name patterns, lists tags by name; prefix and pattern together are refused', async () => {
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/paged/g0' }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/paged/g1', retentionInDays: 7 }));
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/paged/g1' }));
    const g1 = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'ED/G1' }));
    assert.deepEqual(g1.logGroups?.map((g) => [g.logGroupName, g.retentionInDays]), [['/paged/g1', undefined]]);
    await assert.rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/p', logGroupNamePattern: 'g' })), rejectsWith('InvalidParameterException'));
    const tags = await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/ecs/demo' }));
    assert.deepEqual(tags.tags, { 'three-tier:stack': 'demo', owner: 'team' });
  });

  it('serves the events tasks write: GetLogEvents, FilterLogEvents, DescribeLogStreams', async () => {
    assert.equal(appendLogEvent(sb.world, '/ecs/demo', 'api/api/task1', 'listening on 3000'), true);
    assert.equal(appendLogEvent(sb.world, '/ecs/demo', 'api/api/task1', 'exec /usr/local/bin/docker-entrypoint.sh: exec format error'), true);
    assert.equal(appendLogEvent(sb.world, '/ecs/demo', 'api/api/task2', 'listening on 3000'), true);
    assert.equal(appendLogEvent(sb.world, '/ecs/none', 'x', 'y'), false);
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/demo', logStreamName: 'api/api/task1', startFromHead: true }));
    assert.deepEqual(got.events?.map((e) => e.message), ['listening on 3000', 'exec /usr/local/bin/docker-entrypoint.sh: exec format error']);
    const next = await logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/demo', logStreamName: 'api/api/task1', nextToken: got.nextForwardToken ?? '' }));
    assert.equal(next.events?.length, 0);
    assert.equal(next.nextForwardToken, got.nextForwardToken, 'the same forward token marks the end of the stream');
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/demo', filterPattern: '"exec format error"' }));
    assert.deepEqual(filtered.events?.map((e) => [e.logStreamName, e.message]), [['api/api/task1', 'exec /usr/local/bin/docker-entrypoint.sh: exec format error']]);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/demo', logStreamNamePrefix: 'api/' }));
    assert.deepEqual(streams.logStreams?.map((s) => s.logStreamName), ['api/api/task1', 'api/api/task2']);
    await assert.rejects(logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/demo', logStreamName: 'nope' })), rejectsWith('ResourceNotFoundException', /log stream/));
  });

  it('deletes a log group; deleting again is ResourceNotFoundException', async () => {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/ecs/demo' }));
    await assert.rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: '/ecs/demo' })), rejectsWith('ResourceNotFoundException'));
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
    assert.deepEqual(out.logGroups, []);
  });
});
