/**
 * The encroachment review (违法占地图斑核查) for auditors: the case queue (/audit, filters in
 * the query string), a case (/audit/cases/{id}, with the queue's query so next/previous follow
 * it), the batch import (/audit/import) and the county view (/audit/counties?year=). Moving
 * between them keeps one page load; a case opened from the queue returns to the same queue
 * with the case selected.
 */
import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { LangContext, translate, type Lang } from '../i18n.ts';
import { writeLang } from '../stock/StockApp.tsx';
import type { NavState, Navigation } from './common.tsx';
import { AuditQueuePage } from './AuditQueuePage.tsx';
import { AuditCasePage } from './AuditCasePage.tsx';
import { AuditImportPage } from './AuditImportPage.tsx';
import { AuditCountiesPage } from './AuditCountiesPage.tsx';
import { atLeast, ROLE_LABEL } from '../../../core/access.ts';
import { useSession, signInHref } from '../auth/SessionBadge.tsx';
import '../auth/auth.css';
import '../stock/stock.css';
import './audit.css';

const langOf = (search: string): Lang => (new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh');

export function AuditApp() {
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
  }, [lang]);

  const navigate = useCallback((url: string, state?: NavState) => {
    window.history.pushState(state ?? null, '', url);
    setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
    setLang(langOf(window.location.search));
    window.scrollTo(0, 0);
  }, []);

  const linkClick = useCallback(
    (url: string, state?: NavState) => (e: MouseEvent<HTMLAnchorElement>) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(url, state);
    },
    [navigate],
  );

  const onLang = (next: Lang) => {
    writeLang(next);
    setLang(next);
  };

  const session = useSession();
  const nav: Navigation = { navigate, linkClick };
  if (!session) return null;
  const role = session.user?.role ?? 'public';
  if (!atLeast('auditor').includes(role)) {
    // not an auditor: say so and offer the sign-in, rather than pages of refused requests
    const t = (k: Parameters<typeof translate>[1], v?: Record<string, string>) => translate(lang, k, v);
    return (
      <LangContext.Provider value={lang}>
        <div className="audit-denied" data-testid="audit-denied">
          <p role="alert">{role === 'public' ? t('siAuditNeedsSignIn') : t('siAuditForbidden', { role: ROLE_LABEL[role][lang] })}</p>
          <p>
            <a href={signInHref(lang)} data-testid="audit-signin">
              {t('siSignIn')}
            </a>
            {' · '}
            <a href={lang === 'en' ? '/?lang=en' : '/'}>{t('siBackToMap')}</a>
          </p>
        </div>
      </LangContext.Provider>
    );
  }
  const page = { lang, onLang, nav };
  const caseMatch = /^\/audit\/cases\/(\d+)\/?$/.exec(loc.path);
  let content;
  if (caseMatch) content = <AuditCasePage key={loc.n} id={Number(caseMatch[1])} {...page} />;
  else if (/^\/audit\/import\/?$/.test(loc.path)) content = <AuditImportPage key={loc.n} {...page} />;
  else if (/^\/audit\/counties\/?$/.test(loc.path)) content = <AuditCountiesPage key={loc.n} {...page} />;
  else content = <AuditQueuePage key={loc.n} {...page} />;
  return <LangContext.Provider value={lang}>{content}</LangContext.Provider>;
}
