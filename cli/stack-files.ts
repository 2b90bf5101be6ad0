import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which files of `.three-tier/` are stacks' manifests: `<stack>.json`, not the sandbox's state files
 * (`<stack>.sandbox.json`), temp files or locks. Kept apart from cli/stacks.ts, which reads the manifests, so that
 * shell completion can list stack names without loading anything else.
 */
export function stacksDir(cwd = process.cwd()): string {
  return join(cwd, '.three-tier');
}

export function isManifestFile(name: string): boolean {
  return name.endsWith('.json') && !name.endsWith('.sandbox.json');
}

/** The manifests' file names in `dir`, sorted; none when the folder does not exist or cannot be read. */
export function manifestFiles(dir = stacksDir()): string[] {
  try {
    return readdirSync(dir).filter(isManifestFile).sort();
  } catch {
    return [];
  }
}

/** The stacks' names as their manifests' file names say them (`.three-tier/<stack>.json`), without reading them. */
export function stackNames(dir = stacksDir()): string[] {
  return manifestFiles(dir).map((f) => f.slice(0, -'.json'.length));
}

/** `three-tier __stacks`, for shell completion: one stack name a line, from the file names alone (run on every Tab). */
export function printStackNames(): void {
  const names = stackNames();
  if (names.length) process.stdout.write(`${names.join('\n')}\n`);
}
