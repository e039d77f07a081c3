/**
 * 操作日志: who did what, newest first — sign-ins and failed ones, account changes, case
 * imports and decisions, layer imports and restores — filtered by action (kept in the URL).
 */
import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import { ROLE_LABEL } from '../../../core/access.ts';
import { CASE_STATUS_LABEL, type CaseStatus } from '../../../core/case-status.ts';
import { layers } from '../../../core/layers.ts';
import { dataProps, pickField, translate, translateOr, type Lang } from '../i18n.ts';
import { getJson } from '../http.ts';
import { DASH, beijingTime as beijing } from '../format.ts';
import type { AdminNav } from './AdminApp.tsx';

export interface Entry {
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
export const ACTIONS = ['sign-in', 'sign-in-failed', 'sign-out', 'user-created', 'user-changed', 'password-reset', 'case-import', 'case-decision', 'case-rectify', 'site-check-approve', 'stock-event', 'stock-split', 'stock-merge', 'ledger-export', 'ledger-import', 'land-request', 'land-request-propose', 'land-request-accept', 'land-request-decline', 'land-request-withdraw', 'layer-import', 'layer-import-failed', 'layer-import-cancelled', 'layer-restore', 'layer-restore-failed', 'layer-restore-cancelled', 'basemap-tianditu-changed', 'basemap-service-added', 'basemap-service-removed'] as const;



/** Codes written before they became codes (older entries keep them). */
const OLD_CODES: Record<string, string> = {
  'wrong password': 'wrong-password',
  'unknown user': 'unknown-user',
  YZT_ADMIN_USERNAME: 'startup-env',
  'npm run user:create': 'command-line',
};
const code = (v: unknown) => OLD_CODES[String(v)] ?? String(v);

/** A layer id in words (the target of layer imports and restores). */
export function layerName(id: string, lang: Lang): string {
  const layer = layers.find((l) => l.id === id);
  return layer ? pickField(layer, 'name', lang) : id;
}

/** One value of an entry's details in words: roles, reasons, case conclusions, yes/no. */
function valueText(key: string, v: unknown, lang: Lang): string {
  if (typeof v === 'boolean') return v ? translate(lang, 'adYes') : translate(lang, 'adNo');
  if (key === 'role' && typeof v === 'string' && v in ROLE_LABEL) return ROLE_LABEL[v as keyof typeof ROLE_LABEL][lang];
  if (key === 'reason') return translateOr(lang, `adReason_${code(v)}`, String(v));
  if (key === 'by') return translateOr(lang, `adBy_${code(v)}`, String(v));
  if (key === 'status' && typeof v === 'string' && v in CASE_STATUS_LABEL) return lang === 'zh' ? v : CASE_STATUS_LABEL[v as CaseStatus].en;
  if ((key === 'versionNo' || key === 'replaced' || key === 'version') && typeof v === 'number') return translate(lang, 'adVersionNo', { versionNo: v });
  if (key === 'areaMu' && typeof v === 'number') return v.toFixed(2);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Details as "角色：规划人员；停用：是" / "role: Planner; disabled: yes", not raw JSON or codes. */
export function detailsText(details: unknown, lang: Lang): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  const d = details as Record<string, unknown>;
  return Object.entries(d)
    .filter(([k, v]) => v !== null && v !== undefined && k !== 'job' && k !== 'layer' && k !== 'errorEn')
    // a failure's message in the page's language, where the entry has both
    .map(([k, v]): [string, unknown] => (k === 'error' && lang === 'en' && typeof d.errorEn === 'string' ? [k, d.errorEn] : [k, v]))
    .map(([k, v]) => `${translateOr(lang, `adField_${k}`, k)}${translate(lang, 'colon')}${valueText(k, v, lang)}`)
    .join(translate(lang, 'semicolon'));
}

/**
 * Who acted: an account's name, or the start-up / command line that created the first accounts —
 * only for an account's creation: a failed sign-in typing "env" or "cli" is that name, not the system.
 */
export const actorText = (e: Entry, lang: Lang): string =>
  e.username === null ? DASH : e.userId === null && e.action === 'user-created' ? translateOr(lang, `adActor_${e.username}`, e.username) : e.username;

/** What was acted on: a layer by its name, anything else as written. */
const targetText = (e: Entry, lang: Lang) => (e.target === null ? DASH : e.action.startsWith('layer-') ? layerName(e.target, lang) : e.target);

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
              <td>{actorText(e, lang)}</td>
              <td>{e.ip ?? DASH}</td>
              <td>{targetText(e, lang)}</td>
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
