/**
 * 用户管理: every account with its role, scope (工作范围) and state; create one, change a role or
 * a scope (within the administrator's own), disable or enable (not one's own), reset a password. Each action shows the server's answer and refreshes the list.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ACCOUNT_ROLES, ROLE_LABEL, type AccountRole } from '../../../core/access.ts';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import { dataProps, translate, type Lang } from '../i18n.ts';
import { getJson, patchJson, postJson } from '../http.ts';
import { api } from '../api.ts';
import { HENAN_CITIES, PROVINCE, scopeWithin } from '../../../core/divisions.ts';
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
  const [form, setForm] = useState({ username: '', displayName: '', role: 'enterprise' as AccountRole, password: '', scope: me.scope });
  // the scopes this administrator may give: their own and every division inside it (the loaded counties)
  const [scopes, setScopes] = useState<{ code: string; label: string }[]>([]);
  useEffect(() => {
    const name = (d: { name: string; nameEn: string }) => (lang === 'en' ? d.nameEn || d.name : d.name);
    void api.counties(lang).then(
      (counties) => {
        const divisions = [
          { code: PROVINCE.code, label: name(PROVINCE) },
          ...HENAN_CITIES.map((c) => ({ code: c.code, label: name(c) })),
          ...counties.map((c) => ({ code: c.code, label: `\u2003${name(c)}` })),
        ].filter((d) => scopeWithin(me.scope, d.code));
        divisions.sort((a, b) => a.code.localeCompare(b.code));
        setScopes(divisions);
      },
      () => setScopes([{ code: me.scope, label: me.scope }]),
    );
  }, [lang, me.scope]);
  const scopeName = (code: string) => scopes.find((d) => d.code === code)?.label.trim() ?? code;
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
    const body = { username: form.username.trim(), role: form.role, password: form.password, scope: form.scope, ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}) };
    const done = await act(() => postJson('/api/admin/users', body, { lang }), translate(lang, 'adAccountCreated', { username: body.username }));
    if (done) setForm({ username: '', displayName: '', role: 'enterprise', password: '', scope: me.scope });
  };

  const roleName = (r: AccountRole) => ROLE_LABEL[r][lang];
  const stateOf = (u: AdminUser) => {
    if (u.disabled) return { key: 'disabled', text: translate(lang, 'adDisabled') };
    if (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()) return { key: 'locked', text: translate(lang, 'adLockedUntil', { lockedUntil: beijing(u.lockedUntil) }) };
    return { key: 'active', text: translate(lang, 'adActive') };
  };

  return (
    <section className="admin-section" data-testid="admin-users">
      <h2>{translate(lang, 'adUsers')}</h2>
      {notice && (
        <p className={`admin-notice admin-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="admin-notice">
          {notice.text}
        </p>
      )}
      <form className="admin-form" onSubmit={(e) => void create(e)} data-testid="user-create">
        <h3>{translate(lang, 'adNewAccount')}</h3>
        <label>
          {translate(lang, 'adUsername')}
          <input name="username" required minLength={2} maxLength={40} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
        </label>
        <label>
          {translate(lang, 'adNameOrganisation')}
          <input name="displayName" maxLength={50} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        </label>
        <label>
          {translate(lang, 'adRole')}
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as AccountRole })}>
            {ACCOUNT_ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {translate(lang, 'adScope')}
          <select name="scope" value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value })}>
            {scopes.map((d) => (
              <option key={d.code} value={d.code}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {translate(lang, 'adInitialPassword')}
          <input name="password" type="password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          <small>{translate(lang, 'adPasswordRule')}</small>
        </label>
        <button type="submit" disabled={busy}>
          {translate(lang, 'adCreate')}
        </button>
      </form>

      <table className="admin-table" data-testid="user-table">
        <thead>
          <tr>
            <th>{translate(lang, 'adUsername')}</th>
            <th>{translate(lang, 'adName')}</th>
            <th>{translate(lang, 'adRole')}</th>
            <th>{translate(lang, 'adScope')}</th>
            <th>{translate(lang, 'adState')}</th>
            <th>{translate(lang, 'adCreated')}</th>
            <th>{translate(lang, 'adActions')}</th>
          </tr>
        </thead>
        <tbody>
          {(users ?? []).map((u) => {
            const self = u.id === me.id;
            const state = stateOf(u);
            return (
              <tr key={u.id} data-username={u.username} data-state={state.key}>
                <td>{u.username}</td>
                <td {...dataProps(u.displayName)}>{u.displayName}</td>
                <td>
                  <select
                    aria-label={translate(lang, 'adRoleOf', { username: u.username })}
                    data-field="role"
                    value={u.role}
                    disabled={busy || self}
                    title={self ? translate(lang, 'adCannotChangeOwnRole') : undefined}
                    onChange={(e) => {
                      const role = e.target.value as AccountRole;
                      void act(() => patchJson(`/api/admin/users/${u.id}`, { role }, { lang }), translate(lang, 'adRoleChanged', { username: u.username, role: roleName(role) }));
                    }}
                  >
                    {ACCOUNT_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {roleName(r)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select
                    aria-label={translate(lang, 'adScopeOf', { username: u.username })}
                    data-field="scope"
                    value={u.scope}
                    disabled={busy || self}
                    onChange={(e) => {
                      const scope = e.target.value;
                      void act(() => patchJson(`/api/admin/users/${u.id}`, { scope }, { lang }), translate(lang, 'adScopeChanged', { username: u.username, scope: scopeName(scope) }));
                    }}
                  >
                    {(scopes.some((d) => d.code === u.scope) ? scopes : [...scopes, { code: u.scope, label: u.scope }]).map((d) => (
                      <option key={d.code} value={d.code}>
                        {d.label}
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
                    title={self ? translate(lang, 'adCannotDisableOwnAccount') : undefined}
                    onClick={() => {
                      const disabled = !u.disabled;
                      if (disabled && !window.confirm(translate(lang, 'adDisableTheySignedOut', { username: u.username }))) return;
                      void act(() => patchJson(`/api/admin/users/${u.id}`, { disabled }, { lang }), disabled ? translate(lang, 'adUserDisabled', { username: u.username }) : translate(lang, 'adUserEnabled', { username: u.username }));
                    }}
                  >
                    {u.disabled ? translate(lang, 'adEnable') : translate(lang, 'adDisable')}
                  </button>
                  <button type="button" data-action="reset" disabled={busy} onClick={() => (setResetFor(resetFor === u.id ? null : u.id), setNewPassword(''))}>
                    {translate(lang, 'adResetPassword')}
                  </button>
                  {resetFor === u.id && (
                    <form
                      className="admin-inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void act(() => postJson(`/api/admin/users/${u.id}/password`, { password: newPassword }, { lang }), translate(lang, 'adPasswordReset', { username: u.username })).then((ok) => ok && setResetFor(null));
                      }}
                    >
                      <input type="password" aria-label={translate(lang, 'adNewPassword')} required value={newPassword} onChange={(e) => setNewPassword(e.target.value)} autoComplete="new-password" />
                      <button type="submit" disabled={busy}>
                        {translate(lang, 'adSet')}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {users === null && <p>{translate(lang, 'adLoading')}</p>}
    </section>
  );
}
