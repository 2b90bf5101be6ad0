// Loaded into each server the API benchmark runs (`node --import .../api-probe.js server.js`), so the same figures
// come from the NestJS API and the bare server without changing either. Over the IPC channel the benchmark says
// "start" before a measured run and "stop" after it; the probe answers with what V8's GC profiler saw in between:
// how many collections of each kind, how long they paused the thread, and how many bytes the JavaScript heap
// allocated (off-heap Buffer memory, such as a cached body read from Redis, is not included).
// With BENCH_PROFILE_DIR set it also records, for that window only (start-up excluded), a CPU profile and a sampling
// allocation profile that keeps collected objects (open both in Chrome DevTools). Profiling slows the server: figures
// of such a run are for finding where time goes, not for comparison.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import v8 from 'node:v8';

export interface ProbeStats {
  readonly scavenges: number;
  readonly markCompacts: number;
  /** Time the main thread spent in collections, in milliseconds. */
  readonly gcPauseMs: number;
  /** Bytes allocated on the JavaScript heap during the window. */
  readonly heapAllocatedBytes: number;
}

export type ProbeCommand = { readonly type: 'start'; readonly label: string } | { readonly type: 'stop' };
export type ProbeReply = { readonly type: 'started' } | { readonly type: 'stats'; readonly stats: ProbeStats };

interface GcEntry {
  readonly gcType: string;
  /** Microseconds. */
  readonly cost: number;
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

/**
 * Heap bytes allocated between two points: what the heap grew by between collections, plus what each collection
 * found in use beyond what the previous one left.
 */
function allocatedBytes(usedAtStart: number, entries: readonly GcEntry[], usedAtEnd: number): number {
  let total = 0;
  let previousAfter = usedAtStart;
  for (const entry of entries) {
    total += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - previousAfter);
    previousAfter = entry.afterGC.heapStatistics.usedHeapSize;
  }
  return total + Math.max(0, usedAtEnd - previousAfter);
}

const profileDir = process.env['BENCH_PROFILE_DIR'];
let profiler: v8.GCProfiler | undefined;
let usedAtStart = 0;
let session: Session | undefined;
let label = '';

async function startProfiles(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

async function stopProfiles(dir: string): Promise<void> {
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  const sampled = await session.post('HeapProfiler.stopSampling');
  writeFileSync(join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
  writeFileSync(join(dir, `${label}.heapprofile`), JSON.stringify(sampled.profile));
  session.disconnect();
  session = undefined;
}

async function handle(command: ProbeCommand): Promise<ProbeReply> {
  if (command.type === 'start') {
    label = command.label;
    if (profileDir) await startProfiles();
    profiler = new v8.GCProfiler();
    usedAtStart = v8.getHeapStatistics().used_heap_size;
    profiler.start();
    return { type: 'started' };
  }
  const result = profiler?.stop() as { statistics: GcEntry[] } | undefined;
  const usedAtEnd = v8.getHeapStatistics().used_heap_size;
  if (profileDir) await stopProfiles(profileDir);
  const entries = result?.statistics ?? [];
  return {
    type: 'stats',
    stats: {
      scavenges: entries.filter((e) => e.gcType === 'Scavenge').length,
      markCompacts: entries.filter((e) => e.gcType === 'MarkSweepCompact').length,
      gcPauseMs: entries.reduce((sum, e) => sum + e.cost, 0) / 1000,
      heapAllocatedBytes: allocatedBytes(usedAtStart, entries, usedAtEnd),
    },
  };
}

if (process.send) {
  process.on('message', (command: ProbeCommand) => {
    void handle(command).then((reply) => process.send?.(reply));
  });
  // The channel must not keep a server alive that is asked to stop.
  process.channel?.unref();
}
