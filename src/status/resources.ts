import type { DriftItem, Health, ResourceView } from './model.js';
import type { Expected } from './expected.js';
import { recordedIdentity } from './expected.js';
import type { Observation } from './observe.js';
import type { TaggedEc2 } from './observe-ec2.js';
import { EC2_KINDS, evaluateEc2, matchEc2 } from './nodes-ec2.js';
import { evaluateNamed } from './nodes-named.js';

/**
 * Every node of the stack graph, compared with what the manifest recorded: there as recorded, deleted outside
 * three-tier (drift), replaced by another of the same name (drift), not created yet (a half-built stack), paused
 * on purpose, or found although the manifest does not know it (with no manifest, that is how the stack is found).
 */
const NAMED_ID_KEY: Record<string, string> = {
  'load-balancer': 'arn',
  'target-group': 'arn',
  listener: 'arn',
  'db-subnet-group': 'name',
  'db-instance': 'identifier',
  'cache-subnet-group': 'name',
  'replication-group': 'id',
  'ecr-repository': 'name',
  image: 'uri',
  'log-group': 'name',
  'iam-role': 'name',
  secret: 'arn',
  'ecs-cluster': 'name',
  'task-definition': 'arn',
  'ecs-service': 'arn',
};

export interface Unrecorded {
  id: string;
  kind: string;
  awsId: string;
}

export interface ResourceFindings {
  resources: ResourceView[];
  drift: DriftItem[];
  /** Found live, not in the manifest (only when there is a manifest): `up` adopts them; they are billed meanwhile. */
  unrecorded: Unrecorded[];
  /** The live EC2 resource of each EC2 node. */
  ec2: Map<string, TaggedEc2>;
}

function recordedId(e: Expected, id: string, kind: string): string | undefined {
  const key = EC2_KINDS[kind]?.idKey ?? NAMED_ID_KEY[kind];
  const v = key ? recordedIdentity(e, id)?.[key] : undefined;
  return v === '' ? undefined : v;
}

export function resourceFindings(e: Expected, o: Observation, serviceHealth: Health, changing: boolean): ResourceFindings {
  const ec2 = matchEc2(e, o);
  const resources: ResourceView[] = [];
  const drift: DriftItem[] = [];
  const unrecorded: Unrecorded[] = [];
  for (const node of e.nodes) {
    const kind = node.kind.kind;
    const outcome = EC2_KINDS[kind] ? evaluateEc2(e, o, node.id, kind, ec2) : evaluateNamed(e, o, node.id, kind, ec2, serviceHealth);
    const recorded = recordedId(e, node.id, kind);
    const view: ResourceView = { id: node.id, kind, title: node.title, state: 'unknown', health: 'unknown' };
    const foreign = o.foreign.find((f) => f.resource === node.id);
    if (outcome.live.state === 'seen') {
      const live = outcome.live.value;
      Object.assign(view, { awsId: live.awsId, state: live.state, health: live.health }, live.detail ? { detail: live.detail } : {});
      if (e.manifest?.resources[node.id]?.status === 'creating') {
        // Its create has not finished (rules, routes or associations are still being added, or a run stopped
        // half-way): what is missing is work to do, not a change made outside three-tier.
        if (outcome.drift.length) Object.assign(view, { state: 'being created', health: 'pending' });
        else if (view.health === 'ok') view.health = 'pending';
        view.detail = changing ? 'the command in progress is making it' : 'its create did not finish: `three-tier up` finishes it';
      } else drift.push(...outcome.drift);
      if (recorded !== undefined && recorded !== live.awsId) {
        drift.push({ resource: node.id, awsId: live.awsId, change: 'replaced', what: `the ${kind} ${recorded} was replaced by ${live.awsId} outside three-tier`, fix: 'run `three-tier up`: it adopts the new one (or destroy and up for a clean stack)' });
      } else if (recorded === undefined && e.manifest && kind !== 'image' && kind !== 'task-definition') {
        unrecorded.push({ id: node.id, kind, awsId: live.awsId });
        view.detail = `${view.detail ? `${view.detail}; ` : ''}${changing ? 'not in the manifest yet (the command in progress records it)' : 'not in the manifest (up adopts it)'}`;
      }
    } else if (outcome.live.state === 'gone') {
      if (e.paused.has(node.id)) Object.assign(view, { state: 'paused', health: 'paused' });
      else if (recorded !== undefined) {
        Object.assign(view, { awsId: recorded, state: 'deleted', health: 'missing' });
        drift.push({ resource: node.id, awsId: recorded, change: 'deleted', what: `the ${kind} ${recorded} (${node.title}) was deleted outside three-tier`, fix: 'run `three-tier up`: it creates it again' });
      } else Object.assign(view, { state: 'not created', health: 'absent' });
    }
    if (foreign) {
      view.detail = `a ${kind} named ${foreign.name} exists but is not this stack's (no three-tier:stack tag)`;
      if (view.health === 'absent') view.health = 'failed';
    }
    resources.push(view);
  }
  return { resources, drift, unrecorded, ec2 };
}
