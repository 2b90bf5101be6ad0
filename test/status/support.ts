import { readManifest } from '../../src/engine/manifest.js';
import { stackStatus, type StackStatus } from '../../src/status/index.js';
import type { Harness } from '../provisioner/harness.js';
import { eventually } from '../sandbox/helpers.js';

/**
 * `stackStatus` against a harness's sandbox, through the real SDK clients over HTTP. `withoutManifest` observes as
 * `status --stack NAME` does when the manifest is lost.
 */
export function statusOf(h: Harness, options: { withoutManifest?: boolean } = {}): Promise<StackStatus> {
  return stackStatus({
    clients: h.clients,
    stack: h.config.stack,
    region: h.config.region,
    manifestPath: h.manifestPath,
    manifest: options.withoutManifest ? undefined : readManifest(h.manifestPath),
  });
}

/** Observe until `check` holds (bounded): the sandbox's simulated time moves on between observations. */
export async function statusWhen(h: Harness, check: (s: StackStatus) => boolean, what: string, timeoutMs = 20_000): Promise<StackStatus> {
  let last: StackStatus | undefined;
  try {
    return await eventually(
      async () => {
        last = await statusOf(h);
        return check(last) ? last : undefined;
      },
      timeoutMs,
      what,
    );
  } catch (err) {
    const summary = last ? `verdict ${last.verdict}: ${last.reasons.join('; ')}; stopped: ${last.service?.stoppedTasks.map((t) => t.reason).join(' | ') ?? '-'}` : 'no status';
    throw new Error(`${(err as Error).message} (last: ${summary})`);
  }
}

export function resource(s: StackStatus, id: string): StackStatus['resources'][number] {
  const r = s.resources.find((x) => x.id === id);
  if (!r) throw new Error(`no resource ${id} in the status`);
  return r;
}
