import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError } from '../aws/errors.js';
import type { Identity, NodeContext, Outputs } from '../engine/kind.js';
import { stackNames } from '../names.js';
import { firstOf, type StackResourceKind } from './kind.js';
import { assertOwned } from './ownership.js';
import { ignoreNotFound, keyValueTags, needOutput, orGone, retryOn, waitFor } from './common.js';

/**
 * The target group of the API tasks: HTTP on the container port, target type `ip` (awsvpc tasks; `instance`
 * silently registers nothing), health check GET /health, and a 30 s deregistration delay instead of the default
 * 300 s so deployments and deletes do not wait five minutes per task.
 */
export const HEALTH_CHECK_PATH = '/health';
const DEREGISTRATION_DELAY = '30';

async function byArn(ctx: NodeContext, arn: string): Promise<TargetGroup | undefined> {
  const out = await ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
  return out.TargetGroups?.[0];
}

async function byName(ctx: NodeContext): Promise<TargetGroup | undefined> {
  const name = stackNames(ctx.config.stack).targetGroup;
  return orGone(async () => (await ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]);
}

async function delaySet(ctx: NodeContext, arn: string): Promise<boolean> {
  const out = await ctx.clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  return (out.Attributes ?? []).some((a) => a.Key === 'deregistration_delay.timeout_seconds' && a.Value === DEREGISTRATION_DELAY);
}

function outputsOf(tg: TargetGroup): Outputs {
  return { arn: tg.TargetGroupArn ?? '', name: tg.TargetGroupName ?? '', targetType: tg.TargetType ?? '' };
}

export const targetGroupKind: StackResourceKind = firstOf({
  kind: 'target-group',

  async create(ctx) {
    const name = stackNames(ctx.config.stack).targetGroup;
    let tg: TargetGroup | undefined;
    try {
      const out = await ctx.clients.elbv2.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: ctx.config.containerPort,
          VpcId: needOutput(ctx, 'vpc', 'vpcId'),
          TargetType: 'ip',
          HealthCheckProtocol: 'HTTP',
          HealthCheckPath: HEALTH_CHECK_PATH,
          HealthCheckIntervalSeconds: 15,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 3,
          Matcher: { HttpCode: '200' },
          Tags: keyValueTags(ctx),
        }),
      );
      tg = out.TargetGroups?.[0];
    } catch (err) {
      if (!isAwsError(err, 'DuplicateTargetGroupNameException', 'DuplicateTargetGroupName')) throw err;
      tg = await byName(ctx);
    }
    const identity: Identity = { arn: tg?.TargetGroupArn ?? '', name };
    // Adopted after "already exists", or just made: either way, only if it carries the stack's tag.
    await assertOwned(ctx, 'target-group', identity);
    ctx.record({ identity });
    return identity;
  },

  async read(ctx, identity) {
    const arn = identity['arn'] ?? '';
    const tg = await orGone(() => byArn(ctx, arn));
    if (!tg) return undefined;
    const ready = await delaySet(ctx, arn);
    return { state: ready ? 'configured' : 'deregistration delay not set', ready, outputs: outputsOf(tg) };
  },

  async findAll(ctx) {
    const tg = await byName(ctx);
    return tg ? [{ arn: tg.TargetGroupArn ?? '', name: tg.TargetGroupName ?? '' }] : [];
  },

  async waitReady(ctx, identity) {
    const arn = identity['arn'] ?? '';
    const tg = await waitFor(ctx, `target group ${identity['name'] ?? arn} to be visible`, 'quickReady', async () => {
      const t = await byArn(ctx, arn);
      return t ? { done: true, value: t } : { done: false, state: 'not visible yet' };
    });
    if (!(await delaySet(ctx, arn))) {
      await ctx.clients.elbv2.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: DEREGISTRATION_DELAY }] }),
      );
    }
    return outputsOf(tg);
  },

  async delete(ctx, identity) {
    const arn = identity['arn'] ?? '';
    // ResourceInUse while a listener or a service still uses it.
    await retryOn(ctx, `delete target group ${identity['name'] ?? arn}`, 'targetGroupDelete', () =>
      ignoreNotFound(() => ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))),
    );
  },

  async waitGone(ctx, identity) {
    const arn = identity['arn'] ?? '';
    await waitFor(ctx, `target group ${identity['name'] ?? arn} to be deleted`, 'quickGone', async () => {
      const t = await orGone(() => byArn(ctx, arn));
      return t === undefined ? { done: true, value: undefined } : { done: false, state: 'exists' };
    });
  },
});
