/**
 * The administrators' pages (系统管理): accounts (/admin/users), the audit log
 * (/admin/audit-log?action=) and the control layers' versions, import and restore
 * (/admin/layers), the base maps (/admin/basemaps). Anyone else gets a message and a sign-in link, not refused requests.
 */
import { useEffect, type ReactNode } from 'react';
import { ROLE_LABEL } from '../../../core/access.ts';
import { languageNameProps, LangContext, otherLang, translate, useT, withLang, type Lang } from '../i18n.ts';
import { usePageShell, type Navigation } from '../page-shell.ts';
import { SessionBadge, signInHref, useSession } from '../auth/SessionBadge.tsx';
import { AdminUsersPage } from './AdminUsersPage.tsx';
import { AdminAuditLogPage } from './AdminAuditLogPage.tsx';
import { AdminLayersPage } from './AdminLayersPage.tsx';
import { AdminBasemapsPage } from './AdminBasemapsPage.tsx';
import { AdminImageryPage } from './AdminImageryPage.tsx';
import '../auth/auth.css';
import '../stock/stock.css';
import './admin.css';

export type AdminNav = Navigation;

type Tab = 'users' | 'audit-log' | 'layers' | 'basemaps' | 'imagery';
const TABS: Tab[] = ['users', 'audit-log', 'layers', 'basemaps', 'imagery'];

function AdminHeader(props: { tab: Tab; lang: Lang; onLang: (l: Lang) => void; nav: AdminNav }) {
  const { t } = useT();
  return (
    <header className="app-header stock-header admin-header">
      <h1>
        <a href={withLang('/', props.lang)} className="home-link" title={t('stBackToMap')}>
          {t('title')}
        </a>
        <span className="stock-title"> · {translate(props.lang, 'adAdministration')}</span>
      </h1>
      <nav className="audit-tabs" aria-label={translate(props.lang, 'adAdministration')}>
        {TABS.map((tab) => (
          <a key={tab} href={withLang(`/admin/${tab}`, props.lang)} data-tab={tab} aria-current={props.tab === tab ? 'page' : undefined} onClick={props.nav.linkClick(withLang(`/admin/${tab}`, props.lang))}>
            {translate(props.lang, `adTab_${tab}`)}
          </a>
        ))}
      </nav>
      <button type="button" className="lang-switch" onClick={() => props.onLang(otherLang(props.lang))} {...languageNameProps(otherLang(props.lang))}>
        {t('language')}
      </button>
      <SessionBadge />
    </header>
  );
}

export function AdminApp() {
  const { path, n, lang, onLang, nav } = usePageShell();
  useEffect(() => {
    document.title = `${translate(lang, 'adAdministration')} · ${translate(lang, 'title')}`;
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
            ? translate(lang, 'adNeedsAdmin')
            : translate(lang, 'adRoleRefused', { role: ROLE_LABEL[role][lang] })}
        </p>
        <p>
          <a href={signInHref(lang)}>{translate(lang, 'adSignIn')}</a>
          {' · '}
          <a href={withLang('/', lang)}>{translate(lang, 'adBackMap')}</a>
        </p>
      </div>
    );
  } else {
    const tab: Tab = /^\/admin\/audit-log\/?$/.test(path) ? 'audit-log' : /^\/admin\/layers\/?$/.test(path) ? 'layers' : /^\/admin\/basemaps\/?$/.test(path) ? 'basemaps' : /^\/admin\/imagery\/?$/.test(path) ? 'imagery' : 'users';
    const page = { lang, nav, me: session.user! };
    content = (
      <div className="admin-page">
        <AdminHeader tab={tab} lang={lang} onLang={onLang} nav={nav} />
        <main className="admin-main" key={n}>
          {tab === 'users' ? <AdminUsersPage {...page} /> : tab === 'audit-log' ? <AdminAuditLogPage {...page} /> : tab === 'basemaps' ? <AdminBasemapsPage {...page} /> : tab === 'imagery' ? <AdminImageryPage {...page} /> : <AdminLayersPage {...page} />}
        </main>
      </div>
    );
  }
  return <LangContext.Provider value={lang}>{content}</LangContext.Provider>;
}
