import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, DescribeDBEngineVersionsCommand, RDSClient, type CreateDBInstanceCommandInput } from '@aws-sdk/client-rds';
import type { Sandbox } from '../../src/sandbox/server.js';
import { clientConfig, rejectsWith, sandbox } from './helpers.js';
import { buildNetwork } from './fixtures-network.js';

/**
 * RDS takes only the PostgreSQL versions it offers (a major resolves to its default minor, as DescribeDBEngineVersions
 * names it) and refuses the engine's reserved words as master user names, with RDS's errors. Real SDK client.
 */
describe('sandbox RDS: engine versions and master user names', () => {
  let sb: Sandbox;
  let rds: RDSClient;
  let n = 0;
  const input = (extra: Partial<CreateDBInstanceCommandInput>): CreateDBInstanceCommandInput => ({
    DBInstanceIdentifier: `db-${++n}`,
    DBInstanceClass: 'db.t4g.micro',
    Engine: 'postgres',
    AllocatedStorage: 20,
    MasterUsername: 'app_admin',
    ManageMasterUserPassword: true,
    DBSubnetGroupName: 'versions',
    ...extra,
  });
  const defaultOf = async (major?: string): Promise<string | undefined> =>
    (await rds.send(new DescribeDBEngineVersionsCommand({ Engine: 'postgres', DefaultOnly: true, ...(major ? { EngineVersion: major } : {}) }))).DBEngineVersions?.[0]?.EngineVersion;

  before(async () => {
    sb = await sandbox();
    rds = new RDSClient(clientConfig(sb, { maxAttempts: 1 }));
    const net = buildNetwork(sb.world, 3);
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'versions', DBSubnetGroupDescription: 'v', SubnetIds: net.privateSubnets }));
  });
  after(async () => {
    rds.destroy();
    await sb.close();
  });

  it('a version RDS does not offer is refused; a major resolves to its default minor; none to the default version', async () => {
    for (const v of ['16.99', '15.4', '12', '99', '16.x']) {
      await rejectsWith(rds.send(new CreateDBInstanceCommand(input({ EngineVersion: v }))), 'InvalidParameterCombination', new RegExp(`^Cannot find version ${v.replace('.', '\\.')} for postgres$`));
    }
    const fifteen = await rds.send(new CreateDBInstanceCommand(input({ EngineVersion: '15' })));
    assert.match(fifteen.DBInstance?.EngineVersion ?? '', /^15\.\d+$/);
    assert.equal(fifteen.DBInstance?.EngineVersion, await defaultOf('15'));
    const none = await rds.send(new CreateDBInstanceCommand(input({})));
    assert.equal(none.DBInstance?.EngineVersion, await defaultOf());
    // Every minor listed for 16 is accepted exactly as asked.
    const sixteen = ((await rds.send(new DescribeDBEngineVersionsCommand({ Engine: 'postgres', EngineVersion: '16' }))).DBEngineVersions ?? []).map((v) => v.EngineVersion ?? '');
    assert.ok(sixteen.length > 1);
    for (const v of sixteen) assert.equal((await rds.send(new CreateDBInstanceCommand(input({ EngineVersion: v })))).DBInstance?.EngineVersion, v);
  });

  it("the engine's reserved words are refused as the master user name; postgres is not one", async () => {
    for (const name of ['user', 'admin', 'SELECT', 'rdsadmin', 'current_user']) {
      await rejectsWith(rds.send(new CreateDBInstanceCommand(input({ MasterUsername: name }))), 'InvalidParameterValue', new RegExp(`^MasterUsername ${name} cannot be used as it is a reserved word used by the engine$`));
    }
    const ok = await rds.send(new CreateDBInstanceCommand(input({ MasterUsername: 'postgres' })));
    assert.equal(ok.DBInstance?.MasterUsername, 'postgres');
  });
});
