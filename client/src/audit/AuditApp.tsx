/**
 * The encroachment review (违法占地图斑核查) for auditors: the case queue (/audit, filters in
 * the query string), a case (/audit/cases/{id}, with the queue's query so next/previous follow
 * it), the batch import (/audit/import) and the county view (/audit/counties?year=). Moving
 * between them keeps one page load; a case opened from the queue returns to the same queue
 * with the case selected.
 */
import { LangContext, translate } from '../i18n.ts';
import { usePageShell } from '../page-shell.ts';
import type { NavState } from './common.tsx';
import { AuditQueuePage } from './AuditQueuePage.tsx';
import { AuditCasePage } from './AuditCasePage.tsx';
import { AuditImportPage } from './AuditImportPage.tsx';
import { AuditCountiesPage } from './AuditCountiesPage.tsx';
import { atLeast, ROLE_LABEL } from '../../../core/access.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import { Denied } from '../auth/Denied.tsx';
import '../auth/auth.css';
import '../stock/stock.css';
import './audit.css';

export function AuditApp() {
  const { path, n, lang, onLang, nav } = usePageShell<NavState>();
  const session = useSession();
  if (!session) return null;
  const role = session.user?.role ?? 'public';
  if (!atLeast('auditor').includes(role)) {
    // not an auditor: say so and offer the sign-in, rather than pages of refused requests
    const t = (k: Parameters<typeof translate>[1], v?: Record<string, string>) => translate(lang, k, v);
    return (
      <LangContext.Provider value={lang}>
        <Denied lang={lang} testid="audit-denied" signInTestid="audit-signin" message={role === 'public' ? t('siAuditNeedsSignIn') : t('siAuditForbidden', { role: ROLE_LABEL[role][lang] })} />
      </LangContext.Provider>
    );
  }
  const page = { lang, onLang, nav };
  const caseMatch = /^\/audit\/cases\/(\d+)\/?$/.exec(path);
  let content;
  if (caseMatch) content = <AuditCasePage key={n} id={Number(caseMatch[1])} {...page} />;
  else if (/^\/audit\/import\/?$/.test(path)) content = <AuditImportPage key={n} {...page} />;
  else if (/^\/audit\/counties\/?$/.test(path)) content = <AuditCountiesPage key={n} {...page} />;
  else content = <AuditQueuePage key={n} {...page} />;
  return <LangContext.Provider value={lang}>{content}</LangContext.Provider>;
}
