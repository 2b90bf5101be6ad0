import type { SandboxService } from '../service.js';
import { installInstances, instanceHandlers, instancesUsing } from './rds/instances.js';
import { snapshotHandlers } from './rds/snapshots.js';
import { subnetGroupHandlers } from './rds/subnet-groups.js';
import { tagHandlers } from './rds/tags.js';
import { engineVersionHandlers } from './rds/engine-versions.js';
import { snapshotAttributeHandlers } from './rds/snapshot-attributes.js';
import { orderableHandlers } from './rds/orderable.js';

/**
 * RDS (awsQuery): DB subnet groups, PostgreSQL DB instances, their manual snapshots, with their network interfaces and the master
 * password RDS manages in Secrets Manager. The promises are in docs/sandbox/rds.md.
 */
export const rds: SandboxService = {
  name: 'rds',
  protocol: 'query',
  version: '2014-10-31', xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
  loadClient: () => import('@aws-sdk/client-rds') as Promise<Record<string, unknown>>,
  handlers: {
    ...subnetGroupHandlers(instancesUsing),
    ...instanceHandlers,
    ...snapshotHandlers,
    ...tagHandlers,
    ...engineVersionHandlers,
    ...snapshotAttributeHandlers,
    ...orderableHandlers,
  },
  install: installInstances,
};
