/** Builds the client once (when its sources are newer than dist/client) for the browser tests. */
import { join } from 'node:path';
import { ensureClientBuilt } from '../../server/src/client-build.ts';

export default async function setup() {
  const started = Date.now();
  await ensureClientBuilt(process.cwd(), join(process.cwd(), 'dist/client'), () => undefined);
  console.log(`[setup] client ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
