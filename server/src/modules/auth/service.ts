/**
 * Accounts, sign-in and sessions.
 *
 * - Sign-in: username (case-insensitive) + password. Five failed sign-ins in a row under one
 *   name lock that name for 15 minutes (the right password is refused too until then); a run of
 *   failures is forgotten 15 minutes after the last one. Failures are counted per name in
 *   `sign_in_attempt` whether or not an account has that name, so an unknown name is answered
 *   exactly like an existing one — wrong, locked, same time. Each attempt takes its place in the
 *   count with one atomic statement before the password is checked, so attempts sent at once
 *   cannot slip past the limit (50 at once: the first five are checked, the rest are locked out).
 * - Sessions: a random 32-byte token in an HttpOnly cookie; the database keeps only its
 *   SHA-256. A session lapses after 8 hours without use and 7 days after sign-in at most.
 *   Each session has a CSRF token the client sends back in `x-csrf-token` on every request
 *   that changes something.
 * - Every sign-in, failed sign-in, sign-out and account change is written to the audit log.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccountRole } from '../../../../core/access.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';

export const SESSION_COOKIE = 'yzt_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60_000;

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: AccountRole;
  /** The division the account works in (core/divisions.ts; scope.ts reads it). */
  scope: string;
  disabled: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: AccountRole;
  scope: string;
  disabled: boolean;
  password_hash: string;
  failed_attempts: number;
  locked_until: string | Date | null;
}

const toUser = (r: UserRow): User => ({ id: Number(r.id), username: r.username, displayName: r.display_name, role: r.role, scope: r.scope, disabled: r.disabled });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface AuditEntry {
  action: string;
  user?: Pick<User, 'id' | 'username'> | null;
  username?: string;
  ip?: string | null;
  target?: string | null;
  details?: unknown;
}

/**
 * The words of an audit entry are the page's (client/src/admin/AdminAuditLogPage.tsx): details
 * hold codes — a sign-in failure's reason ('wrong-password', 'unknown-user', 'locked',
 * 'disabled'), a role, who created an account ('startup-env': YZT_ADMIN_USERNAME at start-up,
 * 'command-line': npm run user:create) — and a failure's message in both languages
 * (`error`, `errorEn`).
 */
export async function audit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (action, user_id, username, ip, target, details) VALUES ($1, $2, $3, $4, $5, $6)', [
    e.action,
    e.user?.id ?? null,
    e.user?.username ?? e.username ?? null,
    e.ip ?? null,
    e.target ?? null,
    e.details === undefined ? null : JSON.stringify(e.details),
  ]);
}

export async function createUser(
  db: Queryable,
  input: { username: string; displayName?: string; role: AccountRole; password: string; scope?: string },
): Promise<User> {
  const username = input.username.trim();
  if (!/^[\p{L}\p{N}._-]{2,40}$/u.test(username)) {
    throw new AppError(400, 'INVALID_USERNAME', '用户名须为 2–40 个字母、数字、“.”“_”“-”', 'A username is 2–40 letters, digits, ".", "_" or "-"');
  }
  const problem = passwordProblem(input.password);
  if (problem) throw new AppError(400, 'WEAK_PASSWORD', problem.zh, problem.en);
  const taken = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user WHERE lower(username) = lower($1)', [username]);
  if (taken[0]!.n > 0) throw new AppError(409, 'USERNAME_TAKEN', `用户名“${username}”已被使用`, `The username "${username}" is taken`);
  const rows = await db.query<UserRow>(
    `INSERT INTO app_user (username, display_name, role, password_hash, scope) VALUES ($1, $2, $3, $4, COALESCE($5, '410000'))
     RETURNING id, username, display_name, role, scope, disabled, password_hash, failed_attempts, locked_until`,
    [username, input.displayName?.trim() || username, input.role, await hashPassword(input.password), input.scope ?? null],
  );
  return toUser(rows[0]!);
}

export async function listUsers(db: Queryable): Promise<(User & { createdAt: string; lockedUntil: string | null })[]> {
  const rows = await db.query<UserRow & { created_at: Date | string }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.scope, u.disabled, u.password_hash, u.failed_attempts, a.locked_until, u.created_at
       FROM app_user u LEFT JOIN sign_in_attempt a ON a.name_key = lower(u.username) ORDER BY u.id`,
  );
  return rows.map((r) => ({
    ...toUser(r),
    createdAt: new Date(r.created_at).toISOString(),
    lockedUntil: r.locked_until && new Date(r.locked_until) > new Date() ? new Date(r.locked_until).toISOString() : null,
  }));
}

/** Changes role, scope, display name or disabled; a disabled user's sessions end at once, as do those of a changed role or scope. */
export async function updateUser(db: Queryable, id: number, change: { role?: AccountRole; displayName?: string; disabled?: boolean; scope?: string }): Promise<User> {
  const rows = await db.query<UserRow>(
    `UPDATE app_user SET role = COALESCE($2, role), display_name = COALESCE($3, display_name),
            disabled = COALESCE($4, disabled), scope = COALESCE($5, scope), updated_at = now()
      WHERE id = $1 RETURNING id, username, display_name, role, scope, disabled, password_hash, failed_attempts, locked_until`,
    [id, change.role ?? null, change.displayName?.trim() || null, change.disabled ?? null, change.scope ?? null],
  );
  if (!rows[0]) throw new AppError(404, 'USER_NOT_FOUND', `没有编号为 ${id} 的用户`, `No user has the id ${id}`);
  if (change.disabled || change.role || change.scope) await db.query('DELETE FROM app_session WHERE user_id = $1', [id]);
  return toUser(rows[0]);
}

/** Sets a new password, unlocks the account and ends its sessions. */
export async function resetPassword(db: Queryable, id: number, password: string): Promise<User> {
  const problem = passwordProblem(password);
  if (problem) throw new AppError(400, 'WEAK_PASSWORD', problem.zh, problem.en);
  const rows = await db.query<UserRow>(
    `UPDATE app_user SET password_hash = $2, failed_attempts = 0, locked_until = NULL, updated_at = now()
      WHERE id = $1 RETURNING id, username, display_name, role, scope, disabled, password_hash, failed_attempts, locked_until`,
    [id, await hashPassword(password)],
  );
  if (!rows[0]) throw new AppError(404, 'USER_NOT_FOUND', `没有编号为 ${id} 的用户`, `No user has the id ${id}`);
  await db.query('DELETE FROM sign_in_attempt WHERE name_key = lower($1)', [rows[0].username]);
  await db.query('DELETE FROM app_session WHERE user_id = $1', [id]);
  return toUser(rows[0]);
}

// a hash to verify against when the name is unknown, so the answer takes as long
let decoy: Promise<string> | null = null;

export interface Session {
  token: string;
  csrfToken: string;
  user: User;
  expiresAt: Date;
}

/** Counts this attempt under its name: one atomic upsert, before the password is checked. */
async function takeAttempt(db: Queryable, nameKey: string): Promise<{ failures: number; lockedUntil: Date | null }> {
  const rows = await db.query<{ failures: number; locked_until: string | Date | null }>(
    `INSERT INTO sign_in_attempt AS a (name_key, failures, last_failed_at, locked_until) VALUES ($1, 1, now(), NULL)
     ON CONFLICT (name_key) DO UPDATE SET
       failures = CASE
         WHEN a.locked_until IS NOT NULL AND a.locked_until <= now() THEN 1
         WHEN a.locked_until IS NULL AND a.last_failed_at <= now() - make_interval(secs => $2) THEN 1
         ELSE a.failures + 1 END,
       locked_until = CASE WHEN a.locked_until IS NOT NULL AND a.locked_until <= now() THEN NULL ELSE a.locked_until END,
       last_failed_at = now()
     RETURNING failures, locked_until`,
    [nameKey, LOCK_MS / 1000],
  );
  const r = rows[0]!;
  return { failures: Number(r.failures), lockedUntil: r.locked_until ? new Date(r.locked_until) : null };
}

/** Locks a name for LOCK_MS unless it is locked already; answers when the lock ends. */
async function lockName(db: Queryable, nameKey: string): Promise<Date> {
  const rows = await db.query<{ locked_until: string | Date }>(
    `UPDATE sign_in_attempt SET locked_until = COALESCE(locked_until, now() + make_interval(secs => $2))
      WHERE name_key = $1 RETURNING locked_until`,
    [nameKey, LOCK_MS / 1000],
  );
  return rows[0] ? new Date(rows[0].locked_until) : new Date(Date.now() + LOCK_MS);
}

const lockedError = (until: Date) => {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError(
    429,
    'ACCOUNT_LOCKED',
    `登录失败次数过多（连续 ${MAX_FAILED_SIGN_INS} 次），该用户名已锁定，请 ${minutes} 分钟后再试`,
    `Too many failed sign-ins (${MAX_FAILED_SIGN_INS} in a row): this username is locked; try again in ${minutes} min`,
  );
};

export async function signIn(
  db: Queryable,
  input: { username: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
): Promise<Session> {
  const name = input.username.trim();
  const nameKey = name.toLowerCase();
  const wrong = () => new AppError(401, 'SIGN_IN_FAILED', '用户名或密码不正确', 'Wrong username or password');
  const attempt = await takeAttempt(db, nameKey);
  const rows = await db.query<UserRow>(
    'SELECT id, username, display_name, role, scope, disabled, password_hash, failed_attempts, locked_until FROM app_user WHERE lower(username) = $1',
    [nameKey],
  );
  const row = rows[0];
  const user = row ? toUser(row) : null;
  const auditFailure = (reason: string, locked: boolean) =>
    audit(db, { action: 'sign-in-failed', ...(user ? { user } : { username: name.slice(0, 40) }), ip: meta.ip, details: { reason, locked } });

  // locked, or over the limit by attempts still in flight: refused without looking at the password
  if ((attempt.lockedUntil && attempt.lockedUntil > new Date()) || attempt.failures > MAX_FAILED_SIGN_INS) {
    const until = attempt.lockedUntil && attempt.lockedUntil > new Date() ? attempt.lockedUntil : await lockName(db, nameKey);
    await auditFailure('locked', true);
    throw lockedError(until);
  }
  // an unknown name is checked against a decoy hash, so it takes as long as a wrong password
  const good = await verifyPassword(input.password, row ? row.password_hash : await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  if (!row || !good) {
    const lock = attempt.failures >= MAX_FAILED_SIGN_INS;
    if (lock) await lockName(db, nameKey);
    await auditFailure(row ? 'wrong-password' : 'unknown-user', lock);
    throw wrong();
  }
  // the right password: the run of failures ends
  await db.query('DELETE FROM sign_in_attempt WHERE name_key = $1', [nameKey]);
  if (user!.disabled) {
    await audit(db, { action: 'sign-in-failed', user, ip: meta.ip, details: { reason: 'disabled' } });
    throw new AppError(403, 'ACCOUNT_DISABLED', '账号已停用，请联系管理员', 'The account is disabled; ask an administrator');
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_IDLE_MS);
  await db.query(
    'INSERT INTO app_session (token_hash, user_id, csrf_token, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)',
    [sha256(token), user!.id, csrfToken, expiresAt, meta.ip, meta.userAgent?.slice(0, 300) ?? null],
  );
  await audit(db, { action: 'sign-in', user, ip: meta.ip });
  return { token, csrfToken, user: user!, expiresAt };
}

/** The session a cookie token belongs to, extended on use; null when unknown, lapsed or the user is disabled. */
export async function sessionOf(db: Queryable, token: string): Promise<Omit<Session, 'token'> | null> {
  const rows = await db.query<UserRow & { csrf_token: string; created_at: Date | string; expires_at: Date | string }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.scope, u.disabled, u.password_hash, u.failed_attempts, u.locked_until,
            s.csrf_token, s.created_at, s.expires_at
       FROM app_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1`,
    [sha256(token)],
  );
  const row = rows[0];
  if (!row) return null;
  const now = Date.now();
  if (new Date(row.expires_at).getTime() <= now || row.disabled) {
    await db.query('DELETE FROM app_session WHERE token_hash = $1', [sha256(token)]);
    return null;
  }
  const expiresAt = new Date(Math.min(now + SESSION_IDLE_MS, new Date(row.created_at).getTime() + SESSION_MAX_MS));
  // extend at most once a minute
  if (expiresAt.getTime() - new Date(row.expires_at).getTime() > 60_000) {
    await db.query('UPDATE app_session SET expires_at = $2, last_seen_at = now() WHERE token_hash = $1', [sha256(token), expiresAt]);
  }
  return { csrfToken: row.csrf_token, user: toUser(row), expiresAt };
}

export async function signOut(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM app_session WHERE token_hash = $1', [sha256(token)]);
}
