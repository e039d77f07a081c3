/**
 * Decorates the app with the injected database (no global `db` anywhere) and says, per
 * request, where its reads go (server/src/db/replica.ts):
 *
 * - `app.db` is the primary: every write, every transaction, and every read a module does not
 *   hand to the request's reader;
 * - `req.reader` is the reader for this request's reads: the replica when there is one, it is
 *   in use and it has replayed the caller's last write; the primary otherwise — always for a
 *   request that changes something (POST, PUT, PATCH, DELETE), unless its route declares
 *   `config: { readOnly: true }` (a POST that only reads: a match, a preview);
 * - after a change answered below 400, the primary's WAL position goes to the client in the
 *   `yzt_wal` cookie, so its next reads wait for the replica to have it (on any instance).
 *
 * Without a replica `req.reader` is the primary and no cookie is set: nothing changes.
 */
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import { primaryOnly, type ReadRouting, type Reader } from '../db/replica.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The primary: writes, transactions, and reads that must see the latest state. */
    db: Database;
    /** Where reads go: the replica (when configured, in use and caught up with the caller) or the primary. */
    reads: ReadRouting;
  }
  interface FastifyRequest {
    /** The reader for this request's reads (see plugins/db.ts); fixed at first use. */
    readonly reader: Reader;
  }
  interface FastifyContextConfig {
    /** A POST (PUT, …) that changes nothing a reader sees: its reads may go to the replica, and it records no write position. */
    readOnly?: boolean;
  }
}

/** The cookie holding the primary's WAL position after the client's last change. */
export const WAL_COOKIE = 'yzt_wal';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const chosen = Symbol('reader');

/** Whether a request may change something: its reads and its write position belong to the primary. */
export const writesOf = (req: FastifyRequest): boolean => UNSAFE.has(req.method) && req.routeOptions.config?.readOnly !== true;

export default fp<{ db: Database; reads?: ReadRouting; closeWithApp?: boolean }>(
  async (app, opts) => {
    const reads = opts.reads ?? primaryOnly(opts.db);
    app.decorate('db', opts.db);
    app.decorate('reads', reads);
    app.decorateRequest('reader', {
      getter(this: FastifyRequest & { [chosen]?: Reader }) {
        if (!this[chosen]) {
          const written = (this as { cookies?: Record<string, string | undefined> }).cookies?.[WAL_COOKIE] ?? null;
          this[chosen] = writesOf(this) ? reads.primary : reads.readerFor(written);
        }
        return this[chosen];
      },
    });
    if (reads.hasReplica) {
      // long enough for a replica within the lag bound to have replayed the write, with a margin
      const maxAge = Math.ceil((reads.status()?.maxLagMs ?? 0) / 1000) + 60;
      app.addHook('onSend', async (req, reply, payload) => {
        if (!writesOf(req) || reply.statusCode >= 400) return payload;
        const lsn = await reads.writePosition().catch(() => null);
        if (lsn) reply.setCookie(WAL_COOKIE, lsn, { path: '/', httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', maxAge });
        return payload;
      });
    }
    if (opts.closeWithApp) app.addHook('onClose', async () => {
      await reads.close();
      await opts.db.close();
    });
  },
  { name: 'db' },
);
