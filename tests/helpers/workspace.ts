/**
 * The real app, built on the suite's test database and serving the built client on a
 * loopback port, with a headless Chromium to drive it: what every browser test starts from.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { launchBrowser } from './browser.ts';
import { openPrivateDatabase, openTestDatabase } from './db.ts';
import { actAs } from './session.ts';
import type { Role } from '../../core/access.ts';

export interface Workspace {
  app: FastifyInstance;
  db: Database;
  /** http://127.0.0.1:<port> */
  base: string;
  browser: Browser;
  stop: () => Promise<void>;
}

/**
 * `as` is who uses the browser: by default an admin (every layer and page), or any role —
 * each new page opens in a context holding that user's session cookie, as after signing in.
 * `privateDatabase`: a seeded database no other test file shares (openPrivateDatabase), for
 * tests whose writes cannot be undone. The public's daily site-check budget is lifted: every
 * browser in the suite comes from 127.0.0.1 and a shared PostGIS keeps the day's usage across
 * runs (the budget itself is tested in tests/api/site-check-oracle.test.ts).
 */
export async function startWorkspace(opts: { as?: Role; privateDatabase?: boolean; imageryDir?: string } = {}): Promise<Workspace> {
  const t = await (opts.privateDatabase ? openPrivateDatabase() : openTestDatabase());
  const app = await buildApp({ db: t.db, clientDir: join(process.cwd(), 'dist/client'), siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000 }, ...(opts.imageryDir ? { imageryDir: opts.imageryDir } : {}) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchBrowser();
  const role = opts.as ?? 'admin';
  if (role !== 'public') {
    // the test's own API calls go as the same user
    const s = (await actAs(app, t.db, role))!;
    const { hostname } = new URL(base);
    const cookies = [{ name: 'yzt_session', value: s.cookie.split('=')[1]!, domain: hostname, path: '/', httpOnly: true, secure: false, sameSite: 'Lax' as const, expires: -1 }];
    browser.newPage = async (pageOpts) => {
      const context = await browser.newContext({ ...pageOpts, storageState: { cookies, origins: [] } });
      const page = await context.newPage();
      // the browser may be closing already (the workspace stopping): nothing left to close then
      page.on('close', () => void context.close().catch(() => undefined));
      return page;
    };
  }
  return {
    app,
    db: t.db,
    base,
    browser,
    stop: async () => {
      await browser.close();
      await app.close();
      await t.close();
    },
  };
}
