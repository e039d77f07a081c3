/**
 * 图斑批量导入 (/audit/import): choose a GeoJSON or a zipped Shapefile of detected polygons,
 * run a dry run, read the report row by row — ok, invalid with the reason, or a duplicate of
 * an existing case (or an earlier row) with the overlapped share — while a progress bar
 * follows the job, then confirm to import the valid rows (and any duplicates ticked) and see
 * the cases created. The job lives in the server's job table: the progress bar reads it, it
 * goes on after a restart of the server, and it can be cancelled. The confirmation commits the
 * rows the trial run checked (the file is not sent again); nothing is written until then.
 */
import { useEffect, useRef, useState } from 'react';
import { EncodingOptions } from '../EncodingOptions.tsx';
import { CASE_SOURCES, DEFAULT_DUPLICATE_SHARE, type CaseImportJob, type CaseImportReport, type ImportRow } from '../../../core/contracts/cases.ts';
import { countyName, pick, useT, withLang, type Lang, type StringKey } from '../i18n.ts';
import { AuditApiError, asApiError, auditSession, caseApi, casePath } from './api.ts';
import { ACTOR_KEY, AuditHeader, SignedInActor, DASH, DIGITS, formatNumber, formatShare, sourceWord, type Navigation } from './common.tsx';

const POLL_MS = 250;

interface Options {
  source: string;
  detectedOn: string;
  /** Percent, as typed. */
  sharePct: string;
  encoding: '' | 'gbk' | 'utf-8' | 'gb18030' | 'big5';
  actor: string;
}

/** The import's query string (without "?"). */
export function importQuery(o: Options, dryRun: boolean, include: number[]): string {
  const p = new URLSearchParams();
  p.set('dryRun', String(dryRun));
  p.set('source', o.source);
  if (o.detectedOn) p.set('detectedOn', o.detectedOn);
  const share = Number(o.sharePct) / 100;
  if (o.sharePct.trim() !== '' && Number.isFinite(share) && share !== DEFAULT_DUPLICATE_SHARE) p.set('duplicateShare', String(share));
  if (o.encoding) p.set('encoding', o.encoding);
  if (o.actor.trim()) p.set('actor', o.actor.trim());
  if (!dryRun && include.length) p.set('includeDuplicates', include.join(','));
  return p.toString().replace(/%2C/g, ',');
}

/** Follows a job to its end, reporting each state; throws the server's error. */
async function followJob(statusUrl: string, lang: Lang, onJob: (j: CaseImportJob) => void, signal: AbortSignal): Promise<CaseImportJob> {
  for (;;) {
    const job = await caseApi.importJob(statusUrl, lang, signal);
    onJob(job);
    if (job.phase === 'done' || job.phase === 'failed' || job.phase === 'cancelled') return job;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function Progress(props: { job: CaseImportJob; onCancel: () => void }) {
  const { t } = useT();
  const { job } = props;
  const pct = Math.round(job.progress * 100);
  return (
    <div className="audit-progress" data-testid="import-progress" data-phase={job.phase} data-progress={job.progress}>
      <div className="audit-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="audit-progress-text">
        {t(`auPhase_${job.phase}` as StringKey)} · {job.total ? `${job.done} / ${job.total} · ` : ''}
        {pct}%
      </span>
      <button type="button" className="audit-inline-button" data-testid="import-cancel" onClick={props.onCancel}>
        {t('auCancelImport')}
      </button>
    </div>
  );
}

function RowReport(props: { report: CaseImportReport; include: number[]; onInclude: ((row: number, on: boolean) => void) | null; nav: Navigation }) {
  const { t, lang } = useT();
  const { report } = props;
  const dupText = (d: ImportRow['duplicateOf'][number]) =>
    d.caseCode ? t('auDupOfCase', { code: d.caseCode, share: formatShare(d.share) }) : t('auDupOfRow', { row: d.row ?? '?', share: formatShare(d.share) });
  return (
    <div className="audit-table-scroll">
      <table className="stock-table audit-import-rows" data-testid="import-rows">
        <thead>
          <tr>
            <th className="num">{t('auRow')}</th>
            <th>{t('auRowStatus')}</th>
            <th>{t('auCol_code')}</th>
            <th>{t('stCol_county')}</th>
            <th>{t('auCol_source')}</th>
            <th>{t('auCol_detectedOn')}</th>
            <th className="num">{t('auCol_area')}</th>
            <th>{t('auRowNote')}</th>
            {props.onInclude && <th>{t('auIncludeDup')}</th>}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr key={r.row} data-row={r.row} data-status={r.status} data-created={r.created ? 'true' : 'false'}>
              <td className="num">{r.row}</td>
              <td data-field="status">
                <span className={`audit-row-status audit-row-${r.status}`}>{t(`auRow_${r.status}` as StringKey)}</span>
              </td>
              <td data-field="code">
                {r.caseId !== null ? (
                  <a href={withLang(casePath(r.caseId), lang)} onClick={props.nav.linkClick(withLang(casePath(r.caseId), lang))}>
                    {r.code ?? r.caseId}
                  </a>
                ) : (
                  (r.code ?? DASH)
                )}
              </td>
              <td data-field="county" data-code={r.countyCode ?? ''}>
                {r.countyName ? countyName({ name: r.countyName, nameEn: r.countyNameEn ?? undefined }, lang) : (r.countyCode ?? DASH)}
              </td>
              <td data-field="source">{r.source ? sourceWord(r.source, lang) : DASH}</td>
              <td data-field="detectedOn">{r.detectedOn ?? DASH}</td>
              <td className="num" data-field="area" data-value={r.area?.mu ?? ''}>
                {r.area ? formatNumber(r.area.mu, DIGITS.mu) : DASH}
              </td>
              <td data-field="note" className="audit-comment">
                {/* duplicates are listed below with their share and a link, once */}
                {r.reasons.filter((x) => !(r.duplicateOf.length && x.code.startsWith('DUPLICATE_'))).map((x) => (
                  <span key={x.code} className="audit-reason" data-code={x.code}>
                    {pick(x, lang)}
                  </span>
                ))}
                {/* what the row was given without being refused (a default date), said all the same */}
                {(r.notes ?? []).map((x) => (
                  <span key={x.code} className="audit-row-note" data-code={x.code}>
                    {pick(x, lang)}
                  </span>
                ))}
                {r.duplicateOf.map((d, i) => (
                  <span key={i} className="audit-dup" data-case={d.caseCode ?? ''} data-dup-row={d.row ?? ''} data-share={d.share}>
                    {d.caseId !== null ? (
                      <a href={withLang(casePath(d.caseId), lang)} target="_blank" rel="noreferrer">
                        {dupText(d)}
                      </a>
                    ) : (
                      dupText(d)
                    )}
                  </span>
                ))}
              </td>
              {props.onInclude && (
                <td>
                  {r.status === 'duplicate' && (
                    <input
                      type="checkbox"
                      name="include"
                      value={r.row}
                      aria-label={t('auIncludeRow', { row: r.row })}
                      checked={props.include.includes(r.row)}
                      onChange={(e) => props.onInclude!(r.row, e.target.checked)}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts(props: { report: CaseImportReport; testid: string }) {
  const { t, lang } = useT();
  const { report } = props;
  const c = report.counts;
  return (
    <div className="audit-import-summary" data-testid={props.testid} data-rows={c.rows} data-ok={c.ok} data-invalid={c.invalid} data-duplicate={c.duplicate} data-created={c.created}>
      <p>
        <strong>{report.fileName}</strong> · {report.detected.format} · {report.detected.crs}
        {report.detected.encoding ? ` · ${report.detected.encoding}` : ''}
      </p>
      <p>
        {report.dryRun
          ? t('auDryCounts', { rows: c.rows, ok: c.ok, invalid: c.invalid, duplicate: c.duplicate })
          : t('auCommitCounts', { created: c.created, included: c.duplicatesIncluded, invalid: c.invalid, duplicate: c.duplicate - c.duplicatesIncluded })}
      </p>
      {report.warnings.map((w) => (
        <p key={w.code} className="sc-warning" data-code={w.code}>
          {pick(w, lang)}
        </p>
      ))}
    </div>
  );
}

export function AuditImportPage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [file, setFile] = useState<File | null>(null);
  const [o, setO] = useState<Options>(() => {
    let actor = '';
    try {
      actor = window.localStorage.getItem(ACTOR_KEY) ?? '';
    } catch {
      // no storage: typed each time
    }
    return { source: '卫片', detectedOn: '', sharePct: String(DEFAULT_DUPLICATE_SHARE * 100), encoding: '', actor };
  });
  const [job, setJob] = useState<CaseImportJob | null>(null);
  const [dry, setDry] = useState<CaseImportReport | null>(null);
  /** The trial run whose checked rows a confirmation commits. */
  const [dryJobId, setDryJobId] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [result, setResult] = useState<CaseImportReport | null>(null);
  const [include, setInclude] = useState<number[]>([]);
  const [error, setError] = useState<AuditApiError | null>(null);
  const [running, setRunning] = useState<'dry' | 'commit' | null>(null);
  const ctl = useRef<AbortController | null>(null);
  /** The signed-in user's name: the server records it as the importer. */
  const [signedIn, setSignedIn] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    void auditSession().then((s) => alive && setSignedIn(s.user?.displayName ?? null));
    return () => {
      alive = false;
    };
  }, []);

  useEffect(() => {
    document.title = `${t('auImportTitle')} · ${t('title')}`;
  }, [t]);
  useEffect(() => () => ctl.current?.abort(), []);

  /** A new file or new options: the report no longer holds. */
  const invalidate = () => {
    if (dryJobId) void caseApi.cancelImport(dryJobId, lang).catch(() => undefined); // its rows are no longer wanted
    setDryJobId(null);
    setCancelled(false);
    setDry(null);
    setResult(null);
    setInclude([]);
    setJob(null);
    setError(null);
  };

  const run = async (dryRun: boolean) => {
    if (!file) return;
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setError(null);
    setJob(null);
    setCancelled(false);
    if (dryRun) {
      setDry(null);
      setDryJobId(null);
      setResult(null);
    }
    setRunning(dryRun ? 'dry' : 'commit');
    try {
      // a trial run uploads the file; the confirmation commits the rows it checked
      const accepted = dryRun || !dryJobId ? await caseApi.startImport(file, importQuery(o, dryRun, include), lang) : await caseApi.commitImport(dryJobId, include, lang);
      const done = await followJob(accepted.statusUrl, lang, setJob, c.signal);
      if (done.phase === 'cancelled') {
        setCancelled(true);
        if (!dryRun) setDryJobId(null);
      } else if (done.phase === 'failed' || !done.report) {
        setError(new AuditApiError(500, done.error?.code ?? 'IMPORT_FAILED', done.error?.message ?? t('auImportFailed')));
      } else if (dryRun) {
        setDry(done.report);
        setDryJobId(done.jobId);
      } else {
        setResult(done.report);
        setDryJobId(null); // committed: nothing left to drop
      }
    } catch (e) {
      if (!c.signal.aborted) setError(asApiError(e));
    } finally {
      if (ctl.current === c) setRunning(null);
    }
  };

  const importable = dry ? dry.counts.ok + include.length : 0;
  return (
    <div className="stock-page stock-parcel-page audit-page">
      <AuditHeader tab="import" lang={props.lang} onLang={props.onLang} nav={props.nav} />
      <div className="stock-parcel-body">
        <h2 className="stock-parcel-title">{t('auImportTitle')}</h2>
        <section className="stock-section">
          <form
            className="audit-import-form"
            data-testid="import-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(true);
            }}
          >
            <label className="stock-q audit-file">
              <span>{t('auImportFile')}</span>
              <input
                type="file"
                name="file"
                accept=".geojson,.json,.zip,application/geo+json,application/json,application/zip"
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  invalidate();
                }}
              />
            </label>
            <p className="stock-note">{t('auImportHint')}</p>
            <p className="stock-note" data-testid="import-no-date-hint">{t('auNoDateHint')}</p>
            <div className="audit-import-options">
              <label className="stock-select">
                <span>{t('auDefaultSource')}</span>
                <select name="source" value={o.source} onChange={(e) => (setO({ ...o, source: e.target.value }), invalidate())}>
                  {CASE_SOURCES.map((s) => (
                    <option key={s} value={s}>
                      {sourceWord(s, lang)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="stock-select">
                <span>{t('auDefaultDate')}</span>
                <input type="date" name="detectedOn" value={o.detectedOn} onChange={(e) => (setO({ ...o, detectedOn: e.target.value }), invalidate())} />
              </label>
              <label className="stock-select">
                <span>{t('auDupShare')}</span>
                <input type="text" inputMode="decimal" name="duplicateShare" className="audit-narrow" value={o.sharePct} onChange={(e) => (setO({ ...o, sharePct: e.target.value }), invalidate())} />
              </label>
              <label className="stock-select">
                <span>{t('encoding')}</span>
                <select name="encoding" value={o.encoding} onChange={(e) => (setO({ ...o, encoding: e.target.value as Options['encoding'] }), invalidate())}>
                  <option value="">{t('auto')}</option>
                  <EncodingOptions />
                </select>
              </label>
              {signedIn ? (
                <SignedInActor name={signedIn} as="span" />
              ) : (
                <label className="stock-select">
                  <span>{t('auActor')}</span>
                  <input type="text" name="actor" value={o.actor} maxLength={50} onChange={(e) => setO({ ...o, actor: e.target.value })} />
                </label>
              )}
            </div>
            <button type="submit" className="stock-primary audit-inline-button" data-testid="dry-run" disabled={!file || running !== null}>
              {running === 'dry' ? t('auDryRunning') : t('auDryRun')}
            </button>
          </form>
          {job && running && (
            <Progress
              job={job}
              onCancel={() => void caseApi.cancelImport(job.jobId, lang).catch((e: unknown) => setError(asApiError(e)))}
            />
          )}
          {cancelled && !running && (
            <p className="stock-note" role="status" data-testid="import-cancelled">
              {t('auImportCancelled')}
            </p>
          )}
          {error && (
            <p className="stock-error" role="alert" data-testid="import-error" data-code={error.code}>
              {t('auImportFailed')}
              {error.message}
            </p>
          )}
        </section>

        {dry && !result && (
          <section className="stock-section" data-testid="dry-report">
            <h2>{t('auDryReport')}</h2>
            <Counts report={dry} testid="dry-counts" />
            <RowReport report={dry} include={include} nav={props.nav} onInclude={(row, on) => setInclude((x) => (on ? [...x.filter((r) => r !== row), row].sort((a, b) => a - b) : x.filter((r) => r !== row)))} />
            <div className="audit-confirm">
              <button type="button" className="stock-primary audit-inline-button" data-testid="commit" disabled={running !== null || importable === 0} onClick={() => void run(false)}>
                {running === 'commit' ? t('auCommitting') : t('auCommit', { n: importable })}
              </button>
              <span className="stock-note">{t('auCommitNote')}</span>
            </div>
          </section>
        )}

        {result && (
          <section className="stock-section" data-testid="import-result">
            <h2>{t('auImportResult')}</h2>
            <Counts report={result} testid="result-counts" />
            <RowReport report={result} include={[]} onInclude={null} nav={props.nav} />
            <p>
              <a href={withLang('/audit', lang)} onClick={props.nav.linkClick(withLang('/audit', lang))}>
                {t('auToQueue')}
              </a>
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
