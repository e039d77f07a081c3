import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ReportPage } from './report/ReportPage.tsx';
import { StockApp } from './stock/StockApp.tsx';
import { AuditApp } from './audit/AuditApp.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { AdminApp } from './admin/AdminApp.tsx';
import { MePage } from './me/MePage.tsx';
import './styles.css';

// The pages: the map workspace, a filed site-check report (/reports/{id}, printable), and the
// public stock-land search and parcels (/stock, /stock/{code}), and the auditors' encroachment
// review (/audit, /audit/cases/{id}, /audit/import, /audit/counties), the sign-in page (/signin?next=),
// the administrators' pages (/admin/users, /admin/audit-log, /admin/layers), and an account's own (/me).
const path = window.location.pathname;
const report = /^\/reports\/([0-9a-f-]{36})\/?$/.exec(path);
const stock = /^\/stock(\/|$)/.test(path);
const audit = /^\/audit(\/|$)/.test(path);
const signin = /^\/signin\/?$/.test(path);
const admin = /^\/admin(\/|$)/.test(path);
const me = /^\/me\/?$/.test(path);

createRoot(document.getElementById('root')!).render(
  <StrictMode>{signin ? <SignInPage /> : admin ? <AdminApp /> : me ? <MePage /> : report ? <ReportPage id={report[1]!} /> : stock ? <StockApp /> : audit ? <AuditApp /> : <App />}</StrictMode>,
);
