import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, destroyClients, type AwsClients } from '../../src/aws/clients.js';
import { resolveConfig, type StackConfig, type StackInput } from '../../src/config.js';
import { recordingSink, type EngineEvent, type ResourceEvent } from '../../src/engine/events.js';
import type { Timing } from '../../src/aws/wait.js';
import type { ImageSource } from '../../src/image.js';
import type { DestroyOptions, DestroyResult, UpOptions, UpResult } from '../../src/provisioner.js';
import { destroy, openStack, up } from '../../src/provisioner.js';
import { applyDeploy, planDeploy, type DeployOptions, type DeployPlan, type DeployResult } from '../../src/deploy.js';
import { STACK_TAG } from '../../src/engine/kind.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { control, resources, sandbox, type ListedResource } from '../sandbox/helpers.js';

/**
 * One sandbox, real SDK clients pointed at it, a temporary manifest, a recording sink: what every provisioner
 * integration test starts from. Nothing is mocked: the provisioner's calls go over HTTP through the SDK.
 */
export interface Harness {
  sb: Sandbox;
  clients: AwsClients;
  dir: string;
  manifestPath: string;
  timing: Timing;
  config: StackConfig;
  sink: ReturnType<typeof recordingSink>;
  /** Options for up/destroy; a fresh AbortSignal unless one is given. */
  options(extra?: Partial<UpOptions>): UpOptions;
  up(extra?: Partial<UpOptions>): Promise<UpResult>;
  destroy(extra?: Partial<DestroyOptions>): Promise<DestroyResult>;
  /** `three-tier deploy` as the CLI runs it: the plan, then its apply, in one session. */
  deploy(extra?: Partial<DeployOptions>): Promise<{ plan: DeployPlan; result: DeployResult }>;
  /** Resources tagged with the stack. */
  tagged(): Promise<ListedResource[]>;
  calls(): Promise<{ total: number; operations: Record<string, number> }>;
  faults(f: Record<string, number | null>): Promise<void>;
  resourceEvents(): ResourceEvent[];
  close(): Promise<void>;
}

export const TIME_SCALE = 0.004;

export async function harness(options: { stack?: string; timeScale?: number; input?: Partial<StackInput>; image?: ImageSource; pollMs?: number } = {}): Promise<Harness> {
  const timeScale = options.timeScale ?? TIME_SCALE;
  const sb = await sandbox({ world: { timeScale } });
  const clients = createClients({ region: 'us-east-1', endpoint: sb.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, retryMode: 'standard' });
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-prov-'));
  const stack = options.stack ?? 'demo';
  const config = resolveConfig({ stack, region: 'us-east-1', ...(options.input ?? {}) });
  const manifestPath = join(dir, `${stack}.json`);
  const timing: Timing = { pollMs: options.pollMs ?? 40, scale: timeScale };
  const sink = recordingSink();
  const image: ImageSource = options.image ?? { kind: 'sandbox-push', endpoint: sb.endpoint };
  const h: Harness = {
    sb,
    clients,
    dir,
    manifestPath,
    timing,
    config,
    sink,
    options: (extra = {}) => ({ config, clients, manifestPath, events: sink, signal: new AbortController().signal, timing, image, endpoint: sb.endpoint, ...extra }),
    up: (extra = {}) => up(h.options(extra)),
    destroy: (extra = {}) => destroy(h.options(extra)),
    deploy: async (extra = {}) => {
      const opts = { ...h.options(), ...extra } as DeployOptions;
      const session = openStack(manifestPath, 'deploy');
      try {
        const plan = await planDeploy(session, opts);
        return { plan, result: await applyDeploy(session, plan, opts) };
      } finally {
        session.close();
      }
    },
    tagged: async () => (await resources(sb)).filter((r) => r.tags[STACK_TAG] === stack),
    calls: async () => (await control<{ total: number; operations: Record<string, number> }>(sb, 'GET', '/_sandbox/calls')).body,
    faults: async (f) => {
      await control(sb, 'POST', '/_sandbox/faults', f);
    },
    resourceEvents: () => sink.events.filter((e: EngineEvent): e is ResourceEvent => e.type === 'resource'),
    close: async () => {
      destroyClients(clients);
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Count tagged resources by sandbox type (vpc: 1, subnet: 4, ...). */
export function countByType(list: readonly ListedResource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of list) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}
