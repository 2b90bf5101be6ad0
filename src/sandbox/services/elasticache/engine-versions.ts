/**
 * The engines and versions the simulated ElastiCache offers (CreateReplicationGroup accepts them, optionally with a
 * patch level such as 7.1.0; Redis 6 also as `6.x`), and DescribeCacheEngineVersions, which lists them.
 */
import type { CacheEngineVersion, CacheEngineVersionMessage, DescribeCacheEngineVersionsMessage } from '@aws-sdk/client-elasticache';
import { pageByOffset } from '../../paging.js';
import { op, type Handler } from '../../service.js';
import { recordLimits } from '../rds/common.js';

interface Engine {
  description: string;
  /** Oldest first; each with its parameter group family. */
  versions: { version: string; family: string }[];
  default: string;
  /** Other spellings CreateReplicationGroup accepts. */
  aliases: string[];
}

function offered(...pairs: [version: string, family: string][]): Engine['versions'] {
  return pairs.map(([version, family]) => ({ version, family }));
}

export const cacheEngines: Record<string, Engine> = {
  redis: { description: 'Redis', versions: offered(['6.0', 'redis6.x'], ['6.2', 'redis6.x'], ['7.0', 'redis7'], ['7.1', 'redis7']), default: '7.1', aliases: ['6.x'] },
  valkey: { description: 'Valkey', versions: offered(['7.2', 'valkey7'], ['8.0', 'valkey8'], ['8.1', 'valkey8']), default: '8.0', aliases: [] },
};

/** Whether CreateReplicationGroup takes this version of the engine. */
export function acceptsVersion(engine: Engine, version: string): boolean {
  return [...engine.versions.map((v) => v.version), ...engine.aliases].some((v) => version === v || new RegExp(`^${v.replace('.', '\\.')}\\.\\d+$`).test(version));
}

const describeCacheEngineVersions = op<DescribeCacheEngineVersionsMessage, CacheEngineVersionMessage>((input) => {
  let list: CacheEngineVersion[] = [];
  for (const [name, engine] of Object.entries(cacheEngines)) {
    if (input.Engine !== undefined && input.Engine.toLowerCase() !== name) continue;
    let versions = engine.versions.filter(
      (v) =>
        (input.EngineVersion === undefined || v.version === input.EngineVersion) &&
        (input.CacheParameterGroupFamily === undefined || v.family === input.CacheParameterGroupFamily),
    );
    if (input.DefaultOnly === true) versions = versions.filter((v) => v.version === engine.default);
    list = list.concat(
      versions.map((v) => ({
        Engine: name,
        EngineVersion: v.version,
        CacheParameterGroupFamily: v.family,
        CacheEngineDescription: engine.description,
        CacheEngineVersionDescription: `${engine.description} ${v.version}`,
      })),
    );
  }
  const p = pageByOffset(list, input.Marker, input.MaxRecords, recordLimits);
  return { CacheEngineVersions: p.items, Marker: p.next };
});

export const engineVersionHandlers: Record<string, Handler> = {
  DescribeCacheEngineVersions: describeCacheEngineVersions,
};
