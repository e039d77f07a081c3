/**
 * 操作日志: who did what, newest first — sign-ins and failed ones, account changes, case
 * imports and decisions, layer imports and restores — filtered by action (kept in the URL).
 */
import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import type { Lang } from '../i18n.ts';
import { getJson } from '../http.ts';
import { w } from '../i18n.ts';
import { beijingTime as beijing } from '../format.ts';
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

/** The actions the server writes, in words. */
export const ACTIONS: Record<string, { zh: string; en: string }> = {
  'sign-in': { zh: '登录', en: 'Sign-in' },
  'sign-in-failed': { zh: '登录失败', en: 'Failed sign-in' },
  'sign-out': { zh: '退出登录', en: 'Sign-out' },
  'user-created': { zh: '新建账号', en: 'Account created' },
  'user-changed': { zh: '账号变更', en: 'Account changed' },
  'password-reset': { zh: '重置密码', en: 'Password reset' },
  'case-import': { zh: '图斑导入', en: 'Case import' },
  'case-decision': { zh: '核查决定', en: 'Case decision' },
  'layer-import': { zh: '图层导入', en: 'Layer import' },
  'layer-import-failed': { zh: '图层导入失败', en: 'Layer import failed' },
  'layer-import-cancelled': { zh: '图层导入取消', en: 'Layer import cancelled' },
  'layer-restore': { zh: '图层版本恢复', en: 'Layer restored' },
  'layer-restore-failed': { zh: '图层恢复失败', en: 'Layer restore failed' },
  'layer-restore-cancelled': { zh: '图层恢复取消', en: 'Layer restore cancelled' },
};

const FIELD_WORDS: Record<string, { zh: string; en: string }> = {
  role: { zh: '角色', en: 'role' },
  disabled: { zh: '停用', en: 'disabled' },
  displayName: { zh: '姓名', en: 'name' },
  reason: { zh: '原因', en: 'reason' },
  versionNo: { zh: '版本', en: 'version' },
  replaced: { zh: '替换版本', en: 'replaced' },
  features: { zh: '要素数', en: 'features' },
  excluded: { zh: '未导入', en: 'left out' },
  fileName: { zh: '文件', en: 'file' },
  areaMu: { zh: '面积（亩）', en: 'area (mu)' },
  rows: { zh: '行数', en: 'rows' },
  status: { zh: '结论', en: 'status' },
  error: { zh: '错误', en: 'error' },
  note: { zh: '说明', en: 'note' },
};

/** Details as "角色：planner；停用：是", not raw JSON. */
export function detailsText(details: unknown, lang: Lang): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(([k, v]) => v !== null && v !== undefined && k !== 'job' && k !== 'layer')
    .map(([k, v]) => {
      const name = FIELD_WORDS[k] ? FIELD_WORDS[k][lang] : k;
      const value = typeof v === 'boolean' ? (v ? w(lang, '是', 'yes') : w(lang, '否', 'no')) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return `${name}${w(lang, '：', ': ')}${value}`;
    })
    .join(w(lang, '；', '; '));
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
      <h2>{w(lang, '操作日志', 'Audit log')}</h2>
      <label className="admin-filter">
        {w(lang, '操作', 'Action')}
        <select data-testid="audit-action" value={action} onChange={(e) => go(e.target.value)}>
          <option value="">{w(lang, '全部', 'All')}</option>
          {Object.entries(ACTIONS).map(([k, v]) => (
            <option key={k} value={k}>
              {v[lang]}
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
            <th>{w(lang, '时间（北京时间）', 'Time (Beijing)')}</th>
            <th>{w(lang, '操作', 'Action')}</th>
            <th>{w(lang, '用户', 'User')}</th>
            <th>IP</th>
            <th>{w(lang, '对象', 'Target')}</th>
            <th>{w(lang, '详情', 'Details')}</th>
          </tr>
        </thead>
        <tbody>
          {(entries ?? []).map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td>{beijing(e.at)}</td>
              <td>{ACTIONS[e.action]?.[lang] ?? e.action}</td>
              <td>{e.username ?? '—'}</td>
              <td>{e.ip ?? '—'}</td>
              <td>{e.target ?? '—'}</td>
              <td className="admin-details">{detailsText(e.details, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries !== null && entries.length === 0 && <p>{w(lang, '没有记录', 'No entries')}</p>}
      {entries === null && !error && <p>{w(lang, '加载中…', 'Loading…')}</p>}
    </section>
  );
}
