/** Decorates the app with the injected database (no global `db` anywhere). */
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export default fp<{ db: Database; closeWithApp?: boolean }>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    if (opts.closeWithApp) app.addHook('onClose', async () => opts.db.close());
  },
  { name: 'db' },
);
