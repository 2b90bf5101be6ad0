import { existsSync } from 'node:fs';
import { resolveConfig, stackNameProblem, STACK_NAME_RULE, type StackConfig } from '../../src/config.js';
import { billedResources, costStateOf, type CostState } from '../../src/cost.js';
import { costReport } from '../../src/cost-report.js';
import { usageError } from '../../src/errors.js';
import { readManifest, type PauseRecord } from '../../src/engine/manifest.js';
import { defaultRegion, manifestPathFor } from '../aws-context.js';
import { formatCostReport } from '../render/cost.js';

export interface CostOptions {
  stack?: string;
  region?: string;
  manifest?: string;
  arch?: string;
  tasks?: number;
  json?: boolean;
}

/** The stack the figures are for: a recorded one (its manifest) or a planned one (the flags `up` takes). */
interface Subject {
  config: StackConfig;
  manifestPath?: string;
  present?: ReadonlySet<string>;
  /** Where the recorded stack lives when it is not real AWS (the sandbox or a custom endpoint). */
  endpoint?: string;
  /** A recorded stack's state: running, or paused (three-tier pause) as its manifest says. */
  state?: CostState;
  paused?: PauseRecord;
}

async function subject(opts: CostOptions): Promise<Subject> {
  if (opts.stack !== undefined) {
    const problem = stackNameProblem(opts.stack);
    if (problem) throw usageError('BAD_STACK_NAME', `stack name "${opts.stack}" ${problem}; use ${STACK_NAME_RULE}.`, ['for example: --stack demo']);
  }
  const path = opts.stack !== undefined || opts.manifest !== undefined ? manifestPathFor(opts.stack ?? '', opts.manifest) : undefined;
  if (opts.manifest !== undefined && path !== undefined && !existsSync(path)) {
    throw usageError('MANIFEST_NOT_FOUND', `--manifest ${opts.manifest}: there is no manifest at ${path}.`, [
      'give the path of an existing stack\'s manifest, or leave --manifest out to price a planned stack',
    ]);
  }
  const recorded = path === undefined ? undefined : readManifest(path);
  if (recorded && path !== undefined) {
    if (opts.stack !== undefined && recorded.stack !== opts.stack) {
      throw usageError('MANIFEST_MISMATCH', `the manifest ${path} belongs to stack "${recorded.stack}", not "${opts.stack}".`);
    }
    if (opts.region !== undefined && opts.region !== recorded.region) {
      throw usageError('REGION_MISMATCH', `--region ${opts.region} does not match the region of stack "${recorded.stack}", ${recorded.region} (${path}).`, [
        `leave --region out, or price a planned stack under another name: three-tier cost --stack other --region ${opts.region}`,
      ]);
    }
    const changed = [opts.arch !== undefined ? '--arch' : undefined, opts.tasks !== undefined ? '--tasks' : undefined].filter((f) => f !== undefined);
    if (changed.length > 0) {
      throw usageError(
        'SETTINGS_OF_RECORDED_STACK',
        `${changed.join(' and ')} price a planned stack, but stack "${recorded.stack}" exists (${path}) and is priced with its recorded settings (${recorded.config.cpuArchitecture}, ${recorded.config.desiredCount} task${recorded.config.desiredCount === 1 ? '' : 's'}).`,
        [`leave ${changed.join(' and ')} out, or price a planned stack under a name that has no manifest: three-tier cost --stack other ${changed.join(' ')} ...`],
      );
    }
    const s: Subject = { config: recorded.config, manifestPath: path, present: billedResources(recorded), state: costStateOf(recorded.paused) };
    if (recorded.paused) s.paused = recorded.paused;
    if (recorded.endpoint !== undefined) s.endpoint = recorded.endpoint;
    return s;
  }
  const region = await defaultRegion(opts.region);
  if (region === undefined) {
    throw usageError('MISSING_REGION', 'no AWS region given: pass --region, set AWS_REGION, or set a region in your AWS profile.', ['e.g. three-tier cost --region us-east-1']);
  }
  // The name does not change the price; a planned stack without one is priced as "planned".
  return { config: resolveConfig({ stack: opts.stack ?? 'planned', region, cpuArchitecture: opts.arch, desiredCount: opts.tasks }) };
}

/** `three-tier cost`: the estimate for a recorded or a planned stack. Reads at most a manifest; calls no AWS API. */
export async function runCost(opts: CostOptions): Promise<void> {
  const s = await subject(opts);
  const report = costReport({ config: s.config, ...(s.present === undefined ? {} : { present: s.present }), ...(s.state === undefined ? {} : { state: s.state }) });
  const simulated = s.endpoint !== undefined;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...report, pause: s.paused ?? null, manifest: s.manifestPath ?? null, endpoint: s.endpoint ?? null, simulated })}\n`);
    return;
  }
  process.stdout.write(formatCostReport(report, { manifestPath: s.manifestPath, endpoint: s.endpoint, paused: s.paused }));
}
