import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  GetLogEventsCommand,
  ListLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';

/** Log streams of the caller's own, ListLogGroups, and a group's metric and subscription filters (none). */
describe('sandbox CloudWatch Logs: own log streams, ListLogGroups, filters', () => {
  let sb: Sandbox;
  let logs: CloudWatchLogsClient;
  before(async () => {
    sb = await sandbox();
    logs = new CloudWatchLogsClient(clientConfig(sb, { maxAttempts: 1 }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/api', tags: { team: 'a' } }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/job' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'ecs-other' }));
  });
  after(async () => {
    await sb.close();
  });

  it('creates and deletes a log stream, which DescribeLogStreams then lists and stops listing', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'manual/1' }));
    const listed = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api' }))).logStreams ?? [];
    assert.deepEqual(listed.map((s) => s.logStreamName), ['manual/1']);
    assert.deepEqual((await logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'manual/1' }))).events, []);
    await rejectsWith(logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'manual/1' })), 'ResourceAlreadyExistsException');
    await rejectsWith(logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'bad:name' })), 'InvalidParameterException');
    await rejectsWith(logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })), 'ResourceNotFoundException', /log group does not exist/);
    await logs.send(new DeleteLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'manual/1' }));
    assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api' }))).logStreams, []);
    await rejectsWith(logs.send(new DeleteLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'manual/1' })), 'ResourceNotFoundException', /log stream does not exist/);
  });

  it('lists log groups by pattern (^prefix or substring, | alternatives), class and tags, paged by limit', async () => {
    const names = async (input: ConstructorParameters<typeof ListLogGroupsCommand>[0] = {}) =>
      ((await logs.send(new ListLogGroupsCommand(input ?? {}))).logGroups ?? []).map((g) => g.logGroupName);
    assert.deepEqual(await names(), ['/aws/lambda/job', '/ecs/api', 'ecs-other']);
    assert.deepEqual(await names({ logGroupNamePattern: '^/ecs' }), ['/ecs/api']);
    assert.deepEqual(await names({ logGroupNamePattern: 'ecs' }), ['/ecs/api', 'ecs-other']);
    assert.deepEqual(await names({ logGroupNamePattern: '^/aws|other' }), ['/aws/lambda/job', 'ecs-other']);
    assert.deepEqual(await names({ logGroupClass: 'INFREQUENT_ACCESS' }), []);
    assert.deepEqual(await names({ logGroupTags: [{ key: 'team', values: ['a'] }] }), ['/ecs/api']);
    const first = await logs.send(new ListLogGroupsCommand({ limit: 2 }));
    assert.equal(first.logGroups?.length, 2);
    assert.equal(first.logGroups?.[0]?.logGroupArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/job');
    assert.equal(first.logGroups?.[0]?.logGroupClass, 'STANDARD');
    const second = await logs.send(new ListLogGroupsCommand({ limit: 2, nextToken: first.nextToken }));
    assert.deepEqual(second.logGroups?.map((g) => g.logGroupName), ['ecs-other']);
    assert.equal(second.nextToken, undefined);
    await rejectsWith(logs.send(new ListLogGroupsCommand({ logGroupNamePattern: 'ab' })), 'InvalidParameterException');
    await rejectsWith(logs.send(new ListLogGroupsCommand({ limit: 1001 })), 'InvalidParameterException');
  });

  it("lists a group's metric and subscription filters: none, as they cannot be created", async () => {
    assert.deepEqual((await logs.send(new DescribeMetricFiltersCommand({ logGroupName: '/ecs/api' }))).metricFilters, []);
    assert.deepEqual((await logs.send(new DescribeMetricFiltersCommand({}))).metricFilters, []);
    assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/ecs/api' }))).subscriptionFilters, []);
    await rejectsWith(logs.send(new DescribeMetricFiltersCommand({ logGroupName: '/nope' })), 'ResourceNotFoundException');
    await rejectsWith(logs.send(new DescribeMetricFiltersCommand({ filterNamePrefix: 'x' })), 'InvalidParameterException');
    await rejectsWith(logs.send(new DescribeMetricFiltersCommand({ metricName: 'Errors' })), 'InvalidParameterException');
    await rejectsWith(logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/nope' })), 'ResourceNotFoundException');
    await rejectsWith(logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/ecs/api', limit: 51 })), 'InvalidParameterException');
  });
});
