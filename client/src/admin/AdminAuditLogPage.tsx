/**
 * 操作日志: who did what, newest first — sign-ins and failed ones, account changes, case
 * imports and decisions, layer imports and restores — filtered by action (kept in the URL).
 */
import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import { dataProps, translate, translateOr, type Lang } from '../i18n.ts';
import { getJson } from '../http.ts';
import { DASH, beijingTime as beijing } from '../format.ts';
import type { AdminNav } from './AdminApp.tsx';

interface Entry {
  id: number;
  at: string;
  action: string;
  userId: number | null;
  username: string | null;
  ip: string | null;
  target: string | null;
  details: unknown;
}

/** The actions the server writes (their words are adAction_… in i18n.ts). */
export const ACTIONS = ['sign-in', 'sign-in-failed', 'sign-out', 'user-created', 'user-changed', 'password-reset', 'case-import', 'case-decision', 'layer-import', 'layer-import-failed', 'layer-import-cancelled', 'layer-restore', 'layer-restore-failed', 'layer-restore-cancelled'] as const;



/** Details as "角色：planner；停用：是", not raw JSON. */
export function detailsText(details: unknown, lang: Lang): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(([k, v]) => v !== null && v !== undefined && k !== 'job' && k !== 'layer')
    .map(([k, v]) => {
      const name = translateOr(lang, `adField_${k}`, k);
      const value = typeof v === 'boolean' ? (v ? translate(lang, 'adYes') : translate(lang, 'adNo')) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return `${name}${translate(lang, 'colon')}${value}`;
    })
    .join(translate(lang, 'semicolon'));
}

export function AdminAuditLogPage(props: { lang: Lang; nav: AdminNav; me: UserInfo }) {
  const { lang, nav } = props;
  const action = new URLSearchParams(window.location.search).get('action') ?? '';
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const qs = new URLSearchParams({ limit: '500', ...(action ? { action } : {}) });
    getJson<{ entries: Entry[] }>(`/api/admin/audit-log?${qs}`, { lang })
      .then((r) => setEntries(r.entries))
      .catch((e: Error) => setError(e.message));
  }, [lang, action]);

  const go = (next: string) => {
    const qs = new URLSearchParams(window.location.search);
    if (next) qs.set('action', next);
    else qs.delete('action');
    const s = qs.toString();
    nav.navigate(`/admin/audit-log${s ? `?${s}` : ''}`);
  };

  return (
    <section className="admin-section" data-testid="admin-audit-log">
      <h2>{translate(lang, 'adAuditLog')}</h2>
      <label className="admin-filter">
        {translate(lang, 'adAction')}
        <select data-testid="audit-action" value={action} onChange={(e) => go(e.target.value)}>
          <option value="">{translate(lang, 'adAll')}</option>
          {ACTIONS.map((k) => (
            <option key={k} value={k}>
              {translate(lang, `adAction_${k}`)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="admin-notice admin-notice-error" role="alert">
          {error}
        </p>
      )}
      <table className="admin-table" data-testid="audit-table">
        <thead>
          <tr>
            <th>{translate(lang, 'adTime')}</th>
            <th>{translate(lang, 'adAction')}</th>
            <th>{translate(lang, 'adUser')}</th>
            <th>IP</th>
            <th>{translate(lang, 'adTarget')}</th>
            <th>{translate(lang, 'adDetails')}</th>
          </tr>
        </thead>
        <tbody>
          {(entries ?? []).map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td>{beijing(e.at)}</td>
              <td>{translateOr(lang, `adAction_${e.action}`, e.action)}</td>
              <td {...dataProps(e.username)}>{e.username ?? DASH}</td>
              <td>{e.ip ?? DASH}</td>
              <td {...dataProps(e.target)}>{e.target ?? DASH}</td>
              <td className="admin-details">{detailsText(e.details, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries !== null && entries.length === 0 && <p>{translate(lang, 'adNoEntries')}</p>}
      {entries === null && !error && <p>{translate(lang, 'adLoading')}</p>}
    </section>
  );
}
