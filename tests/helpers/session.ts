/**
 * Signed-in callers for tests: a real account of a role, signed in through POST /api/session,
 * whose cookie and CSRF token go with every request — what a browser does for a user.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { AccountRole, Role } from '../../core/access.ts';
import type { Queryable } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';

export const TEST_PASSWORD = 'Test-password-2026';

export interface SignedIn {
  username: string;
  cookie: string;
  csrfToken: string;
}

/** A new account of `role` (a unique name), signed in. */
export async function signInAs(app: FastifyInstance, db: Queryable, role: AccountRole, displayName?: string): Promise<SignedIn> {
  const username = `test-${role}-${randomBytes(4).toString('hex')}`;
  await createUser(db, { username, displayName: displayName ?? username, role, password: TEST_PASSWORD });
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password: TEST_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'yzt_session')!;
  return { username, cookie: `yzt_session=${cookie.value}`, csrfToken: res.json().csrfToken };
}

/**
 * Makes every `app.inject` of this app carry the session (cookie and CSRF token) unless the
 * call sets its own cookie header; `public` leaves the app as it is.
 */
export async function actAs(app: FastifyInstance, db: Queryable, role: Role, displayName?: string): Promise<SignedIn | null> {
  if (role === 'public') return null;
  const s = await signInAs(app, db, role, displayName);
  const inject = app.inject.bind(app) as (opts: InjectOptions | string) => ReturnType<FastifyInstance['inject']>;
  (app as { inject: unknown }).inject = (opts: InjectOptions | string) => {
    const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
    const headers = { ...(o.headers ?? {}) } as Record<string, string>;
    if (headers.cookie === undefined) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] ??= s.csrfToken;
    }
    return inject({ ...o, headers });
  };
  return s;
}
