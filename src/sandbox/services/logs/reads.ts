/**
 * CloudWatch Logs reads beyond the ones three-tier uses: ListLogGroups (the newer, lighter listing) and the metric
 * and subscription filters of a log group, which are always none (PutMetricFilter and PutSubscriptionFilter are
 * not modelled). See docs/sandbox/logs.md.
 */
import type {
  DescribeMetricFiltersRequest,
  DescribeMetricFiltersResponse,
  DescribeSubscriptionFiltersRequest,
  DescribeSubscriptionFiltersResponse,
  ListLogGroupsRequest,
  ListLogGroupsResponse,
  LogGroupClass,
} from '@aws-sdk/client-cloudwatch-logs';
import { ResourceType } from '../../model.js';
import { pageByOffset } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import { groupOf, invalid, limits, pageOf } from './common.js';
import { logGroupArn, type LogGroupData } from './store.js';

/**
 * logGroupNamePattern: up to five alternatives separated by `|`, each 3-24 characters; `^` anchors one at the start
 * of the name, otherwise it matches anywhere. Case-sensitive.
 */
function namePattern(pattern: string | undefined): ((name: string) => boolean) | undefined {
  if (pattern === undefined) return undefined;
  const alternatives = pattern.split('|');
  if (alternatives.length > 5 || alternatives.some((a) => a.replace(/^\^/, '').length < 3 || a.length > 24)) {
    throw invalid(`Invalid logGroupNamePattern: ${pattern}. Use up to five patterns of 3 to 24 characters separated by |.`);
  }
  return (name) => alternatives.some((a) => (a.startsWith('^') ? name.startsWith(a.slice(1)) : name.includes(a)));
}

const listLogGroups = op<ListLogGroupsRequest, ListLogGroupsResponse>((input, { world }) => {
  const matches = namePattern(input.logGroupNamePattern);
  const tagFilters = input.logGroupTags ?? [];
  const groups = world
    .list<LogGroupData>(ResourceType.logGroup)
    .filter((g) => !world.hiddenByConsistency(g))
    .filter((g) => matches === undefined || matches(g.id))
    .filter((g) => input.logGroupClass === undefined || g.data.logGroupClass === input.logGroupClass)
    .filter((g) => tagFilters.every((f) => f.key !== undefined && f.key in g.tags && (!f.values?.length || f.values.includes(g.tags[f.key] ?? ''))))
    // No log group has field indexes or data sources in the sandbox.
    .filter(() => !input.fieldIndexNames?.length && !input.dataSources?.length)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const p = pageByOffset(groups, input.nextToken, input.limit, { ...limits(1000), default: 50 });
  const out: ListLogGroupsResponse = {
    logGroups: p.items.map((g) => ({ logGroupName: g.id, logGroupArn: logGroupArn(world, g.id), logGroupClass: g.data.logGroupClass as LogGroupClass })),
  };
  if (p.next !== undefined) out.nextToken = p.next;
  return out;
});

const describeMetricFilters = op<DescribeMetricFiltersRequest, DescribeMetricFiltersResponse>((input, { world }) => {
  if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) throw invalid('filterNamePrefix requires logGroupName.');
  if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) throw invalid('metricName and metricNamespace must be specified together.');
  if (input.logGroupName !== undefined) groupOf(world, input.logGroupName);
  const p = pageOf<never>([], input.nextToken, input.limit, 50);
  return { metricFilters: p.items };
});

const describeSubscriptionFilters = op<DescribeSubscriptionFiltersRequest, DescribeSubscriptionFiltersResponse>((input, { world }) => {
  groupOf(world, input.logGroupName);
  const p = pageOf<never>([], input.nextToken, input.limit, 50);
  return { subscriptionFilters: p.items };
});

export const logsReadHandlers: Record<string, Handler> = {
  ListLogGroups: listLogGroups,
  DescribeMetricFilters: describeMetricFilters,
  DescribeSubscriptionFilters: describeSubscriptionFilters,
};
