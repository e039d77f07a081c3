/**
 * Builds the client with Vite when `dist/client` is missing or older than the
 * sources in client/ and core/, so `npm start` on a fresh clone serves a UI
 * and a warm start skips the build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function ensureClientBuilt(root: string, outDir: string, log: (s: string) => void): Promise<void> {
  const index = join(outDir, 'index.html');
  const sources = Math.max(newestMtime(join(root, 'client')), newestMtime(join(root, 'core')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('  未安装 Vite，跳过前端构建，只提供 API（Vite not installed: serving the API only）');
    return;
  }
  log('  正在构建前端 building the client…');
  await vite.build({ root: join(root, 'client'), configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
