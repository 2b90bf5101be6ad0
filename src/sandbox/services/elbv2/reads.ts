/**
 * ELBv2 reads derived from listeners: the rules of a listener and its certificates. The sandbox models listeners
 * with their default actions only, so a listener has exactly one rule, its default rule (priority `default`, no
 * conditions, the listener's default actions), as AWS reports it. CreateRule and the other rule writes are not
 * modelled. See docs/sandbox/elbv2.md.
 */
import { createHash } from 'node:crypto';
import type {
  Certificate,
  DescribeListenerCertificatesInput,
  DescribeListenerCertificatesOutput,
  DescribeRulesInput,
  DescribeRulesOutput,
  Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../errors.js';
import { ResourceType } from '../../model.js';
import { pageAfterKey } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import type { Resource, World } from '../../world.js';
import { checkArn, pageLimits, paginate, required, validation } from './common.js';
import { listeners, type ListenerData } from './model.js';

const listenerNotFound = (): AwsError => new AwsError('ListenerNotFound', 'One or more listeners not found', 400);
const ruleNotFound = (): AwsError => new AwsError('RuleNotFound', 'One or more rules not found', 400);

/** The default rule's ARN: the listener's path under `listener-rule/`, plus a stable id derived from it. */
export function defaultRuleArn(listenerArn: string): string {
  const id = createHash('sha256').update(listenerArn).digest('hex').slice(0, 16);
  return `${listenerArn.replace(':listener/', ':listener-rule/')}/${id}`;
}

function defaultRule(l: Resource<ListenerData>): Rule {
  return { RuleArn: defaultRuleArn(l.data.arn), Priority: 'default', Conditions: [], Actions: l.data.defaultActions, IsDefault: true };
}

function listenerOf(world: World, arn: string): Resource<ListenerData> {
  checkArn('listener', arn);
  const l = world.get<ListenerData>(ResourceType.listener, arn);
  if (!l) throw listenerNotFound();
  return l;
}

const describeRules = op<DescribeRulesInput, DescribeRulesOutput>((input, { world }) => {
  const ruleArns = input.RuleArns ?? [];
  let found: Resource<ListenerData>[];
  if (input.ListenerArn !== undefined && ruleArns.length > 0) {
    throw validation('Listener ARN and rule ARNs cannot be specified at the same time');
  } else if (input.ListenerArn !== undefined) {
    found = [listenerOf(world, input.ListenerArn)];
  } else if (ruleArns.length > 0) {
    const all = listeners(world);
    found = ruleArns.map((arn) => {
      checkArn('rule', arn);
      const l = all.find((x) => defaultRuleArn(x.data.arn) === arn);
      if (!l) throw ruleNotFound();
      return l;
    });
  } else {
    throw validation('You must specify either listener ARN or rule ARNs');
  }
  const { page, next } = paginate([...new Set(found)], input.Marker, input.PageSize);
  return { Rules: page.map(defaultRule), NextMarker: next };
});

/** The default certificate of an HTTPS listener (IsDefault true); an HTTP listener has none. */
const describeListenerCertificates = op<DescribeListenerCertificatesInput, DescribeListenerCertificatesOutput>((input, { world }) => {
  const l = listenerOf(world, required(input.ListenerArn, 'listenerArn'));
  const certificates: Certificate[] = (l.data.certificateArns ?? []).slice(0, 1).map((CertificateArn) => ({ CertificateArn, IsDefault: true }));
  const p = pageAfterKey(certificates, (c) => c.CertificateArn ?? '', input.Marker, input.PageSize, pageLimits);
  return { Certificates: p.items, NextMarker: p.next };
});

export const elbv2ReadHandlers: Record<string, Handler> = {
  DescribeRules: describeRules,
  DescribeListenerCertificates: describeListenerCertificates,
};
