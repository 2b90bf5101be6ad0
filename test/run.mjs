// Runs the compiled test files (dist/test/**/*.test.js) with Node's own test runner.
// Listing the files here keeps the command the same on Node 20, 22 and 24 (their --test path rules differ).
// Usage: node test/run.mjs [substring ...]   (only files whose path contains one of the substrings)
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk(testDir)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${relative(root, testDir)}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
// The SDK's notice that its 2027 releases need Node 22 is noise here: the repository pins its SDK version.
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root, env });
process.exit(result.status ?? 1);
