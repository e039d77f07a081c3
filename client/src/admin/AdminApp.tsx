/**
 * The administrators' pages (系统管理): accounts (/admin/users), the audit log
 * (/admin/audit-log?action=) and the control layers' versions, import and restore
 * (/admin/layers). Anyone else gets a message and a sign-in link, not refused requests.
 */
import { useCallback, useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { ROLE_LABEL } from '../../../core/access.ts';
import { LangContext, useT, type Lang } from '../i18n.ts';
import { writeLang } from '../stock/StockApp.tsx';
import { SessionBadge, signInHref, useSession } from '../auth/SessionBadge.tsx';
import { AdminUsersPage } from './AdminUsersPage.tsx';
import { AdminAuditLogPage } from './AdminAuditLogPage.tsx';
import { AdminLayersPage } from './AdminLayersPage.tsx';
import '../auth/auth.css';
import '../stock/stock.css';
import './admin.css';

const langOf = (search: string): Lang => (new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh');

/** A word in the page's language. */
export const w = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

export interface AdminNav {
  navigate: (url: string) => void;
  linkClick: (url: string) => (e: MouseEvent<HTMLAnchorElement>) => void;
}

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
  const [loc, setLoc] = useState(() => ({ path: window.location.pathname, n: 0 }));
  const [lang, setLang] = useState<Lang>(() => langOf(window.location.search));
  useEffect(() => {
    const onPop = () => {
      setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
      setLang(langOf(window.location.search));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${w(lang, '系统管理', 'Administration')} · 一张图`;
  }, [lang]);
  const navigate = useCallback((url: string) => {
    window.history.pushState(null, '', url);
    setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
    setLang(langOf(window.location.search));
  }, []);
  const linkClick = useCallback(
    (url: string) => (e: MouseEvent<HTMLAnchorElement>) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(url);
    },
    [navigate],
  );
  const onLang = (next: Lang) => {
    writeLang(next);
    setLang(next);
  };
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
    const nav: AdminNav = { navigate, linkClick };
    const tab: Tab = /^\/admin\/audit-log\/?$/.test(loc.path) ? 'audit-log' : /^\/admin\/layers\/?$/.test(loc.path) ? 'layers' : 'users';
    const page = { lang, nav, me: session.user! };
    content = (
      <div className="admin-page">
        <AdminHeader tab={tab} lang={lang} onLang={onLang} nav={nav} />
        <main className="admin-main" key={loc.n}>
          {tab === 'users' ? <AdminUsersPage {...page} /> : tab === 'audit-log' ? <AdminAuditLogPage {...page} /> : <AdminLayersPage {...page} />}
        </main>
      </div>
    );
  }
  return <LangContext.Provider value={lang}>{content}</LangContext.Provider>;
}

/** The server's message from an error answer, or a general one. */
export async function messageOf(res: Response, lang: Lang): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return w(lang, `请求失败（${res.status}）`, `The request failed (${res.status})`);
}

/** fetch with JSON in and out, in the page's language; throws the server's message. */
export async function api<T>(lang: Lang, url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'accept-language': lang === 'en' ? 'en' : 'zh-CN', ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  if (!res.ok) throw new Error(await messageOf(res, lang));
  return (await res.json()) as T;
}

/** Beijing time, "2026-11-22 18:05". */
export function beijing(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
