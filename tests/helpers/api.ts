/** The real app on the suite's test database, for `app.inject()` tests. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import type { Role } from '../../core/access.ts';
import { openTestDatabase } from './db.ts';
import { actAs } from './session.ts';

/**
 * `as` is who calls: by default an admin (every route open), or any role; requests carry
 * that user's session cookie and CSRF token. The public's and enterprises' daily site-check
 * budget is lifted unless `siteCheckLimits` is given: every test calls from 127.0.0.1 and a
 * shared PostGIS keeps the day's usage across files and runs.
 */
export async function startApi(
  opts: Omit<BuildAppOptions, 'db'> & { as?: Role } = {},
): Promise<{ app: FastifyInstance; db: Database; stop: () => Promise<void> }> {
  const t = await openTestDatabase();
  const { as = 'admin', ...buildOpts } = opts;
  const app = await buildApp({ siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000 }, ...buildOpts, db: t.db });
  await actAs(app, t.db, as);
  return {
    app,
    db: t.db,
    stop: async () => {
      await app.close();
      await t.close();
    },
  };
}
