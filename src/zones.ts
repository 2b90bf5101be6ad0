import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { ThreeTierError } from './errors.js';
import type { AwsClients } from './aws/clients.js';

/**
 * The two availability zones of the stack: the first two (by name) that the region offers to this account (state
 * available, a standard zone, no opt-in needed). Whether the database and cache classes are offered in those two is
 * not checked yet (aws-facts.md asks for it). Chosen once; the manifest keeps them, so a later run never moves a
 * subnet.
 */
export async function chooseAvailabilityZones(clients: AwsClients): Promise<[string, string]> {
  const out = await clients.ec2.send(
    new DescribeAvailabilityZonesCommand({
      Filters: [
        { Name: 'state', Values: ['available'] },
        { Name: 'zone-type', Values: ['availability-zone'] },
        { Name: 'opt-in-status', Values: ['opt-in-not-required'] },
      ],
    }),
  );
  const names = (out.AvailabilityZones ?? [])
    .filter((z) => z.ZoneName)
    .map((z) => z.ZoneName ?? '')
    .sort();
  const [a, b] = names;
  if (!a || !b) {
    throw new ThreeTierError('NOT_ENOUGH_ZONES', `region ${clients.region} offers ${names.length} availability zone(s) to this account; the stack needs two`, {
      kind: 'usage',
      hints: ['choose another region with --region'],
    });
  }
  return [a, b];
}
