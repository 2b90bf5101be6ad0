/**
 * DescribeOrderableDBInstanceOptions: for each PostgreSQL version, instance class and storage type the sandbox's
 * CreateDBInstance accepts, the availability zones (by name) that offer the class (src/sandbox/offerings.ts). RDS
 * answers one option per engine version, class, license model and storage type; Engine is required. See
 * docs/sandbox/rds.md.
 */
import type { DescribeOrderableDBInstanceOptionsMessage, OrderableDBInstanceOption, OrderableDBInstanceOptionsMessage } from '@aws-sdk/client-rds';
import { zonesOffering } from '../../offerings.js';
import { pageByOffset, type PageLimits } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import type { World } from '../../world.js';
import { invalidValue, recordLimits, required } from './common.js';
import { offered } from './engine-versions.js';
import { INSTANCE_CLASSES } from './instances.js';

const LICENSE = 'postgresql-license';
/** Storage types with RDS's size limits for PostgreSQL (GiB). */
const STORAGE: { type: string; min: number; max: number; iops: boolean; throughput: boolean }[] = [
  { type: 'gp2', min: 20, max: 65536, iops: false, throughput: false },
  { type: 'gp3', min: 20, max: 65536, iops: true, throughput: true },
  { type: 'io1', min: 100, max: 65536, iops: true, throughput: false },
];

/** DescribeOrderableDBInstanceOptions takes MaxRecords 20-1000 (default 100). */
const orderableLimits: PageLimits = { ...recordLimits, max: 1000, badSize: (n) => invalidValue(`Invalid value ${n} for MaxRecords. Must be between 20 and 1000`) };

function option(world: World, version: string, instanceClass: string, zones: string[], s: (typeof STORAGE)[number]): OrderableDBInstanceOption {
  return {
    Engine: 'postgres',
    EngineVersion: version,
    DBInstanceClass: instanceClass,
    LicenseModel: LICENSE,
    AvailabilityZoneGroup: world.config.region,
    AvailabilityZones: zones.map((Name) => ({ Name })),
    MultiAZCapable: true,
    ReadReplicaCapable: true,
    Vpc: true,
    SupportsStorageEncryption: true,
    StorageType: s.type,
    SupportsIops: s.iops,
    SupportsStorageThroughput: s.throughput,
    SupportsEnhancedMonitoring: true,
    SupportsIAMDatabaseAuthentication: true,
    SupportsPerformanceInsights: true,
    MinStorageSize: s.min,
    MaxStorageSize: s.max,
    SupportedEngineModes: ['provisioned'],
    SupportsStorageAutoscaling: true,
    SupportsKerberosAuthentication: true,
    OutpostCapable: false,
    SupportsGlobalDatabases: false,
    SupportedNetworkTypes: ['IPV4', 'DUAL'],
    SupportsClusters: false,
  };
}

const describeOrderable = op<DescribeOrderableDBInstanceOptionsMessage, OrderableDBInstanceOptionsMessage>((input, { world }) => {
  const engine = required(input.Engine, 'Engine');
  const all: OrderableDBInstanceOption[] = [];
  if (engine === 'postgres' && (input.LicenseModel === undefined || input.LicenseModel === LICENSE) && input.Vpc !== false) {
    const classes = [...INSTANCE_CLASSES].sort();
    // The zones offering a class are the same for every version and storage type: look them up once per class.
    const zonesOf = new Map(classes.map((c) => [c, zonesOffering(world, c)]));
    for (const v of offered()) {
      if (input.EngineVersion !== undefined && input.EngineVersion !== v.version) continue;
      for (const c of classes) {
        if (input.DBInstanceClass !== undefined && input.DBInstanceClass !== c) continue;
        const zones = zonesOf.get(c)!;
        for (const s of STORAGE) all.push(option(world, v.version, c, zones, s));
      }
    }
  }
  const list = input.AvailabilityZoneGroup === undefined ? all : all.filter((o) => o.AvailabilityZoneGroup === input.AvailabilityZoneGroup);
  const p = pageByOffset(list, input.Marker, input.MaxRecords, orderableLimits);
  return p.next === undefined ? { OrderableDBInstanceOptions: p.items } : { OrderableDBInstanceOptions: p.items, Marker: p.next };
});

export const orderableHandlers: Record<string, Handler> = {
  DescribeOrderableDBInstanceOptions: describeOrderable,
};
