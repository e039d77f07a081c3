/**
 * 县区统计 (/audit/counties?year=): for a year of detection, per county — cases, pending,
 * confirmed illegal, the farmland those occupy in 亩 (of which permanent farmland), the red
 * line, the room left under 20 亩 and the standing: more than 20 亩 of new illegal farmland
 * in a year costs the county 200 亩 of next year's quota (close from 15 亩). A table and a bar
 * chart with the 20-亩 line, the Excel export, and links to each county's cases in the queue.
 * The figures are the server's (GET /api/cases/stats).
 */
import { useEffect, useState } from 'react';
import type { CaseStatsResponse, CountyCaseStats } from '../../../core/contracts/cases.ts';
import { dataProps, recordCounty, pick, translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { AuditApiError, asApiError, caseApi, statsExportLink } from './api.ts';
import { AuditHeader, DIGITS, formatNumber, type Navigation } from './common.tsx';
import { casePageQuery, emptyCaseFilters } from './query.ts';

const STANDING_COLOR = { over: '#c92a2a', close: '#e8590c', ok: '#2b8a3e' } as const;

const readYear = () => {
  const y = Number(new URLSearchParams(window.location.search).get('year'));
  return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : null;
};

/** The queue of a county's cases detected in a year, optionally of some statuses. */
function queueHref(county: string, year: number, status: string[], lang: Lang) {
  const q = casePageQuery({ ...emptyCaseFilters(), county: [county], status, from: `${year}-01-01`, to: `${year}-12-31` }, lang);
  return `/audit?${q}`;
}

/** Horizontal bars of illegal farmland per county (permanent farmland darker), the 20-亩 limit and the 15-亩 mark. */
function Chart(props: { stats: CaseStatsResponse }) {
  const { t, lang } = useT();
  const { counties, thresholds } = props.stats;
  const W = 720;
  // room for the longest county name (Shunhe Hui District in English)
  const left = lang === 'en' ? 150 : 110;
  const right = 90;
  const rowH = 28;
  const top = 26;
  const H = top + counties.length * rowH + 12;
  const max = Math.max(thresholds.limitMu * 1.25, ...counties.map((c) => c.illegalFarmland.mu * 1.08));
  const x = (mu: number) => left + (mu / max) * (W - left - right);
  return (
    <svg className="audit-chart" data-testid="county-chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('auChartTitle')}>
      {counties.map((c, i) => {
        const y = top + i * rowH;
        return (
          <g key={c.countyCode} data-county={c.countyCode} data-mu={c.illegalFarmland.mu} data-standing={c.standing}>
            <text x={left - 8} y={y + rowH / 2 + 4} textAnchor="end" className="audit-chart-label">
              {recordCounty(c, lang)}
            </text>
            <rect x={left} y={y + 5} width={Math.max(0, x(c.illegalFarmland.mu) - left)} height={rowH - 10} fill={STANDING_COLOR[c.standing]} opacity={0.45} />
            <rect x={left} y={y + 5} width={Math.max(0, x(c.illegalPermanentFarmland.mu) - left)} height={rowH - 10} fill={STANDING_COLOR[c.standing]} />
            <text x={x(c.illegalFarmland.mu) + 5} y={y + rowH / 2 + 4} className="audit-chart-value">
              {formatNumber(c.illegalFarmland.mu, DIGITS.mu)}
            </text>
          </g>
        );
      })}
      <line x1={x(thresholds.closeMu)} x2={x(thresholds.closeMu)} y1={top - 6} y2={H - 6} stroke="#e8590c" strokeDasharray="2 3" />
      <line x1={x(thresholds.limitMu)} x2={x(thresholds.limitMu)} y1={top - 14} y2={H - 6} stroke="#c92a2a" strokeWidth={2} strokeDasharray="6 3" data-testid="limit-line" data-mu={thresholds.limitMu} />
      <text x={x(thresholds.limitMu)} y={top - 16} textAnchor="middle" className="audit-chart-limit">
        {t('auLimitLine', { mu: thresholds.limitMu })}
      </text>
      <line x1={left} x2={left} y1={top - 6} y2={H - 6} stroke="#495057" />
    </svg>
  );
}

function Row(props: { c: Omit<CountyCaseStats, 'standing' | 'quotaPenaltyMu' | 'headroomMu' | 'topTownships'> & Partial<CountyCaseStats>; year: number; total?: boolean; nav: Navigation }) {
  const { t, lang } = useT();
  const { c, year } = props;
  const link = (status: string[], text: string | number) => {
    if (props.total) return text;
    const href = queueHref(c.countyCode, year, status, lang);
    return (
      <a href={href} onClick={props.nav.linkClick(href)}>
        {text}
      </a>
    );
  };
  return (
    <tr data-county={c.countyCode} data-standing={c.standing ?? ''} className={props.total ? 'audit-total-row' : undefined}>
      <th data-field="county">{link([], recordCounty(c, lang))}</th>
      <td className="num" data-field="cases" data-value={c.cases}>
        {link([], c.cases)}
      </td>
      <td className="num" data-field="pending" data-value={c.pending}>
        {link(['待核查', '需实地核查'], c.pending)}
      </td>
      <td className="num" data-field="illegal" data-value={c.illegal}>
        {link(['违法占用'], c.illegal)}
      </td>
      <td className="num" data-field="illegalFarmland" data-value={c.illegalFarmland.mu}>
        <strong>{formatNumber(c.illegalFarmland.mu, DIGITS.mu)}</strong>
      </td>
      <td className="num" data-field="illegalPermanentFarmland" data-value={c.illegalPermanentFarmland.mu}>
        {formatNumber(c.illegalPermanentFarmland.mu, DIGITS.mu)}
      </td>
      <td className="num" data-field="illegalEcoRedline" data-value={c.illegalEcoRedline.mu}>
        {formatNumber(c.illegalEcoRedline.mu, DIGITS.mu)}
      </td>
      <td className="num" data-field="headroom" data-value={c.headroomMu ?? ''}>
        {c.headroomMu === undefined ? '' : formatNumber(c.headroomMu, DIGITS.mu)}
      </td>
      <td data-field="standing">
        {c.standing && (
          <span className={`audit-standing audit-standing-${c.standing}`}>
            {t(`auStanding_${c.standing}` as StringKey, { penalty: c.quotaPenaltyMu ?? 0 })}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Per county, the townships with the most illegally occupied farmland in the year. */
function TopTownships(props: { stats: CaseStatsResponse }) {
  const { t, lang } = useT();
  return (
    <section className="stock-section" data-testid="top-townships">
      <h2>{t('auTownshipTopTitle')}</h2>
      <table className="stock-table audit-townships">
        <tbody>
          {props.stats.counties.map((c) => (
            <tr key={c.countyCode} data-county={c.countyCode}>
              <th>{recordCounty(c, lang)}</th>
              <td>
                {c.topTownships.length === 0 ? (
                  <span className="stock-note">{t('auTownshipTopNone')}</span>
                ) : (
                  c.topTownships.map((w, i) => (
                    <span key={w.code} className="audit-top-township" data-field="township" data-code={w.code} data-mu={w.illegalFarmland.mu}>
                      {i > 0 && translate(lang, 'listSep')}
                      <span {...dataProps(w.name)}>{w.name}</span> {formatNumber(w.illegalFarmland.mu, DIGITS.mu)} {translate(lang, 'unit_mu')}
                      {translate(lang, 'open')}
                      {t('auTownshipTopCases', { n: w.illegal })}
                      {translate(lang, 'close')}
                    </span>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="stock-note">{t('auTownshipTopNote')}</p>
    </section>
  );
}

export function AuditCountiesPage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [year, setYear] = useState<number | null>(readYear);
  const [stats, setStats] = useState<CaseStatsResponse | null>(null);
  const [error, setError] = useState<AuditApiError | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    caseApi
      .stats(year, lang, ctl.signal)
      .then((s) => {
        setStats(s);
        setError(null);
      })
      .catch((e) => !ctl.signal.aborted && setError(asApiError(e)));
    return () => ctl.abort();
  }, [year, lang]);

  useEffect(() => {
    const p = new URLSearchParams(window.location.search);
    if (year) p.set('year', String(year));
    else p.delete('year');
    const q = p.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
    document.title = `${translate(lang, 'auTabCounties')} · ${translate(lang, 'auTitle')}`;
  }, [year, lang]);

  const shown = stats?.year ?? year;
  const years = [...new Set([...(stats?.years ?? []), ...(shown ? [shown] : [])])].sort((a, b) => b - a);
  const total = stats?.total;
  return (
    <div className="stock-page stock-parcel-page audit-page">
      <AuditHeader tab="counties" lang={props.lang} onLang={props.onLang} nav={props.nav} />
      <div className="stock-parcel-body">
        <div className="audit-counties-top">
          <h2 className="stock-parcel-title">{t('auCountiesTitle')}</h2>
          <label className="stock-select">
            <span>{t('auYear')}</span>
            <select name="year" value={shown ?? ''} onChange={(e) => setYear(Number(e.target.value))}>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </label>
          {stats && (
            <a className="stock-export" href={statsExportLink(stats.year)} download data-export="stats-xlsx">
              {t('auExportXlsx')}
            </a>
          )}
        </div>
        {error && (
          <p className="stock-error" role="alert" data-testid="stats-error">
            {t('loadFailed')}
            {error.message}
          </p>
        )}
        {!stats && !error && <p className="loading">{t('loading')}</p>}
        {stats && total && (
          <div data-testid="county-stats" data-year={stats.year}>
            <p className="audit-rule" data-testid="stats-rule">
              {pick({ zh: stats.thresholds.ruleZh, en: t('auRuleEn', { limit: stats.thresholds.limitMu, penalty: stats.thresholds.penaltyMu, close: stats.thresholds.closeMu }) }, lang)}
            </p>
            <p className="audit-headline" data-testid="stats-headline">
              {t('auHeadline', { year: stats.year, over: total.countiesOver, close: total.countiesClose, mu: formatNumber(total.illegalFarmland.mu, DIGITS.mu) })}
            </p>
            <section className="stock-section">
              <div className="audit-table-scroll">
                <table className="stock-table audit-county-table" data-testid="county-table">
                  <thead>
                    <tr>
                      <th>{t('stCol_county')}</th>
                      <th className="num">{t('auStat_cases')}</th>
                      <th className="num">{t('auStat_pending')}</th>
                      <th className="num">{t('auStat_illegal')}</th>
                      <th className="num">{t('auStat_farmland')}</th>
                      <th className="num">{t('auStat_permanent')}</th>
                      <th className="num">{t('auStat_redline')}</th>
                      <th className="num">{t('auStat_headroom')}</th>
                      <th>{t('auStat_standing')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.counties.map((c) => (
                      <Row key={c.countyCode} c={c} year={stats.year} nav={props.nav} />
                    ))}
                  </tbody>
                  <tfoot>
                    <Row c={total} year={stats.year} total nav={props.nav} />
                  </tfoot>
                </table>
              </div>
            </section>
            <TopTownships stats={stats} />
            <section className="stock-section">
              <h2>{t('auChartTitle')}</h2>
              <Chart stats={stats} />
              <p className="stock-note">{t('auChartNote')}</p>
            </section>
          </div>
        )}
      </div>
    </div>
  );
}
