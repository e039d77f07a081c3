/**
 * The administrators' account management (/api/admin/users) on a database no other file
 * shares: create with the password rules, a taken name, a role change and a disable that end
 * the user's sessions at once, a password reset, the refusal to disable or demote oneself, and
 * the audit log of all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { actAs, type SignedIn } from '../helpers/session.ts';

describe(`account management by administrators (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let admin: SignedIn;

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db });
    admin = (await actAs(app, db, 'admin', '测试管理员'))!;
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  /** Signs `username` in with its own cookie (not the administrator's). */
  const signIn = async (username: string, password: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, headers: { cookie: '' } });
    const cookie = res.cookies.find((c) => c.name === 'yzt_session');
    return { status: res.statusCode, body: res.json(), cookie: cookie ? `yzt_session=${cookie.value}` : '' };
  };
  const whoAmI = async (cookie: string) => (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().user;

  it('creates accounts under the password rules, refuses a taken name, and the account signs in', async () => {
    const weak = await app.inject({ method: 'POST', url: '/api/admin/users', payload: { username: 'kf-factory', role: 'enterprise', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toBe('密码至少 10 个字符');
    const created = await app.inject({ method: 'POST', url: '/api/admin/users', payload: { username: 'kf-factory', displayName: '开封某制造有限公司', role: 'enterprise', password: 'Factory-2026-x' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ username: 'kf-factory', displayName: '开封某制造有限公司', role: 'enterprise', disabled: false });
    const again = await app.inject({ method: 'POST', url: '/api/admin/users', payload: { username: 'KF-Factory', role: 'planner', password: 'Factory-2026-y' } });
    expect(again.statusCode).toBe(409);
    const s = await signIn('kf-factory', 'Factory-2026-x');
    expect(s.status).toBe(200);
    expect(await whoAmI(s.cookie)).toMatchObject({ username: 'kf-factory', role: 'enterprise' });
  });

  it('ends a user’s sessions when the role changes or the account is disabled', async () => {
    const id = (await db.query<{ id: number }>(`SELECT id FROM app_user WHERE username = 'kf-factory'`))[0]!.id;
    const s = await signIn('kf-factory', 'Factory-2026-x');
    const promoted = await app.inject({ method: 'PATCH', url: `/api/admin/users/${id}`, payload: { role: 'planner' } });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json().role).toBe('planner');
    expect(await whoAmI(s.cookie)).toBeNull();
    const s2 = await signIn('kf-factory', 'Factory-2026-x');
    expect(await whoAmI(s2.cookie)).toMatchObject({ role: 'planner' });
    const disabled = await app.inject({ method: 'PATCH', url: `/api/admin/users/${id}`, payload: { disabled: true } });
    expect(disabled.json().disabled).toBe(true);
    expect(await whoAmI(s2.cookie)).toBeNull();
    const refused = await signIn('kf-factory', 'Factory-2026-x');
    expect(refused.status).toBeGreaterThanOrEqual(401);
    expect(refused.status).toBeLessThan(500);
    await app.inject({ method: 'PATCH', url: `/api/admin/users/${id}`, payload: { disabled: false } });
    expect((await signIn('kf-factory', 'Factory-2026-x')).status).toBe(200);
  });

  it('resets a password: the old one stops working, the new one works', async () => {
    const id = (await db.query<{ id: number }>(`SELECT id FROM app_user WHERE username = 'kf-factory'`))[0]!.id;
    const reset = await app.inject({ method: 'POST', url: `/api/admin/users/${id}/password`, payload: { password: 'Brand-new-2026' } });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await signIn('kf-factory', 'Factory-2026-x')).status).toBe(401);
    expect((await signIn('kf-factory', 'Brand-new-2026')).status).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/admin/users/99999/password', payload: { password: 'Brand-new-2026' } })).statusCode).toBe(404);
  });

  it('does not let an administrator disable or demote themselves', async () => {
    const me = (await db.query<{ id: number }>('SELECT id FROM app_user WHERE username = $1', [admin.username]))[0]!.id;
    for (const payload of [{ disabled: true }, { role: 'planner' }]) {
      const res = await app.inject({ method: 'PATCH', url: `/api/admin/users/${me}`, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toContain('另一位管理员');
    }
    expect(await whoAmI(admin.cookie)).toMatchObject({ role: 'admin' });
    // a change of one's own name is fine
    expect((await app.inject({ method: 'PATCH', url: `/api/admin/users/${me}`, payload: { displayName: '管理员甲' } })).statusCode).toBe(200);
  });

  it('keeps every account change in the audit log, newest first', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/admin/audit-log?limit=50' });
    const entries = res.json().entries as { action: string; username: string; target: string; details: Record<string, unknown> }[];
    const mine = entries.filter((e) => e.username === admin.username && e.action !== 'sign-in');
    expect(mine.map((e) => [e.action, e.target])).toEqual([
      ['user-changed', admin.username],
      ['password-reset', 'kf-factory'],
      ['user-changed', 'kf-factory'],
      ['user-changed', 'kf-factory'],
      ['user-changed', 'kf-factory'],
      ['user-created', 'kf-factory'],
    ]);
    expect(mine[4]!.details).toEqual({ role: 'planner' });
    expect(entries.some((e) => e.action === 'sign-in-failed' && e.username === 'kf-factory')).toBe(true);
  });
});
