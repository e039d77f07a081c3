/**
 * 年度指标 (/figures/revitalisation?year=): the bureau's yearly figures per county, for
 * planners and above — today the stock revitalisation rate (GET /api/figures/revitalisation):
 * a table, a bar chart with the 15 % target line, the Excel export, and the rule with its
 * source printed beside them. docs/domain.md, "The stock-land ledger".
 */
import { useEffect, useState } from 'react';
import { atLeast, ROLE_LABEL } from '../../../core/access.ts';
import { RevitalisationResponse, type RevitalisationRow } from '../../../core/contracts/figures.ts';
import { beijingYear } from '../../../core/beijing-time.ts';
import { SessionBadge, signInHref, useSession } from '../auth/SessionBadge.tsx';
import { asApiError, getJson, type ApiError } from '../http.ts';
import { LangContext, languageNameProps, otherLang, pick, recordCounty, translate, useT, withLang, type Lang } from '../i18n.ts';
import { usePageShell } from '../page-shell.ts';
import { DIGITS, formatNumber } from '../format.ts';
import '../auth/auth.css';
import '../stock/stock.css';
import '../audit/audit.css';

const readYear = () => {
  const y = Number(new URLSearchParams(window.location.search).get('year'));
  return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : beijingYear();
};

function Chart(props: { f: RevitalisationResponse }) {
  const { t, lang } = useT();
  const rows = props.f.counties;
  const W = 720;
  const left = lang === 'en' ? 150 : 110;
  const right = 80;
  const rowH = 28;
  const top = 26;
  const H = top + rows.length * rowH + 12;
  const max = Math.max(props.f.targetPct * 2, ...rows.map((r) => (r.ratePct ?? 0) * 1.08));
  const x = (pct: number) => left + (Math.min(pct, max) / max) * (W - left - right);
  return (
    <svg className="audit-chart" data-testid="figures-chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('fgChartTitle')}>
      {rows.map((r, i) => {
        const y = top + i * rowH;
        const color = r.met === null ? '#adb5bd' : r.met ? '#2b8a3e' : '#c92a2a';
        return (
          <g key={r.countyCode} data-county={r.countyCode} data-rate={r.ratePct ?? ''}>
            <text x={left - 8} y={y + rowH / 2 + 4} textAnchor="end" className="audit-chart-label">
              {recordCounty(r, lang)}
            </text>
            <rect x={left} y={y + 5} width={Math.max(0, x(r.ratePct ?? 0) - left)} height={rowH - 10} fill={color} opacity={0.8} />
            <text x={x(r.ratePct ?? 0) + 5} y={y + rowH / 2 + 4} className="audit-chart-value">
              {r.ratePct === null ? '—' : `${formatNumber(r.ratePct, 2)}%`}
            </text>
          </g>
        );
      })}
      <line x1={x(props.f.targetPct)} x2={x(props.f.targetPct)} y1={top - 14} y2={H - 6} stroke="#c92a2a" strokeWidth={2} strokeDasharray="6 3" data-testid="target-line" />
      <text x={x(props.f.targetPct)} y={top - 16} textAnchor="middle" className="audit-chart-limit">
        {t('fgTargetLine', { pct: props.f.targetPct })}
      </text>
      <line x1={left} x2={left} y1={top - 6} y2={H - 6} stroke="#495057" />
    </svg>
  );
}

function Row(props: { r: RevitalisationRow; total?: boolean }) {
  const { t, lang } = useT();
  const { r } = props;
  const mu = (v: number) => formatNumber(v, DIGITS.mu);
  return (
    <tr data-county={r.countyCode} data-met={r.met === null ? '' : String(r.met)} className={props.total ? 'audit-total-row' : undefined}>
      <th data-field="county">{props.total ? t('fgCity') : recordCounty(r, lang)}</th>
      <td className="num" data-field="startCount">{r.startCount}</td>
      <td className="num" data-field="start" data-value={r.start.mu}>{mu(r.start.mu)}</td>
      <td className="num" data-field="revitalisedCount">{r.revitalisedCount}</td>
      <td className="num" data-field="revitalised" data-value={r.revitalised.mu}>{mu(r.revitalised.mu)}</td>
      <td className="num" data-field="supply">{mu(r.byKind.supply.mu)}</td>
      <td className="num" data-field="dispose">{mu(r.byKind.dispose.mu)}</td>
      <td className="num" data-field="redevelop">{mu(r.byKind.redevelop.mu)}</td>
      <td className="num" data-field="rate" data-value={r.ratePct ?? ''}>
        <strong>{r.ratePct === null ? '—' : `${formatNumber(r.ratePct, 2)}%`}</strong>
      </td>
      <td data-field="standing">
        {r.met === null ? t('fgNoStock') : r.met ? <span className="audit-standing audit-standing-ok">{t('fgMet')}</span> : <span className="audit-standing audit-standing-over">{t('fgShort', { mu: mu(r.shortfallMu) })}</span>}
      </td>
    </tr>
  );
}

function RevitalisationPage(props: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t, lang } = useT();
  const [year, setYear] = useState<number>(readYear);
  const [f, setF] = useState<RevitalisationResponse | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    getJson(`/api/figures/revitalisation?year=${year}`, { lang, signal: ctl.signal, schema: RevitalisationResponse })
      .then((v) => {
        setF(v);
        setError(null);
      })
      .catch((e) => !ctl.signal.aborted && setError(asApiError(e)));
    return () => ctl.abort();
  }, [year, lang]);

  useEffect(() => {
    const p = new URLSearchParams(window.location.search);
    p.set('year', String(year));
    window.history.replaceState(window.history.state, '', `${window.location.pathname}?${p.toString()}`);
    document.title = `${translate(lang, 'fgRevitalisation')} · ${translate(lang, 'title')}`;
  }, [year, lang]);

  const now = beijingYear();
  const years = Array.from({ length: now - 2020 }, (_, i) => now - i);
  return (
    <div className="stock-page">
      <header className="app-header stock-header">
        <h1>
          <a href={withLang('/', lang)} className="home-link" title={t('stBackToMap')}>
            {t('title')}
          </a>
          <span className="stock-title"> · {t('fgTitle')}</span>
        </h1>
        <button type="button" className="lang-switch" onClick={() => props.onLang(otherLang(lang))} {...languageNameProps(otherLang(lang))}>
          {t('language')}
        </button>
        <SessionBadge />
      </header>
      <div className="stock-parcel-body">
        <section className="stock-section" data-testid="revitalisation">
          <h2>
            {t('fgRevitalisation')}{' '}
            <label>
              {t('fgYear')}{' '}
              <select data-testid="figures-year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
                {years.map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </label>{' '}
            <a href={`/api/figures/revitalisation/export.xlsx?year=${year}`} data-testid="figures-export" download>
              {t('fgExport')}
            </a>
          </h2>
          {error && (
            <p className="stock-error" role="alert">
              {t('loadFailed')}
              {error.message}
            </p>
          )}
          {!f && !error && <p className="loading">{t('loading')}</p>}
          {f && (
            <>
              <p className="stock-note" data-testid="figures-rule">
                {pick({ zh: f.rule.zh, en: f.rule.en }, lang)} {t('fgSource')}
                {pick({ zh: f.rule.sourceZh, en: f.rule.sourceEn }, lang)}
              </p>
              <table className="stock-table" data-testid="figures-table" data-year={f.year}>
                <thead>
                  <tr>
                    <th>{t('fgCounty')}</th>
                    <th>{t('fgStartCount')}</th>
                    <th>{t('fgStartMu')}</th>
                    <th>{t('fgRevCount')}</th>
                    <th>{t('fgRevMu')}</th>
                    <th>{t('fgSupplyMu')}</th>
                    <th>{t('fgDisposeMu')}</th>
                    <th>{t('fgRedevelopMu')}</th>
                    <th>{t('fgRate')}</th>
                    <th>{t('fgStanding', { pct: f.targetPct })}</th>
                  </tr>
                </thead>
                <tbody>
                  {f.counties.map((r) => (
                    <Row key={r.countyCode} r={r} />
                  ))}
                  <Row r={f.total} total />
                </tbody>
              </table>
              <Chart f={f} />
              <p className="stock-note">
                {t('stDataVersion')} <code>{f.dataVersion}</code>
              </p>
            </>
          )}
        </section>
      </div>
    </div>
  );
}

export function FiguresApp() {
  const { lang, onLang } = usePageShell();
  const session = useSession();
  if (!session) return null;
  const role = session.user?.role ?? 'public';
  if (!atLeast('planner').includes(role)) {
    return (
      <LangContext.Provider value={lang}>
        <div className="audit-denied" data-testid="figures-denied">
          <p role="alert">{role === 'public' ? translate(lang, 'fgNeedsSignIn') : translate(lang, 'fgForbidden', { role: ROLE_LABEL[role][lang] })}</p>
          <p>
            <a href={signInHref(lang)}>{translate(lang, 'siSignIn')}</a>
            {' · '}
            <a href={withLang('/', lang)}>{translate(lang, 'siBackToMap')}</a>
          </p>
        </div>
      </LangContext.Provider>
    );
  }
  return (
    <LangContext.Provider value={lang}>
      <RevitalisationPage lang={lang} onLang={onLang} />
    </LangContext.Provider>
  );
}
