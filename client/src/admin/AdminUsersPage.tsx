/**
 * 用户管理: every account with its role and state; create one, change a role, disable or enable
 * (not one's own), reset a password. Each action shows the server's answer and refreshes the list.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ACCOUNT_ROLES, ROLE_LABEL, type AccountRole } from '../../../core/access.ts';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import type { Lang } from '../i18n.ts';
import { getJson, patchJson, postJson } from '../http.ts';
import { w } from '../i18n.ts';
import { beijingTime as beijing } from '../format.ts';
import type { AdminNav } from './AdminApp.tsx';

interface AdminUser extends UserInfo {
  disabled: boolean;
  createdAt: string;
  lockedUntil: string | null;
}

type Notice = { kind: 'ok' | 'error'; text: string } | null;

export function AdminUsersPage(props: { lang: Lang; nav: AdminNav; me: UserInfo }) {
  const { lang, me } = props;
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'enterprise' as AccountRole, password: '' });
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPassword, setNewPassword] = useState('');

  const load = useCallback(async () => {
    try {
      setUsers((await getJson<{ users: AdminUser[] }>('/api/admin/users', { lang })).users);
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  }, [lang]);
  useEffect(() => void load(), [load]);

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    setNotice(null);
    try {
      await fn();
      setNotice({ kind: 'ok', text: ok });
      await load();
      return true;
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body = { username: form.username.trim(), role: form.role, password: form.password, ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}) };
    const done = await act(() => postJson('/api/admin/users', body, { lang }), w(lang, `已创建账号 ${body.username}`, `Account ${body.username} created`));
    if (done) setForm({ username: '', displayName: '', role: 'enterprise', password: '' });
  };

  const roleName = (r: AccountRole) => ROLE_LABEL[r][lang];
  const stateOf = (u: AdminUser) => {
    if (u.disabled) return { key: 'disabled', text: w(lang, '已停用', 'Disabled') };
    if (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()) return { key: 'locked', text: w(lang, `已锁定至 ${beijing(u.lockedUntil)}`, `Locked until ${beijing(u.lockedUntil)}`) };
    return { key: 'active', text: w(lang, '正常', 'Active') };
  };

  return (
    <section className="admin-section" data-testid="admin-users">
      <h2>{w(lang, '用户管理', 'Users')}</h2>
      {notice && (
        <p className={`admin-notice admin-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="admin-notice">
          {notice.text}
        </p>
      )}
      <form className="admin-form" onSubmit={(e) => void create(e)} data-testid="user-create">
        <h3>{w(lang, '新建账号', 'New account')}</h3>
        <label>
          {w(lang, '用户名', 'Username')}
          <input name="username" required minLength={2} maxLength={40} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
        </label>
        <label>
          {w(lang, '姓名（单位）', 'Name (organisation)')}
          <input name="displayName" maxLength={50} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        </label>
        <label>
          {w(lang, '角色', 'Role')}
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as AccountRole })}>
            {ACCOUNT_ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w(lang, '初始密码', 'Initial password')}
          <input name="password" type="password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          <small>{w(lang, '至少 10 个字符，含两类字符（小写、大写、数字、符号）；请通过安全渠道告知用户', 'At least 10 characters of two kinds (lower case, upper case, digits, symbols); tell the user by a safe channel')}</small>
        </label>
        <button type="submit" disabled={busy}>
          {w(lang, '创建', 'Create')}
        </button>
      </form>

      <table className="admin-table" data-testid="user-table">
        <thead>
          <tr>
            <th>{w(lang, '用户名', 'Username')}</th>
            <th>{w(lang, '姓名', 'Name')}</th>
            <th>{w(lang, '角色', 'Role')}</th>
            <th>{w(lang, '状态', 'State')}</th>
            <th>{w(lang, '创建时间', 'Created')}</th>
            <th>{w(lang, '操作', 'Actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(users ?? []).map((u) => {
            const self = u.id === me.id;
            const state = stateOf(u);
            return (
              <tr key={u.id} data-username={u.username} data-state={state.key}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>
                  <select
                    aria-label={w(lang, `${u.username} 的角色`, `Role of ${u.username}`)}
                    data-field="role"
                    value={u.role}
                    disabled={busy || self}
                    title={self ? w(lang, '不能修改自己的角色', 'You cannot change your own role') : undefined}
                    onChange={(e) => {
                      const role = e.target.value as AccountRole;
                      void act(() => patchJson(`/api/admin/users/${u.id}`, { role }, { lang }), w(lang, `${u.username} 的角色已改为${roleName(role)}`, `${u.username} is now ${roleName(role)}`));
                    }}
                  >
                    {ACCOUNT_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {roleName(r)}
                      </option>
                    ))}
                  </select>
                </td>
                <td data-field="state">{state.text}</td>
                <td>{beijing(u.createdAt)}</td>
                <td className="admin-actions">
                  <button
                    type="button"
                    data-action={u.disabled ? 'enable' : 'disable'}
                    disabled={busy || self}
                    title={self ? w(lang, '不能停用自己的账号', 'You cannot disable your own account') : undefined}
                    onClick={() => {
                      const disabled = !u.disabled;
                      if (disabled && !window.confirm(w(lang, `停用账号 ${u.username}？该用户将立即退出登录且无法再登录。`, `Disable ${u.username}? They are signed out at once and cannot sign in.`))) return;
                      void act(() => patchJson(`/api/admin/users/${u.id}`, { disabled }, { lang }), disabled ? w(lang, `已停用 ${u.username}`, `${u.username} disabled`) : w(lang, `已启用 ${u.username}`, `${u.username} enabled`));
                    }}
                  >
                    {u.disabled ? w(lang, '启用', 'Enable') : w(lang, '停用', 'Disable')}
                  </button>
                  <button type="button" data-action="reset" disabled={busy} onClick={() => (setResetFor(resetFor === u.id ? null : u.id), setNewPassword(''))}>
                    {w(lang, '重置密码', 'Reset password')}
                  </button>
                  {resetFor === u.id && (
                    <form
                      className="admin-inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void act(() => postJson(`/api/admin/users/${u.id}/password`, { password: newPassword }, { lang }), w(lang, `已重置 ${u.username} 的密码`, `Password of ${u.username} reset`)).then((ok) => ok && setResetFor(null));
                      }}
                    >
                      <input type="password" aria-label={w(lang, '新密码', 'New password')} required value={newPassword} onChange={(e) => setNewPassword(e.target.value)} autoComplete="new-password" />
                      <button type="submit" disabled={busy}>
                        {w(lang, '确定', 'Set')}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {users === null && <p>{w(lang, '加载中…', 'Loading…')}</p>}
    </section>
  );
}
