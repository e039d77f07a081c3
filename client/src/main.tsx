import { StrictMode, type ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
// Every page's style sheet, in the order the pages had them in one bundle (a later rule wins a
// tie): one small file, so a page's looks do not depend on which chunks came first. MapLibre's
// comes with the map's chunk; the map frames outrank it where they must (styles.css).
import './site-check/provenance.css';
import './site-check/stock-first.css';
import './report/report.css';
import './stock/stock.css';
import './auth/auth.css';
import './audit/audit.css';
import './admin/admin.css';
import './map/tools/tools.css';
import './styles.css';

// The pages: the map workspace, a filed site-check report (/reports/{id}, printable), and the
// public stock-land search and parcels (/stock, /stock/{code}), and the auditors' encroachment
// review (/audit, /audit/cases/{id}, /audit/import, /audit/counties), the sign-in page (/signin?next=),
// the administrators' pages (/admin/users, /admin/audit-log, /admin/layers), an account's own (/me),
// enterprise land requests (/requests, /requests/new, /requests/{id}), the yearly figures (/figures/…) and the
// ledger's workbook (/stock-ledger).
// Each is a chunk of its own, loaded before it is rendered (a dynamic import, not React.lazy: no
// Suspense boundary to hold the page back): the pages without a map never fetch MapLibre.

/** The page of an address, its module loaded. */
function pageOf(path: string): Promise<ReactElement> {
  const report = /^\/reports\/([0-9a-f-]{36})\/?$/.exec(path);
  if (/^\/signin\/?$/.test(path)) return import('./auth/SignInPage.tsx').then((m) => <m.SignInPage />);
  if (/^\/admin(\/|$)/.test(path)) return import('./admin/AdminApp.tsx').then((m) => <m.AdminApp />);
  if (/^\/me\/?$/.test(path)) return import('./me/MePage.tsx').then((m) => <m.MePage />);
  if (report) return import('./report/ReportPage.tsx').then((m) => <m.ReportPage id={report[1]!} />);
  if (/^\/stock(\/|$)/.test(path)) return import('./stock/StockApp.tsx').then((m) => <m.StockApp />);
  if (/^\/audit(\/|$)/.test(path)) return import('./audit/AuditApp.tsx').then((m) => <m.AuditApp />);
  if (/^\/requests(\/|$)/.test(path)) return import('./requests/RequestsApp.tsx').then((m) => <m.RequestsApp />);
  if (/^\/stock-ledger\/?$/.test(path)) return import('./stock/LedgerBookPage.tsx').then((m) => <m.LedgerBookPage />);
  if (/^\/figures(\/|$)/.test(path)) return import('./figures/FiguresApp.tsx').then((m) => <m.FiguresApp />);
  // the workspace: its map's chunk is asked for with its own, not once it has run
  const app = import('./App.tsx');
  void import('./map/MapView.tsx');
  return app.then((m) => <m.App />);
}

void pageOf(window.location.pathname).then((page) => createRoot(document.getElementById('root')!).render(<StrictMode>{page}</StrictMode>));
