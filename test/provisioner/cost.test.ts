import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMonthlyCost } from '../../src/cost.js';
import { priceTable } from '../../src/prices.js';
import { resolveConfig } from '../../src/config.js';

describe('cost estimate', () => {
  it('puts the idle default stack at about $0.13/h and $95/month', () => {
    const e = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1' }));
    assert.ok(e.hourly > 0.12 && e.hourly < 0.14, `hourly ${e.hourly}`);
    assert.ok(e.monthly > 88 && e.monthly < 100, `monthly ${e.monthly}`);
    assert.equal(e.pricesAsOf, priceTable().asOf);
    const sum = e.lines.reduce((s, l) => s + l.monthly, 0);
    assert.ok(Math.abs(sum - e.monthly) < 0.1, 'lines add up to the total');
    assert.ok(e.lines.some((l) => /NAT gateway/.test(l.item) && l.hourly === 0.045));
  });

  it('prices more tasks and ARM differently', () => {
    const one = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1' }));
    const three = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1', desiredCount: 3 }));
    const arm = estimateMonthlyCost(resolveConfig({ stack: 'demo', region: 'us-east-1', cpuArchitecture: 'ARM64' }));
    assert.ok(three.monthly > one.monthly + 15);
    assert.ok(arm.monthly < one.monthly);
  });
});
