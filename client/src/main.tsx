import { StrictMode, Suspense, lazy, type ComponentType } from 'react';
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
import './styles.css';

// The pages: the map workspace, a filed site-check report (/reports/{id}, printable), and the
// public stock-land search and parcels (/stock, /stock/{code}), and the auditors' encroachment
// review (/audit, /audit/cases/{id}, /audit/import, /audit/counties), the sign-in page (/signin?next=),
// the administrators' pages (/admin/users, /admin/audit-log, /admin/layers), and an account's own (/me).
// Each is its own chunk, loaded when its address is opened: the pages without a map never fetch
// MapLibre.

/** A page's component from its module, loaded on first render. */
const route = <P extends object>(load: () => Promise<ComponentType<P>>) => lazy(async () => ({ default: await load() }));

// the workspace's map chunk is asked for right after the workspace's own, not once it has run
const App = route(() => {
  const app = import('./App.tsx');
  void import('./map/MapView.tsx');
  return app.then((m) => m.App);
});
const ReportPage = route(() => import('./report/ReportPage.tsx').then((m) => m.ReportPage));
const StockApp = route(() => import('./stock/StockApp.tsx').then((m) => m.StockApp));
const AuditApp = route(() => import('./audit/AuditApp.tsx').then((m) => m.AuditApp));
const SignInPage = route(() => import('./auth/SignInPage.tsx').then((m) => m.SignInPage));
const AdminApp = route(() => import('./admin/AdminApp.tsx').then((m) => m.AdminApp));
const MePage = route(() => import('./me/MePage.tsx').then((m) => m.MePage));

const path = window.location.pathname;
const report = /^\/reports\/([0-9a-f-]{36})\/?$/.exec(path);
const stock = /^\/stock(\/|$)/.test(path);
const audit = /^\/audit(\/|$)/.test(path);
const signin = /^\/signin\/?$/.test(path);
const admin = /^\/admin(\/|$)/.test(path);
const me = /^\/me\/?$/.test(path);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={null}>{signin ? <SignInPage /> : admin ? <AdminApp /> : me ? <MePage /> : report ? <ReportPage id={report[1]!} /> : stock ? <StockApp /> : audit ? <AuditApp /> : <App />}</Suspense>
  </StrictMode>,
);
