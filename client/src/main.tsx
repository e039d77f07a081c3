import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ReportPage } from './report/ReportPage.tsx';
import './styles.css';

// Two pages: the map workspace, and a filed site-check report (/reports/{id}, printable).
const report = /^\/reports\/([0-9a-f-]{36})\/?$/.exec(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>{report ? <ReportPage id={report[1]!} /> : <App />}</StrictMode>,
);
