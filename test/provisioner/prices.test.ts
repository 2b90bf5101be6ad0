import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePriceTable, priceOrigin, priceTable, pricedRegions, pricesFor } from '../../src/prices.js';
import { ThreeTierError } from '../../src/errors.js';

describe('price table', () => {
  it('ships figures for the five regions, dated, each confirmed with a source or an estimate with its guess', () => {
    const table = priceTable();
    assert.match(table.asOf, /^\d{4}-\d{2}/);
    for (const r of ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']) assert.ok(pricedRegions().includes(r), r);
    const nat = pricesFor('ap-southeast-1').prices.natGatewayHour;
    assert.equal(nat.status, 'confirmed');
    assert.match(priceOrigin(nat), /^source: .*Price List API for ap-southeast-1/);
    const frankfurtTask = pricesFor('eu-central-1').prices.fargate.X86_64.vcpuHour;
    assert.equal(frankfurtTask.status, 'estimate');
    assert.match(priceOrigin(frankfurtTask), /^estimate: .*London/);
  });

  it('falls back to its fallback region, saying so', () => {
    const p = pricesFor('sa-east-1');
    assert.equal(p.pricesRegion, 'us-east-1');
    assert.equal(p.fallback?.from, 'sa-east-1');
    assert.equal(pricesFor('eu-west-1').fallback, undefined);
  });

  const good = () => structuredClone(priceTable()) as unknown as { regions: Record<string, Record<string, unknown>>; sources: Record<string, string> };
  const rejects = (raw: unknown, message: RegExp) => {
    assert.throws(
      () => parsePriceTable(raw, 'test.json'),
      (e: unknown) => e instanceof ThreeTierError && e.code === 'PRICE_TABLE_INVALID' && message.test(e.message),
    );
  };

  it('rejects a confirmed figure whose source it does not define', () => {
    const t = good();
    const use1 = t.regions['us-east-1'];
    assert.ok(use1);
    use1['albHour'] = { usd: 0.0225, status: 'confirmed', source: 'nowhere' };
    rejects(t, /regions\.us-east-1\.albHour: names source "nowhere"/);
  });

  it('rejects a region without a required figure or class, and a negative price', () => {
    const t = good();
    delete t.regions['eu-west-1']?.['secretMonth'];
    rejects(t, /regions\.eu-west-1\.secretMonth/);
    const u = good();
    const rds = u.regions['us-west-2']?.['rdsInstanceHour'] as Record<string, unknown>;
    delete rds['db.t3.micro'];
    rejects(u, /us-west-2\.rdsInstanceHour: has no db\.t3\.micro/);
    const v = good();
    const frankfurt = v.regions['eu-central-1'];
    assert.ok(frankfurt);
    frankfurt['natGatewayHour'] = { usd: -1, status: 'estimate', guess: 'eu-nat-range' };
    rejects(v, /eu-central-1\.natGatewayHour/);
  });
});
