import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { valueLines, type ValueQuestion } from '../../cli/prompts.js';
import { regionQuestion } from '../../cli/questions.js';
import { stackNameProblem } from '../../src/config.js';
import { KNOWN_REGIONS, OPT_IN_REGIONS } from '../../src/regions.js';

/** What a prompt lists under what has been typed; Enter takes the first line that can be picked (test/e2e/interactive types into the real one). */
const pickable = (lines: ReturnType<typeof valueLines>) => lines.filter((l) => !l.disabled).map((l) => l.value);

describe('prompts that check a value as it is typed', () => {
  const stack: ValueQuestion = {
    default: 'demo',
    offered: [{ value: 'shop', description: 'exists here' }],
    problem: (v) => stackNameProblem(v),
    hint: 'type a name',
  };

  it('offers the default first, then what exists, when nothing is typed', () => {
    const lines = valueLines('', stack);
    assert.deepEqual(pickable(lines), ['demo', 'shop']);
    assert.match(lines[0]?.description ?? '', /the default: press Enter/);
  });

  it('takes a valid new value, and lists the offered ones that contain it', () => {
    assert.deepEqual(pickable(valueLines('sh', stack)), ['sh', 'shop']);
    assert.deepEqual(pickable(valueLines('shop', stack)), ['shop']);
  });

  it('refuses a bad value with what is wrong, leaving nothing Enter could take', () => {
    const lines = valueLines('Bad_Name', stack);
    assert.deepEqual(pickable(lines), []);
    assert.equal(lines[0]?.name, '"Bad_Name"');
    assert.equal(lines[0]?.disabled, 'does not start with a lowercase letter');
  });

  it('shows what to type, and nothing to take, when there is no default and nothing typed', () => {
    const lines = valueLines('  ', { problem: () => undefined, hint: 'type the image URI' });
    assert.deepEqual(pickable(lines), []);
    assert.equal(lines[0]?.name, 'type the image URI');
  });
});

describe('the region prompt', () => {
  const regions = regionQuestion('eu-central-1');

  it('offers every known region, the default first, and marks the opt-in ones', () => {
    const lines = valueLines('', regions);
    assert.equal(lines[0]?.value, 'eu-central-1');
    assert.deepEqual([...pickable(lines)].sort(), [...KNOWN_REGIONS].sort());
    for (const l of lines) assert.equal(/opt-in region/.test(l.description ?? ''), OPT_IN_REGIONS.has(l.value), l.value);
  });

  it('searches as you type: a part of a name lists what it matches, a name that matches nothing is refused', () => {
    assert.deepEqual(pickable(valueLines('eu-west-', regions)), ['eu-west-1', 'eu-west-2', 'eu-west-3']);
    const refused = valueLines('us-east-9', regions);
    assert.deepEqual(pickable(refused), []);
    assert.match(refused[0]?.disabled ?? '', /^is not a region AWS offers \(as of [0-9-]+\); did you mean us-east-1/);
  });

  it('has no default for a region it does not know (a typo in AWS_REGION)', () => {
    assert.equal(regionQuestion('us-east-9').default, undefined);
  });
});
