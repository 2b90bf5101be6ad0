import type { Filter } from '@aws-sdk/client-ec2';
import type { Resource, World } from '../../world.js';
import { applyFilters, paginate, selectByIds, type FilterGetters, type Kind } from './common.js';

/**
 * The one way an EC2 Describe* call of a resource kind answers: the resources its ids name (each must exist) or all
 * of them, narrowed by the filters (the kind's own names, plus `tag:<key>`, `tag-key` and `tag-value` on the
 * resource's tags), one page of them in creation order.
 */
/** The members every such Describe request has (NAT gateways spell theirs `Filter`). */
export interface DescribeRequest {
  Filters?: Filter[] | undefined;
  Filter?: Filter[] | undefined;
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
}

export interface DescribeOptions {
  /** The MaxResults range of the operation (AWS: 5..1000 for most, 5..100 for route tables). */
  range?: [number, number];
}

export function describeResources<D>(
  world: World,
  kind: Kind,
  ids: string[] | undefined,
  request: DescribeRequest,
  filters: FilterGetters<Resource<D>>,
  options: DescribeOptions = {},
): { page: Resource<D>[]; NextToken?: string } {
  const selected = selectByIds<D>(world, kind, ids);
  const matching = applyFilters(selected, request.Filters ?? request.Filter, filters, (r) => r.tags);
  return paginate(matching, request.MaxResults, request.NextToken, options.range);
}
