/**
 * DescribeDBEngineVersions: the PostgreSQL versions the sandbox's CreateDBInstance accepts (every minor RDS offers
 * for new instances, src/sandbox/services/rds/postgres-versions.ts), in the shape RDS describes them. Other engines
 * are not offered, so they list nothing. See docs/sandbox/rds.md.
 */
import type { DBEngineVersion, DBEngineVersionMessage, DescribeDBEngineVersionsMessage } from '@aws-sdk/client-rds';
import { pageByOffset } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import { invalidValue, recordLimits, required } from './common.js';
import { POSTGRES_VERSIONS, postgresMajors } from './postgres-versions.js';

const ENGINE = 'postgres';

interface Offered {
  version: string;
  major: string;
  family: string;
}

/** Every version offered, oldest first. */
export function offered(): Offered[] {
  return postgresMajors().flatMap((major) => (POSTGRES_VERSIONS[major] ?? []).map((version) => ({ version, major, family: `${ENGINE}${major}` })));
}

const newer = (a: Offered, b: Offered): boolean => Number(a.major) > Number(b.major) || (a.major === b.major && Number(a.version.split('.')[1]) > Number(b.version.split('.')[1]));

function describe(v: Offered, all: Offered[]): DBEngineVersion {
  return {
    Engine: ENGINE,
    EngineVersion: v.version,
    MajorEngineVersion: v.major,
    DBParameterGroupFamily: v.family,
    DBEngineDescription: 'PostgreSQL',
    DBEngineVersionDescription: `PostgreSQL ${v.version}-R1`,
    ValidUpgradeTarget: all
      .filter((t) => newer(t, v))
      .map((t) => ({ Engine: ENGINE, EngineVersion: t.version, Description: `PostgreSQL ${t.version}-R1`, AutoUpgrade: false, IsMajorVersionUpgrade: t.major !== v.major })),
    ExportableLogTypes: ['postgresql', 'upgrade'],
    SupportsLogExportsToCloudwatchLogs: true,
    SupportsReadReplica: true,
    SupportedEngineModes: ['provisioned'],
    Status: 'available',
    SupportsParallelQuery: false,
    SupportsGlobalDatabases: false,
    TagList: [],
  };
}

/** A version given as `16` names the major; `16.8` the exact version. */
function versionMatches(asked: string, v: Offered): boolean {
  return asked === v.version || asked === v.major;
}

const FILTERS: Record<string, (v: Offered) => string[]> = {
  'db-parameter-group-family': (v) => [v.family],
  engine: () => [ENGINE],
  'engine-mode': () => ['provisioned'],
  'engine-version': (v) => [v.version, v.major],
  status: () => ['available'],
};

const describeDBEngineVersions = op<DescribeDBEngineVersionsMessage, DBEngineVersionMessage>((input) => {
  const all = offered();
  let list = all.filter(
    (v) =>
      (input.Engine === undefined || input.Engine === ENGINE) &&
      (input.EngineVersion === undefined || versionMatches(input.EngineVersion, v)) &&
      (input.DBParameterGroupFamily === undefined || input.DBParameterGroupFamily === v.family),
  );
  for (const f of input.Filters ?? []) {
    const name = required(f.Name, 'Filters.Filter.Name');
    const get = FILTERS[name];
    if (!get) throw invalidValue(`Unrecognized filter name: ${name}`);
    const values = f.Values ?? [];
    list = list.filter((v) => get(v).some((x) => values.includes(x)));
  }
  // DefaultOnly: the default version of the engine (its newest major's newest minor), or of the major asked for.
  if (input.DefaultOnly === true && list.length > 0) list = [list[list.length - 1] as Offered];
  const p = pageByOffset(list, input.Marker, input.MaxRecords, recordLimits);
  return { DBEngineVersions: p.items.map((v) => describe(v, all)), Marker: p.next };
});

export const engineVersionHandlers: Record<string, Handler> = {
  DescribeDBEngineVersions: describeDBEngineVersions,
};
