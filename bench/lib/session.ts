/**
 * A signed-in caller for a benchmark: a throw-away account of the role, signed in through
 * POST /api/session; its cookie and CSRF token go with every request, as from a browser.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AccountRole } from '../../core/access.ts';
import type { Queryable } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';

export interface BenchSession {
  /** Headers for every request: the session cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
  /** Deletes the account (and its sessions). */
  remove: () => Promise<void>;
}

export async function benchSession(app: FastifyInstance, db: Queryable, role: AccountRole): Promise<BenchSession> {
  const username = `bench-${role}-${randomBytes(4).toString('hex')}`;
  const password = `Bench-${randomBytes(12).toString('hex')}`;
  await createUser(db, { username, role, password });
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`bench sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'yzt_session')!;
  return {
    headers: { cookie: `yzt_session=${cookie.value}`, 'x-csrf-token': res.json().csrfToken },
    remove: async () => {
      await db.query('DELETE FROM app_user WHERE username = $1', [username]);
    },
  };
}
