/** The real app on the suite's test database, for `app.inject()` tests. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openTestDatabase } from './db.ts';

export async function startApi(opts: Omit<BuildAppOptions, 'db'> = {}): Promise<{ app: FastifyInstance; db: Database; stop: () => Promise<void> }> {
  const t = await openTestDatabase();
  const app = await buildApp({ ...opts, db: t.db });
  return {
    app,
    db: t.db,
    stop: async () => {
      await app.close();
      await t.close();
    },
  };
}
