/**
 * The administrators' pages (系统管理): accounts (/admin/users), the audit log
 * (/admin/audit-log?action=) and the control layers' versions, import and restore
 * (/admin/layers). Anyone else gets a message and a sign-in link, not refused requests.
 */
import { useEffect, type ReactNode } from 'react';
import { ROLE_LABEL } from '../../../core/access.ts';
import { LangContext, useT, type Lang } from '../i18n.ts';
import { usePageShell, type Navigation } from '../page-shell.ts';
import { SessionBadge, signInHref, useSession } from '../auth/SessionBadge.tsx';
import { AdminUsersPage } from './AdminUsersPage.tsx';
import { AdminAuditLogPage } from './AdminAuditLogPage.tsx';
import { AdminLayersPage } from './AdminLayersPage.tsx';
import '../auth/auth.css';
import '../stock/stock.css';
import { w } from '../i18n.ts';
import './admin.css';

export type AdminNav = Navigation;

type Tab = 'users' | 'audit-log' | 'layers';
const TABS: { id: Tab; zh: string; en: string }[] = [
  { id: 'users', zh: '用户管理', en: 'Users' },
  { id: 'audit-log', zh: '操作日志', en: 'Audit log' },
  { id: 'layers', zh: '图层数据', en: 'Layers' },
];

function AdminHeader(props: { tab: Tab; lang: Lang; onLang: (l: Lang) => void; nav: AdminNav }) {
  const { t } = useT();
  const en = props.lang === 'en' ? '?lang=en' : '';
  return (
    <header className="app-header stock-header admin-header">
      <h1>
        <a href={`/${en}`} className="home-link" title={t('stBackToMap')}>
          {t('title')}
        </a>
        <span className="stock-title"> · {w(props.lang, '系统管理', 'Administration')}</span>
      </h1>
      <nav className="audit-tabs" aria-label={w(props.lang, '系统管理', 'Administration')}>
        {TABS.map((tab) => (
          <a key={tab.id} href={`/admin/${tab.id}${en}`} data-tab={tab.id} aria-current={props.tab === tab.id ? 'page' : undefined} onClick={props.nav.linkClick(`/admin/${tab.id}${en}`)}>
            {w(props.lang, tab.zh, tab.en)}
          </a>
        ))}
      </nav>
      <button type="button" className="lang-switch" onClick={() => props.onLang(props.lang === 'zh' ? 'en' : 'zh')}>
        {t('language')}
      </button>
      <SessionBadge />
    </header>
  );
}

export function AdminApp() {
  const { path, n, lang, onLang, nav } = usePageShell();
  useEffect(() => {
    document.title = `${w(lang, '系统管理', 'Administration')} · 一张图`;
  }, [lang]);
  const session = useSession();
  if (!session) return null;
  const role = session.user?.role ?? 'public';
  let content: ReactNode;
  if (role !== 'admin') {
    content = (
      <div className="audit-denied" data-testid="admin-denied">
        <p role="alert">
          {role === 'public'
            ? w(lang, '系统管理需要管理员账号：请先登录。', 'Administration needs an administrator account: sign in first.')
            : w(lang, `当前账号的角色是“${ROLE_LABEL[role].zh}”，无权进入系统管理。`, `Your role (${ROLE_LABEL[role].en}) may not use the administration pages.`)}
        </p>
        <p>
          <a href={signInHref(lang)}>{w(lang, '登录', 'Sign in')}</a>
          {' · '}
          <a href={lang === 'en' ? '/?lang=en' : '/'}>{w(lang, '返回地图', 'Back to the map')}</a>
        </p>
      </div>
    );
  } else {
    const tab: Tab = /^\/admin\/audit-log\/?$/.test(path) ? 'audit-log' : /^\/admin\/layers\/?$/.test(path) ? 'layers' : 'users';
    const page = { lang, nav, me: session.user! };
    content = (
      <div className="admin-page">
        <AdminHeader tab={tab} lang={lang} onLang={onLang} nav={nav} />
        <main className="admin-main" key={n}>
          {tab === 'users' ? <AdminUsersPage {...page} /> : tab === 'audit-log' ? <AdminAuditLogPage {...page} /> : <AdminLayersPage {...page} />}
        </main>
      </div>
    );
  }
  return <LangContext.Provider value={lang}>{content}</LangContext.Provider>;
}
