import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import pg from 'pg';
import { PG_HOST, PG_PORT, PG_USER } from '../api/support/backing-services.js';
import { readManifest } from '../../src/engine/manifest.js';
import { clientConfig, eventually } from '../sandbox/helpers.js';
import { runCli, scratchDir, stackArgs, TIME_SCALE } from './cli.js';
import { dataPlaneSuite } from './data-plane-support.js';

/**
 * deploy and logs with the sandbox's data plane: the tasks run the bundled API as real processes against the local
 * PostgreSQL (a fresh database) and Redis, so `logs` shows the API's own JSON lines, and a deploy replaces the
 * running process with a new one that `verify` then proves through the load balancer; a rollout that completes but
 * fails that verify exits 3 with the tier that failed, and the new revision stays.
 */
describe('deploy and logs against a sandbox that runs the API', () => {
  const stack = 'dplane';
  const dir = scratchDir('deploy-plane');
  const manifest = join(dir, `${stack}.json`);
  const suite = dataPlaneSuite(TIME_SCALE);
  let url = '';
  const cli = (args: string[]) => runCli(args, { cwd: dir, timeoutMs: 180_000 });
  const logsArgs = (): string[] => ['logs', '--stack', stack, '--manifest', manifest, '--endpoint-url', suite.sb.endpoint];
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('up runs the API', async () => {
    const r = await cli(['up', ...stackArgs(suite.sb, stack, manifest), '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    url = (JSON.parse(r.stdout) as { localUrl?: string }).localUrl ?? '';
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("logs prints the API's own JSON lines readably, with the task id, and raw with --json", async () => {
    assert.equal((await fetch(`${url}/items`)).status, 200);
    const r = await eventually(async () => {
      const out = await cli(logsArgs());
      return / INFO  request method=GET path=\/items status=200/.test(out.stdout) ? out : undefined;
    }, 30_000, 'the request line of GET /items');
    assert.match(r.stdout, /^\S+Z [0-9a-f]{8} INFO  request method=GET path=\/items status=200/m);
    const json = await cli([...logsArgs(), '--json']);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { taskId: string; message: string });
    const request = lines.find((l) => l.message.includes('"path":"/items"'));
    assert.ok(request, json.stdout.slice(-1000));
    assert.equal((JSON.parse(request.message) as { msg: string }).msg, 'request', 'the message is the line the API wrote');
    assert.match(request.taskId, /^[0-9a-f]{32}$/);
  });

  it('deploy rolls out a new revision and proves it with verify at its end', async () => {
    const r = await cli(['deploy', ...stackArgs(suite.sb, stack, manifest), '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const out = JSON.parse(r.stdout) as { changed: boolean; taskDefinition: string; verify?: { ok?: boolean; steps?: unknown[]; skipped?: string } };
    assert.equal(out.changed, true);
    assert.match(out.taskDefinition, /:2$/);
    assert.equal(out.verify?.ok, true, JSON.stringify(out.verify));
    assert.equal(out.verify?.steps?.length, 6, 'every step of verify ran');
  });

  it('deploy --no-verify leaves verify out', async () => {
    const r = await cli(['deploy', ...stackArgs(suite.sb, stack, manifest), '--force', '--no-verify', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const out = JSON.parse(r.stdout) as { changed: boolean; verify?: { skipped?: string } };
    assert.equal(out.changed, true);
    assert.equal(out.verify?.skipped, 'not run (--no-verify)');
    const v = await cli(['verify', '--stack', stack, '--manifest', manifest, '--endpoint-url', suite.sb.endpoint]);
    assert.equal(v.code, 0, v.stderr.slice(-2000));
  });

  it('a rollout that completes but fails the closing verify: exit 3 with the tier that failed, and the new revision stays', async () => {
    // The items table takes no new rows (a constraint no row meets): /health passes, so the rollout completes, and
    // verify's write fails.
    const db = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: suite.db.name });
    await db.connect();
    try {
      const table = (await db.query<{ name: string }>(`SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_name = 'items'`)).rows;
      assert.equal(table.length, 1, 'the API made its items table');
      const items = table[0]?.name ?? '';
      await db.query(`ALTER TABLE ${items} ADD CONSTRAINT no_new_rows CHECK (false) NOT VALID`);
      try {
        const before = readManifest(manifest)?.resources['task-definition']?.outputs?.['arn'];
        const r = await cli(['deploy', ...stackArgs(suite.sb, stack, manifest), '--json']);
        assert.equal(r.code, 3, r.stderr.slice(-3000));
        const out = JSON.parse(r.stdout) as { changed: boolean; taskDefinition: string; deploymentId?: string; verify?: { ok?: boolean; failed?: { tier: string; step: string; reason: string } } };
        assert.equal(out.changed, true);
        assert.notEqual(out.taskDefinition, before, 'a new revision');
        assert.equal(out.verify?.ok, false, JSON.stringify(out.verify));
        assert.equal(out.verify?.failed?.step, 'write', JSON.stringify(out.verify));
        // The API answers the failed insert with a 500: verify blames the API tier, as it does any unexpected answer.
        assert.equal(out.verify?.failed?.tier, 'API');
        assert.match(out.verify?.failed?.reason ?? '', /unexpected answer 500/);
        // The deployment stays: it completed, it is the service's, and the manifest records no deployment in flight.
        const svc = (await new ECSClient(clientConfig(suite.sb)).send(new DescribeServicesCommand({ cluster: stack, services: [`${stack}-api`] }))).services?.[0];
        const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
        assert.equal(primary?.id, out.deploymentId);
        assert.equal(primary?.rolloutState, 'COMPLETED');
        assert.equal(svc?.taskDefinition, out.taskDefinition);
        const m = readManifest(manifest);
        assert.equal(m?.resources['task-definition']?.outputs?.['arn'], out.taskDefinition, 'recorded as what runs');
        assert.equal(m?.deployment, undefined);
      } finally {
        await db.query(`ALTER TABLE ${items} DROP CONSTRAINT IF EXISTS no_new_rows`);
      }
    } finally {
      await db.end();
    }
  });
});
