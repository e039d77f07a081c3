/**
 * 台账导入导出 (/stock-ledger): for land-supply staff (planners and above) — the ledger's
 * workbook in the provincial layout (GET /api/stock-ledger/export.xlsx, a county and a year to
 * narrow it), and the same workbook brought back: upload, follow the trial run's progress, read
 * each row's verdict, commit (POST /api/stock-ledger/import…). docs/domain.md, "The stock-land
 * ledger".
 */
import { useEffect, useState, type FormEvent } from 'react';
import { atLeast, ROLE_LABEL } from '../../../core/access.ts';
import { beijingYear } from '../../../core/beijing-time.ts';
import { LedgerImportAccepted, LedgerImportJob, STOCK_EVENT_KINDS } from '../../../core/contracts/ledger.ts';
import { STOCK_EVENT_KIND_LABEL } from '../../../core/ledger.ts';
import { CountiesResponse, type County } from '../../../core/contracts/features.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import { Denied } from '../auth/Denied.tsx';
import { asApiError, getJson, postJson, upload, type ApiError } from '../http.ts';
import { countyName, LangContext, pick, translate, useT, type Lang } from '../i18n.ts';
import { usePageShell } from '../page-shell.ts';
import { StockHeader } from './common.tsx';
import '../auth/auth.css';
import '../audit/audit.css';


function follow(url: string, lang: Lang, onJob: (j: LedgerImportJob) => void, signal: AbortSignal): Promise<LedgerImportJob> {
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        const job = await getJson(url, { lang, signal, schema: LedgerImportJob });
        onJob(job);
        if (['ready', 'done', 'failed', 'cancelled'].includes(job.phase)) return resolve(job);
        setTimeout(() => void tick(), 400);
      } catch (e) {
        reject(e);
      }
    };
    void tick();
  });
}

function Report(props: { job: LedgerImportJob }) {
  const { t, lang } = useT();
  const r = props.job.report;
  if (!r) return null;
  const kinds = Object.fromEntries(STOCK_EVENT_KINDS.map((k) => [k, pick(STOCK_EVENT_KIND_LABEL[k], lang)]));
  return (
    <>
      <p data-testid="lb-summary" data-ok={r.ok} data-invalid={r.invalid} data-recorded={r.recorded} data-written={r.written}>
        {r.dryRun ? t('lbTrialSummary', { rows: r.rows, ok: r.ok, invalid: r.invalid, recorded: r.recorded }) : t('lbDoneSummary', { written: r.written, invalid: r.invalid, recorded: r.recorded })}
      </p>
      {r.items.length > 0 && (
        <table className="stock-table" data-testid="lb-rows">
          <thead>
            <tr>
              <th>{t('lbRow')}</th>
              <th>{t('lbParcel')}</th>
              <th>{t('lgKind')}</th>
              <th>{t('lgDate')}</th>
              <th>{t('lbVerdict')}</th>
            </tr>
          </thead>
          <tbody>
            {r.items.map((i) => (
              <tr key={i.row} data-row={i.row} data-status={i.status}>
                <td className="num">{i.row}</td>
                <td>{i.parcelCode ?? '—'}</td>
                <td>{i.kind ? kinds[i.kind] : '—'}</td>
                <td>{i.eventDate ?? '—'}</td>
                <td>{i.status === 'ok' ? t('lbOk') : pick({ zh: i.reasonZh ?? '', en: i.reasonEn ?? '' }, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function LedgerBook(props: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t, lang } = useT();
  const [counties, setCounties] = useState<County[]>([]);
  const [county, setCounty] = useState('');
  const [year, setYear] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [job, setJob] = useState<LedgerImportJob | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    getJson('/api/counties', { lang, signal: ctl.signal, schema: CountiesResponse })
      .then(setCounties)
      .catch(() => undefined);
    document.title = `${translate(lang, 'lbTitle')} · ${translate(lang, 'title')}`;
    return () => ctl.abort();
  }, [lang]);

  const exportHref = `/api/stock-ledger/export.xlsx${county || year ? `?${new URLSearchParams({ ...(county ? { county } : {}), ...(year ? { year } : {}) }).toString()}` : ''}`;
  const run = async (start: () => Promise<{ statusUrl: string }>) => {
    setBusy(true);
    setError(null);
    const ctl = new AbortController();
    try {
      const accepted = await start();
      await follow(accepted.statusUrl, lang, setJob, ctl.signal);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.append('file', file);
    setJob(null);
    void run(() => upload('/api/stock-ledger/import?dryRun=true', form, { lang, schema: LedgerImportAccepted }));
  };
  const commit = () => job && void run(() => postJson(`/api/stock-ledger/import/${job.jobId}/commit`, {}, { lang, schema: LedgerImportAccepted }));
  const now = beijingYear();
  const years = Array.from({ length: now - 2020 }, (_, i) => now - i);
  return (
    <div className="stock-page">
      <StockHeader title={t('lbTitle')} lang={lang} onLang={props.onLang} subtitle={false} />
      <div className="stock-parcel-body">
        <section className="stock-section" data-testid="lb-export" data-ready={counties.length > 0 ? 'true' : 'false'}>
          <h2>{t('lbExport')}</h2>
          <p className="stock-note">{t('lbExportHelp')}</p>
          <label>
            {t('fgCounty')}{' '}
            <select data-testid="lb-county" value={county} onChange={(e) => setCounty(e.target.value)}>
              <option value="">{t('lbAllCounties')}</option>
              {counties.map((c) => (
                <option key={c.code} value={c.code}>
                  {countyName(c, lang)}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            {t('lbEventsOfYear')}{' '}
            <select data-testid="lb-year" value={year} onChange={(e) => setYear(e.target.value)}>
              <option value="">{t('lbAllYears')}</option>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </label>{' '}
          <a href={exportHref} data-testid="lb-export-link" download>
            {t('lbDownload')}
          </a>
        </section>
        <section className="stock-section" data-testid="lb-import">
          <h2>{t('lbImport')}</h2>
          <p className="stock-note">{t('lbImportHelp')}</p>
          <form onSubmit={submit}>
            <input type="file" accept=".xlsx" data-testid="lb-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />{' '}
            <button type="submit" disabled={!file || busy} data-testid="lb-try">
              {t('lbTry')}
            </button>
          </form>
          {job && !['ready', 'done', 'failed', 'cancelled'].includes(job.phase) && (
            <p className="loading" data-testid="lb-progress">
              {t('lbChecking', { done: job.done })}
            </p>
          )}
          {error && (
            <p className="stock-error" role="alert">
              {error.message}
            </p>
          )}
          {job?.error && (
            <p className="stock-error" role="alert" data-testid="lb-error">
              {job.error.message}
            </p>
          )}
          {job && <Report job={job} />}
          {job?.phase === 'ready' && job.report && job.report.ok > 0 && (
            <button type="button" onClick={commit} disabled={busy} data-testid="lb-commit">
              {t('lbCommit', { n: job.report.ok })}
            </button>
          )}
        </section>
      </div>
    </div>
  );
}

export function LedgerBookPage() {
  const { lang, onLang } = usePageShell();
  const session = useSession();
  if (!session) return null;
  const role = session.user?.role ?? 'public';
  if (!atLeast('planner').includes(role)) {
    return (
      <LangContext.Provider value={lang}>
        <Denied lang={lang} testid="lb-denied" message={role === 'public' ? translate(lang, 'lbNeedsSignIn') : translate(lang, 'lbForbidden', { role: ROLE_LABEL[role][lang] })} />
      </LangContext.Provider>
    );
  }
  return (
    <LangContext.Provider value={lang}>
      <LedgerBook lang={lang} onLang={onLang} />
    </LangContext.Provider>
  );
}
