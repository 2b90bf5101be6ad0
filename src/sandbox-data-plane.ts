/**
 * What three-tier asks a sandbox's data plane, over its control route (GET /_sandbox/data-plane): whether it runs
 * the workload, and where each load balancer answers on this machine. Only ever asked of a sandbox on loopback: a
 * stack on AWS never calls it (its URL is its DNS name).
 */
import { z } from 'zod';
import { isLoopbackHost } from './sandbox/dataplane/config.js';

const answerSchema = z.object({
  enabled: z.boolean(),
  loadBalancers: z.array(z.object({ loadBalancerArn: z.string(), dnsName: z.string(), url: z.string() })),
});

export type DataPlaneAnswer = z.infer<typeof answerSchema>;

function isLoopback(endpoint: string): boolean {
  try {
    return isLoopbackHost(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** The data plane of the sandbox at `endpoint`; undefined when it is not a sandbox on loopback or has none. */
export async function readDataPlane(endpoint: string | undefined, signal?: AbortSignal): Promise<DataPlaneAnswer | undefined> {
  if (endpoint === undefined || !isLoopback(endpoint)) return undefined;
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/_sandbox/data-plane`, { signal: signal ?? AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    const parsed = answerSchema.safeParse(await res.json());
    return parsed.success && parsed.data.enabled ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The local URL where the load balancer with this URL (http://DNS-NAME) answers, if the data plane serves it. */
export async function localUrlOf(endpoint: string | undefined, awsUrl: string): Promise<string | undefined> {
  const plane = await readDataPlane(endpoint);
  const dns = awsUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return plane?.loadBalancers.find((lb) => lb.dnsName === dns)?.url;
}
