import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paint, wantsColor } from '../../cli/render/color.js';
import { diagram } from '../../cli/render/diagram.js';
import { formatStatus, shortId } from '../../cli/render/status.js';
import type { StackStatus } from '../../src/status/model.js';

/**
 * The status text and its diagram: boxes coloured by health on a terminal, plain words without one or with
 * NO_COLOR, so that nothing is said by colour alone. A status value is built here by hand: rendering is a pure
 * function of it (the values themselves come from the sandbox in the other status tests).
 */
function status(over: Partial<StackStatus> = {}): StackStatus {
  return {
    stack: 'demo',
    region: 'eu-west-1',
    account: '123456789012',
    manifestPath: '/tmp/.three-tier/demo.json',
    foundBy: 'manifest',
    observedAt: '2026-01-01T00:00:00.000Z',
    verdict: 'degraded',
    reasons: ['1 of 1 target(s) unhealthy'],
    url: 'http://demo-alb-1.eu-west-1.elb.amazonaws.com',
    resources: [{ id: 'database', kind: 'db-instance', title: 'RDS', awsId: 'demo-db', state: 'available', health: 'ok' }],
    targets: [{ id: '10.0.32.4', port: 3000, state: 'unhealthy', reason: 'Target.Timeout' }],
    tiers: { alb: 'ok', ecs: 'failed', rds: 'ok', redis: 'pending' },
    diagnoses: [{ code: 'SG_CHAIN', cause: 'health checks time out', fix: 'allow 3000 from the alb group' }],
    drift: [],
    leaks: [],
    cost: { hourly: 0.1, monthly: 73, fullHourly: 0.13, fullMonthly: 95.27, partial: true, lines: [{ item: 'NAT gateway', hourly: 0, monthly: 0, billed: false, note: 'not there' }], leaksHourly: 0, leaksMonthly: 0, pricesAsOf: '2026-01', pricesRegion: 'eu-west-1', excludes: ['data transfer'], notes: ['AWS starts a stopped RDS instance again after 7 days.'] },
    errors: [],
    service: { name: 'demo-api', status: 'ACTIVE', running: 1, desired: 2, pending: 1, deployments: [], events: [], stoppedTasks: [], health: 'failed' },
    ...over,
  };
}

describe('status rendering', () => {
  it('draws the tiers with each box named by its health, plain when there is no colour', () => {
    const lines = diagram(status(), paint(false));
    assert.deepEqual(lines, ['Internet --> [ ALB ok ] --> [ ECS 1/2 failing ] --+--> [ RDS ok ]', '                                                  +--> [ Redis starting ]']);
  });

  it('colours each box by its health on a terminal', () => {
    const [head, tail] = diagram(status(), paint(true));
    assert.ok(head?.includes('\x1b[32m[ ALB ok ]\x1b[0m'), head);
    assert.ok(head?.includes('\x1b[31m[ ECS 1/2 failing ]\x1b[0m'), head);
    assert.ok(tail?.includes('\x1b[33m[ Redis starting ]\x1b[0m'), tail);
    // The branch to Redis starts under the one to RDS, whatever the colour codes add.
    const visible = (l: string | undefined): string => (l ?? '').replace(/\x1b\[[0-9;]*m/g, '');
    assert.equal(visible(tail).indexOf('+--> '), visible(head).indexOf('+--> '));
  });

  it('colours only for a terminal without NO_COLOR', () => {
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({}, {}), false);
  });

  it('prints the verdict, its reasons, the fix and the partial cost', () => {
    const text = formatStatus(status(), paint(false));
    assert.match(text, /^Stack demo: degraded {2}\(region eu-west-1, account 123456789012, AWS\)\n {2}- 1 of 1 target\(s\) unhealthy\n/);
    assert.match(text, /10\.0\.32\.4:3000 unhealthy Target\.Timeout/);
    assert.match(text, /What is wrong and how to fix it:\n {2}- health checks time out\n {4}fix: allow 3000 from the alb group/);
    assert.match(text, /Cost now: \$0\.1000\/hour, about \$73\.00\/month .*\n {2}less than the whole stack \(\$0\.1300\/hour, \$95\.27\/month\): NAT gateway: not there/);
    assert.match(text, /\n {2}AWS starts a stopped RDS instance again after 7 days\.\n/);
  });

  it('says when the stack was found by its tags and when a change is in progress', () => {
    const text = formatStatus(status({ foundBy: 'tags', lock: { path: '/x.lock', pid: 42, host: 'h', command: 'up', since: 't' } }), paint(false));
    assert.match(text, /No manifest at \/tmp\/\.three-tier\/demo\.json: found by its three-tier:stack tag in eu-west-1\./);
    assert.match(text, /A change is in progress: a three-tier up \(pid 42 on h, since t\) holds the lock\./);
  });

  it('shortens AWS ids for the table', () => {
    assert.equal(shortId('arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/demo-alb/abc'), 'demo-alb/abc');
    assert.equal(shortId(`1.dkr.ecr.us-east-1.amazonaws.com/demo-api@sha256:${'a'.repeat(64)}`), 'demo-api@sha256:aaaaaaaaaaaa');
    assert.equal(shortId(undefined), '-');
  });
});
