import { fileURLToPath } from 'node:url';

/** The repository root, from this file's compiled place (dist/test/api/support/). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The API's compiled entry point, as the container runs it. */
export const apiMain = fileURLToPath(new URL('../../../../api/dist/main.js', import.meta.url));

/** The API's in-process exports (CommonJS). */
export const apiIndex = fileURLToPath(new URL('../../../../api/dist/index.js', import.meta.url));
