import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, subnetCidrs, STACK_NAME_MAX } from '../../src/config.js';
import { ThreeTierError } from '../../src/errors.js';

describe('resolveConfig', () => {
  it('fills the defaults of the seed architecture', () => {
    const c = resolveConfig({ stack: 'demo', region: 'eu-west-1' });
    assert.equal(c.vpcCidr, '10.0.0.0/16');
    assert.equal(c.cpuArchitecture, 'X86_64');
    assert.deepEqual(subnetCidrs(c.vpcCidr), { public: ['10.0.0.0/20', '10.0.16.0/20'], private: ['10.0.32.0/20', '10.0.48.0/20'] });
  });

  const bad: [string, Parameters<typeof resolveConfig>[0], RegExp][] = [
    ['empty name', { stack: '', region: 'us-east-1' }, /stack name "" is empty/],
    ['name with a digit first', { stack: '1demo', region: 'us-east-1' }, /"1demo" does not start with a lowercase letter/],
    ['uppercase name', { stack: 'Demo', region: 'us-east-1' }, /"Demo" does not start with a lowercase letter/],
    ['underscore', { stack: 'my_stack', region: 'us-east-1' }, /"my_stack" has characters other than/],
    ['double hyphen', { stack: 'a--b', region: 'us-east-1' }, /"a--b" contains "--"/],
    ['trailing hyphen', { stack: 'demo-', region: 'us-east-1' }, /"demo-" ends with a hyphen/],
    ['too long', { stack: 'a'.repeat(STACK_NAME_MAX + 1), region: 'us-east-1' }, new RegExp(`is ${STACK_NAME_MAX + 1} characters long`)],
    ['bad region', { stack: 'demo', region: 'mars-1' }, /region "mars-1" is not an AWS region name/],
    ['bad image', { stack: 'demo', region: 'us-east-1', image: 'Not An Image' }, /image "Not An Image" is not an image reference/],
    ['public CIDR', { stack: 'demo', region: 'us-east-1', vpcCidr: '8.8.0.0/16' }, /"8\.8\.0\.0\/16" is not in a private range/],
    ['host bits', { stack: 'demo', region: 'us-east-1', vpcCidr: '10.0.0.1/16' }, /host bits set/],
    ['too small', { stack: 'demo', region: 'us-east-1', vpcCidr: '10.0.0.0/26' }, /prefix \/26/],
    ['not a CIDR', { stack: 'demo', region: 'us-east-1', vpcCidr: '10.0.0.0' }, /is not an IPv4 CIDR block/],
    ['bad arch', { stack: 'demo', region: 'us-east-1', cpuArchitecture: 'amd64' }, /--arch "amd64" is not X86_64 or ARM64/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name} as a usage error naming the value`, () => {
      assert.throws(() => resolveConfig(input), (e: unknown) => e instanceof ThreeTierError && e.kind === 'usage' && message.test(e.message));
    });
  }

  it('accepts an ECR image by tag and by digest', () => {
    const uri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-api';
    assert.equal(resolveConfig({ stack: 'demo', region: 'us-east-1', image: `${uri}:1.0` }).image, `${uri}:1.0`);
    assert.ok(resolveConfig({ stack: 'demo', region: 'us-east-1', image: `${uri}@sha256:${'a'.repeat(64)}` }).image);
  });
});
