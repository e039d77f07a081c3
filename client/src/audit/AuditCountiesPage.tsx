/**
 * 县区统计 (/audit/counties?year=): for a year of detection, per county — cases, pending,
 * confirmed illegal, the farmland those occupy in 亩 (of which permanent farmland), the red
 * line, the cases on farmland not rectified within the year, the room left under 20 亩 and the
 * standing under the rule's two clauses (core/rectification.ts): more than 20 亩 of new illegal
 * farmland in a year, or such occupation not rectified by 31 December, costs the county 200 亩
 * of next year's quota — the standing says which (close from 15 亩, or while the year runs with
 * cases still to rectify, with the earliest deadline). A table, the cases still to rectify, a
 * bar chart with the 20-亩 line, the Excel export, the rule and its source, and links to each
 * county's cases in the queue. The figures are the server's (GET /api/cases/stats).
 */
import { useEffect, useState } from 'react';
import type { CaseStatsResponse, CountyCaseStats } from '../../../core/contracts/cases.ts';
import { dataProps, recordCounty, pick, translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { AuditApiError, asApiError, caseApi, casePath, statsExportLink } from './api.ts';
import { AuditHeader, DASH, DIGITS, formatNumber, type Navigation } from './common.tsx';
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

type RowFigures = Omit<CountyCaseStats, 'standing' | 'breaches' | 'warnings' | 'quotaPenaltyMu' | 'headroomMu' | 'topTownships' | 'unrectifiedCases' | 'earliestDeadline'> & Partial<CountyCaseStats>;

/** Why a county stands as it does: the clauses it breaches, or is at risk under (core/rectification.ts). */
function standingWhy(c: CountyCaseStats, stats: CaseStatsResponse, t: ReturnType<typeof useT>['t']): string[] {
  const limit = stats.thresholds.limitMu;
  const out: string[] = [];
  if (c.breaches.includes('farmland')) out.push(t('auWhyOverLimit', { limit }));
  if (c.breaches.includes('rectification')) out.push(c.rectifiedLate ? t('auWhyUnrectifiedLate', { n: c.unrectified, late: c.rectifiedLate }) : t('auWhyUnrectified', { n: c.unrectified }));
  if (c.warnings.includes('farmland')) out.push(t('auWhyNearLimit', { limit }));
  if (c.warnings.includes('rectification')) {
    out.push(t('auWhyToRectify', { n: c.unrectified, by: stats.rectifyBy }));
    if (c.earliestDeadline) out.push(c.overdue ? t('auWhyOverdue', { date: c.earliestDeadline, n: c.overdue }) : t('auWhyDeadline', { date: c.earliestDeadline }));
  }
  return out;
}

function Row(props: { c: RowFigures; stats: CaseStatsResponse; total?: boolean; nav: Navigation }) {
  const { t, lang } = useT();
  const { c } = props;
  const year = props.stats.year;
  const why = !props.total && c.breaches ? standingWhy(c as CountyCaseStats, props.stats, t) : [];
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
      <td className="num" data-field="unrectified" data-value={c.unrectified} data-mu={c.unrectifiedFarmland.mu}>
        {c.unrectified > 0 ? link(['违法占用'], c.unrectified) : c.unrectified}
        {c.unrectified > 0 && (
          <span className="audit-unrectified-mu">
            {formatNumber(c.unrectifiedFarmland.mu, DIGITS.mu)} {translate(lang, 'unit_mu')}
          </span>
        )}
      </td>
      <td className="num" data-field="headroom" data-value={c.headroomMu ?? ''}>
        {c.headroomMu === undefined ? '' : formatNumber(c.headroomMu, DIGITS.mu)}
      </td>
      <td data-field="standing" data-breaches={c.breaches?.join(',') ?? ''} data-warnings={c.warnings?.join(',') ?? ''}>
        {c.standing && (
          <span className={`audit-standing audit-standing-${c.standing}`} data-testid="standing-word">
            {t(`auStanding_${c.standing}` as StringKey, { penalty: c.quotaPenaltyMu ?? 0 })}
          </span>
        )}
        {why.length > 0 && (
          <span className="audit-standing-why" data-testid="standing-why">
            {why.join(translate(lang, 'auWhySep'))}
          </span>
        )}
      </td>
    </tr>
  );
}

/** The cases counted as not rectified within the year, per county (the server's five nearest deadlines each). */
function Unrectified(props: { stats: CaseStatsResponse; nav: Navigation }) {
  const { t, lang } = useT();
  const { stats } = props;
  const rows = stats.counties.flatMap((c) => c.unrectifiedCases.map((u) => ({ c, u })));
  const more = stats.counties.some((c) => c.unrectified > c.unrectifiedCases.length);
  return (
    <section className="stock-section" data-testid="unrectified-cases">
      <h2>{stats.yearClosed ? t('auUnrectifiedTitleClosed', { by: stats.rectifyBy }) : t('auUnrectifiedTitleOpen', { by: stats.rectifyBy })}</h2>
      {rows.length === 0 ? (
        <p className="stock-none" data-testid="unrectified-none">
          {t('auUnrectifiedNone')}
        </p>
      ) : (
        <table className="stock-table audit-unrectified">
          <thead>
            <tr>
              <th>{t('stCol_county')}</th>
              <th>{t('auCol_code')}</th>
              <th>{t('auCol_detectedOn')}</th>
              <th>{t('auRectifyDeadline')}</th>
              <th className="num">{t('auCol_farmland')}</th>
              <th>{t('auRectifyStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ c, u }) => {
              const href = casePath(u.id);
              const overdue = !u.doneOn && (u.deadline ?? stats.rectifyBy) < stats.asOf;
              return (
                <tr key={u.id} data-id={u.id} data-county={c.countyCode}>
                  <td>{recordCounty(c, lang)}</td>
                  <td>
                    <a href={href} onClick={props.nav.linkClick(href)} data-testid="unrectified-case">
                      <code>{u.code}</code>
                    </a>
                  </td>
                  <td className="audit-nowrap">{u.detectedOn}</td>
                  <td className="audit-nowrap">{u.deadline ?? DASH}</td>
                  <td className="num">{formatNumber(u.farmland.mu, DIGITS.mu)}</td>
                  <td data-field="state">
                    {u.doneOn ? t('auUnrectifiedLate', { date: u.doneOn }) : overdue ? t('auRectifyOverdue') : t('auUnrectifiedOpen')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {more && <p className="stock-note">{t('auUnrectifiedMore')}</p>}
    </section>
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
              {pick({ zh: stats.thresholds.ruleZh, en: stats.thresholds.ruleEn }, lang)}
            </p>
            <p className="audit-source" data-testid="stats-source">
              {t('auRuleSource')}
              {pick({ zh: stats.thresholds.sourceZh, en: stats.thresholds.sourceEn }, lang)}
            </p>
            <p className="audit-headline" data-testid="stats-headline">
              {t('auHeadline', { year: stats.year, over: total.countiesOver, close: total.countiesClose, mu: formatNumber(total.illegalFarmland.mu, DIGITS.mu) })}
              {stats.yearClosed
                ? t('auHeadlineClosed', { limit: total.countiesOverLimit, unrectified: total.countiesUnrectified, n: total.unrectified })
                : t('auHeadlineOpen', { n: total.unrectified, by: stats.rectifyBy, asOf: stats.asOf })}
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
                      <th className="num">{stats.yearClosed ? t('auStat_unrectifiedClosed') : t('auStat_unrectifiedOpen')}</th>
                      <th className="num">{t('auStat_headroom')}</th>
                      <th>{t('auStat_standing')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.counties.map((c) => (
                      <Row key={c.countyCode} c={c} stats={stats} nav={props.nav} />
                    ))}
                  </tbody>
                  <tfoot>
                    <Row c={total} stats={stats} total nav={props.nav} />
                  </tfoot>
                </table>
              </div>
            </section>
            <Unrectified stats={stats} nav={props.nav} />
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
