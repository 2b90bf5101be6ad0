// The database password rotates under a running API (as RDS rotates its managed master password every 7 days):
// the role's password changes in PostgreSQL and in the secret, the open connections are cut, and /items keeps
// answering because the API reads the secret again when PostgreSQL refuses the old password. Real parts only: a
// private PostgreSQL with scram-sha-256 (the shared one trusts every local connection, so it would accept any
// password) and the sandbox's Secrets Manager reached by the API's real SDK client over HTTP.
import assert from 'node:assert/strict';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, sandbox } from '../sandbox/helpers.js';
import { type ApiProcess, startApi } from './support/api-process.js';
import { isolate } from './support/backing-services.js';
import { client, eventually } from './support/http.js';
import { PrivatePostgres } from './support/private-postgres.js';

const ADMIN_PASSWORD = 'admin-Pw-4f1c9e';
const FIRST = 'first-Pw-8d2b71a5';
const SECOND = 'second-Pw-c03e9f44';
const ROLE = 'tt_app';

const isolation = isolate();
let server: PrivatePostgres;
let admin: pg.Pool;
let sb: Sandbox;
let sm: SecretsManagerClient;
let secretArn: string;
const apis: ApiProcess[] = [];

before(async () => {
  server = await PrivatePostgres.start({ password: ADMIN_PASSWORD });
  admin = server.adminPool(ADMIN_PASSWORD);
  // Idle connections are cut when the server stops at the end.
  admin.on('error', () => {});
  await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${FIRST}'`);
  await admin.query(`GRANT CREATE ON DATABASE postgres TO ${ROLE}`);
  sb = await sandbox();
  sm = new SecretsManagerClient(clientConfig(sb));
  const created = await sm.send(new CreateSecretCommand({ Name: 'rds!db-rotation-test', SecretString: JSON.stringify({ username: ROLE, password: FIRST }) }));
  secretArn = created.ARN ?? '';
});

after(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await admin?.end();
  await server?.stop();
  await sb?.close();
  await isolation.cleanup();
});

/** As the task runs it: the password injected by ECS at start, the secret's ARN, the standard AWS variables. */
function apiEnv(injectedPassword: string): Record<string, string> {
  const { DATABASE_URL: _url, ...env } = isolation.env;
  const config = clientConfig(sb);
  return {
    ...env,
    DB_HOST: '127.0.0.1',
    DB_PORT: String(server.port),
    DB_NAME: 'postgres',
    DB_USER: ROLE,
    DB_PASSWORD: injectedPassword,
    DB_SECRET_ARN: secretArn,
    AWS_ENDPOINT_URL: config.endpoint,
    AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
    // The SDK's notice that its 2027 releases need Node 22 would go to stderr, which the tests keep empty.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

it('keeps answering /items after the password rotates and the connections are cut', async () => {
  const { api, url } = await startApi(apiEnv(FIRST));
  apis.push(api);
  const http = client(url);
  const { id } = (await http.post('/items', { name: 'before the rotation' })).json<{ id: number }>();

  // The rotation, as RDS does it: a new password for the role, then the secret's new current version.
  await admin.query(`ALTER ROLE ${ROLE} PASSWORD '${SECOND}'`);
  await sm.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: ROLE, password: SECOND }) }));
  // Connections opened with the old password stay up after a rotation; cutting them makes the API open new ones.
  const cut = (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [ROLE])).rowCount ?? 0;
  assert.ok(cut > 0, 'the API had connections open');
  // Once its pool has seen them go (a request sent meanwhile would meet a closed connection, a plain 503).
  assert.ok(await eventually(async () => api.logs().filter((l) => l.msg === 'database connection lost').length >= cut, 10_000, 20));

  const read = await http.get(`/items/${id}`);
  assert.equal(read.status, 200, `${read.text}\n${api.allOutput()}`);
  assert.equal(read.json<{ name: string }>().name, 'before the rotation');
  assert.equal((await http.post('/items', { name: 'after the rotation' })).status, 201);
  assert.ok(await eventually(async () => (await http.get('/health')).status === 200, 10_000), 'healthy after the rotation');
  await api.waitForLog((l) => l.msg === 'database password changed in Secrets Manager, reconnecting');
  const output = api.allOutput();
  for (const password of [FIRST, SECOND]) assert.ok(!output.includes(password), 'no password in the output');
  assert.deepEqual(api.stderr, []);
});

it('a task started with a stale injected password reads the current one from the secret at start', async () => {
  const { api, url } = await startApi(apiEnv(FIRST));
  apis.push(api);
  const list = await client(url).get('/items');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json<{ items: { name: string }[] }>().items.map((i) => i.name), ['before the rotation', 'after the rotation']);
  assert.ok(api.logs().some((l) => l.msg === 'database password read from Secrets Manager'));
});

it('without the secret (unreadable), DB_PASSWORD is the fallback', async () => {
  const { api, url } = await startApi({ ...apiEnv(SECOND), DB_SECRET_ARN: `${secretArn.slice(0, -6)}XXXXXX` });
  apis.push(api);
  assert.equal((await client(url).get('/items')).status, 200);
  assert.ok(api.logs().some((l) => l.msg === 'database secret could not be read, using DB_PASSWORD'));
});
