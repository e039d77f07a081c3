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

export interface Workspace {
  app: FastifyInstance;
  db: Database;
  /** http://127.0.0.1:<port> */
  base: string;
  browser: Browser;
  stop: () => Promise<void>;
}

/**
 * `privateDatabase`: a seeded database no other test file shares (openPrivateDatabase), for
 * tests whose writes cannot be undone.
 */
export async function startWorkspace(opts: { privateDatabase?: boolean } = {}): Promise<Workspace> {
  const t = await (opts.privateDatabase ? openPrivateDatabase() : openTestDatabase());
  const app = await buildApp({ db: t.db, clientDir: join(process.cwd(), 'dist/client') });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchBrowser();
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
