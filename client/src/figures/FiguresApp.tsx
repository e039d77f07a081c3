/**
 * 年度指标 (/figures/…?year=): the bureau's yearly figures per county, for planners and above,
 * each a table, a bar chart with its line, the Excel export, and the rule with its source
 * printed beside them; a tab row links them:
 * - /figures/revitalisation: the stock revitalisation rate (GET /api/figures/revitalisation)
 *   against the 15 % target (docs/domain.md, "The stock-land ledger");
 * - /figures/farmland-share: the farmland share of new construction land (占耕比, GET
 *   /api/figures/farmland-share) against the provincial average, with the +200 / −100 亩 quota
 *   and the year's approved sites (docs/domain.md, "New construction land and its farmland share").
 */
import { useEffect, useState, type ReactNode } from 'react';
import { atLeast, ROLE_LABEL } from '../../../core/access.ts';
import { FarmlandShareResponse, RevitalisationResponse, type FarmlandShareRow, type RevitalisationRow } from '../../../core/contracts/figures.ts';
import { beijingYear } from '../../../core/beijing-time.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import { Denied } from '../auth/Denied.tsx';
import { asApiError, getJson, type ApiError } from '../http.ts';
import { dataProps, LangContext, pick, recordCounty, translate, useT, withLang, type Lang, type StringKey } from '../i18n.ts';
import { usePageShell } from '../page-shell.ts';
import { StockHeader } from '../stock/common.tsx';
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

/** The figures' pages, each with its title key and address. */
const PAGES = [
  { path: '/figures/revitalisation', title: 'fgRevitalisation' },
  { path: '/figures/farmland-share', title: 'fsTitle' },
] as const satisfies readonly { path: string; title: StringKey }[];
type FiguresPath = (typeof PAGES)[number]['path'];

/** The year in the address and the page's title, kept as the year and language change. */
function useYear(title: StringKey, lang: Lang): [number, (y: number) => void] {
  const [year, setYear] = useState<number>(readYear);
  useEffect(() => {
    const p = new URLSearchParams(window.location.search);
    p.set('year', String(year));
    window.history.replaceState(window.history.state, '', `${window.location.pathname}?${p.toString()}`);
    document.title = `${translate(lang, title)} · ${translate(lang, 'title')}`;
  }, [year, lang, title]);
  return [year, setYear];
}

/** Fetches a figure of the year, again when the year or language changes. */
function useFigure<T>(url: string, schema: { parse: (v: unknown) => T }, lang: Lang): { f: T | null; error: ApiError | null } {
  const [f, setF] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    getJson(url, { lang, signal: ctl.signal, schema })
      .then((v) => {
        setF(v);
        setError(null);
      })
      .catch((e) => !ctl.signal.aborted && setError(asApiError(e)));
    return () => ctl.abort();
  }, [url, lang, schema]);
  return { f, error };
}

/** The page's frame: header, the tabs to the other figures, the year, the export and the figure. */
function FiguresFrame(props: {
  lang: Lang;
  onLang: (l: Lang) => void;
  current: FiguresPath;
  testId: string;
  year: number;
  onYear: (y: number) => void;
  exportHref: string;
  error: ApiError | null;
  loaded: boolean;
  children: ReactNode;
}) {
  const { t, lang } = useT();
  const now = beijingYear();
  const years = Array.from({ length: now - 2020 }, (_, i) => now - i);
  const title = PAGES.find((p) => p.path === props.current)!.title;
  return (
    <div className="stock-page">
      <StockHeader title={t('fgTitle')} lang={lang} onLang={props.onLang} subtitle={false} />
      <div className="stock-parcel-body">
        <nav className="figures-nav" data-testid="figures-nav" aria-label={t('fgNav')}>
          {PAGES.map((p) =>
            p.path === props.current ? (
              <strong key={p.path} aria-current="page">
                {t(p.title)}
              </strong>
            ) : (
              <a key={p.path} href={withLang(`${p.path}?year=${props.year}`, lang)} data-testid={`figures-nav-${p.path.split('/').pop()}`}>
                {t(p.title)}
              </a>
            ),
          )}
        </nav>
        <section className="stock-section" data-testid={props.testId}>
          <h2>
            {t(title)}{' '}
            <label>
              {t('fgYear')}{' '}
              <select data-testid="figures-year" value={props.year} onChange={(e) => props.onYear(Number(e.target.value))}>
                {years.map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </label>{' '}
            <a href={props.exportHref} data-testid="figures-export" download>
              {t('fgExport')}
            </a>
          </h2>
          {props.error && (
            <p className="stock-error" role="alert">
              {t('loadFailed')}
              {props.error.message}
            </p>
          )}
          {!props.loaded && !props.error && <p className="loading">{t('loading')}</p>}
          {props.children}
        </section>
      </div>
    </div>
  );
}

function RevitalisationPage(props: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t, lang } = useT();
  const [year, setYear] = useYear('fgRevitalisation', lang);
  const { f, error } = useFigure(`/api/figures/revitalisation?year=${year}`, RevitalisationResponse, lang);
  return (
    <FiguresFrame
      lang={lang}
      onLang={props.onLang}
      current="/figures/revitalisation"
      testId="revitalisation"
      year={year}
      onYear={setYear}
      exportHref={`/api/figures/revitalisation/export.xlsx?year=${year}`}
      error={error}
      loaded={!!f}
    >
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
    </FiguresFrame>
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${formatNumber(v, 2)}%`);
const STANDING_COLOR = { below: '#2b8a3e', equal: '#1971c2', above: '#c92a2a' } as const;

/** Horizontal bars of each county's share, the provincial average as a dashed line. */
function FarmlandChart(props: { f: FarmlandShareResponse }) {
  const { t, lang } = useT();
  const rows = props.f.counties;
  const W = 720;
  const left = lang === 'en' ? 150 : 110;
  const right = 80;
  const rowH = 28;
  const top = 26;
  const H = top + rows.length * rowH + 12;
  const max = Math.min(100, Math.max(props.f.averagePct * 2, ...rows.map((r) => (r.sharePct ?? 0) * 1.08))) || 100;
  const x = (v: number) => left + (Math.min(v, max) / max) * (W - left - right);
  return (
    <svg className="audit-chart" data-testid="figures-chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('fsChartTitle')}>
      {rows.map((r, i) => {
        const y = top + i * rowH;
        return (
          <g key={r.countyCode} data-county={r.countyCode} data-share={r.sharePct ?? ''} data-standing={r.standing ?? ''}>
            <text x={left - 8} y={y + rowH / 2 + 4} textAnchor="end" className="audit-chart-label">
              {recordCounty(r, lang)}
            </text>
            <rect x={left} y={y + 5} width={Math.max(0, x(r.sharePct ?? 0) - left)} height={rowH - 10} fill={r.standing ? STANDING_COLOR[r.standing] : '#adb5bd'} opacity={0.8} />
            <text x={x(r.sharePct ?? 0) + 5} y={y + rowH / 2 + 4} className="audit-chart-value">
              {pct(r.sharePct)}
            </text>
          </g>
        );
      })}
      <line x1={x(props.f.averagePct)} x2={x(props.f.averagePct)} y1={top - 14} y2={H - 6} stroke="#c92a2a" strokeWidth={2} strokeDasharray="6 3" data-testid="average-line" data-pct={props.f.averagePct} />
      <text x={x(props.f.averagePct)} y={top - 16} textAnchor="middle" className="audit-chart-limit">
        {t('fsAverageLine', { pct: props.f.averagePct })}
      </text>
      <line x1={left} x2={left} y1={top - 6} y2={H - 6} stroke="#495057" />
    </svg>
  );
}

/** "+200 亩", "−100 亩", "不奖不扣", "—" (no figure); the city's as the counties' net. */
function QuotaCell(props: { r: FarmlandShareRow; total?: boolean }) {
  const { t } = useT();
  const { r } = props;
  const mu = Math.abs(r.quotaMu);
  if (props.total) return <>{t('fsNet', { mu: r.quotaMu > 0 ? `+${mu}` : r.quotaMu < 0 ? `−${mu}` : '0' })}</>;
  if (r.standing === null) return <>—</>;
  if (r.quotaMu > 0) return <span className="audit-standing audit-standing-ok">{t('fsReward', { mu })}</span>;
  if (r.quotaMu < 0) return <span className="audit-standing audit-standing-over">{t('fsPenalty', { mu })}</span>;
  return <span className="audit-standing audit-standing-close">{t('fsNoChange')}</span>;
}

function FarmlandRow(props: { r: FarmlandShareRow; total?: boolean }) {
  const { t, lang } = useT();
  const { r } = props;
  const mu = (v: number) => formatNumber(v, DIGITS.mu);
  const standing = r.standing === null ? t('fsNone') : t(r.standing === 'below' ? 'fsBelow' : r.standing === 'above' ? 'fsAbove' : 'fsEqual');
  return (
    <tr data-county={r.countyCode} data-standing={r.standing ?? ''} data-quota={r.quotaMu} className={props.total ? 'audit-total-row' : undefined}>
      <th data-field="county">{props.total ? t('fgCity') : recordCounty(r, lang)}</th>
      <td className="num" data-field="approvedCount">{r.approvedCount}</td>
      <td className="num" data-field="newLand" data-value={r.newLand.mu}>{mu(r.newLand.mu)}</td>
      <td className="num" data-field="farmland" data-value={r.farmland.mu}>{mu(r.farmland.mu)}</td>
      <td className="num" data-field="permanent" data-value={r.permanentFarmland.mu}>{mu(r.permanentFarmland.mu)}</td>
      <td className="num" data-field="general" data-value={r.generalFarmland.mu}>{mu(r.generalFarmland.mu)}</td>
      <td className="num" data-field="share" data-value={r.sharePct ?? ''}>
        <strong>{pct(r.sharePct)}</strong>
      </td>
      <td data-field="standing">{standing}</td>
      <td data-field="quota">
        <QuotaCell r={r} total={props.total} />
      </td>
    </tr>
  );
}

function FarmlandSharePage(props: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t, lang } = useT();
  const [year, setYear] = useYear('fsTitle', lang);
  const { f, error } = useFigure(`/api/figures/farmland-share?year=${year}`, FarmlandShareResponse, lang);
  const county = (code: string) => {
    const c = f?.counties.find((x) => x.countyCode === code);
    return c ? recordCounty(c, lang) : code;
  };
  return (
    <FiguresFrame
      lang={lang}
      onLang={props.onLang}
      current="/figures/farmland-share"
      testId="farmland-share"
      year={year}
      onYear={setYear}
      exportHref={`/api/figures/farmland-share/export.xlsx?year=${year}`}
      error={error}
      loaded={!!f}
    >
      {f && (
        <>
          <p className="stock-note" data-testid="figures-rule">
            {pick({ zh: f.rule.zh, en: f.rule.en }, lang)} {t('fgSource')}
            {pick({ zh: f.rule.sourceZh, en: f.rule.sourceEn }, lang)}
          </p>
          <p className="stock-note" data-testid="figures-average" data-pct={f.averagePct}>
            <strong>{t('fsAverage', { pct: f.averagePct })}</strong>
          </p>
          <table className="stock-table" data-testid="figures-table" data-year={f.year}>
            <thead>
              <tr>
                <th>{t('fgCounty')}</th>
                <th>{t('fsApprovedCount')}</th>
                <th>{t('fsNewLandMu')}</th>
                <th>{t('fsFarmlandMu')}</th>
                <th>{t('fsPermanentMu')}</th>
                <th>{t('fsGeneralMu')}</th>
                <th>{t('fsShare')}</th>
                <th>{t('fsStanding', { pct: f.averagePct })}</th>
                <th>{t('fsQuota')}</th>
              </tr>
            </thead>
            <tbody>
              {f.counties.map((r) => (
                <FarmlandRow key={r.countyCode} r={r} />
              ))}
              <FarmlandRow r={f.total} total />
            </tbody>
          </table>
          <FarmlandChart f={f} />
          <p className="stock-note">{t('fsHowCounted')}</p>
          <h3>{t('fsApprovals', { year: f.year })}</h3>
          {f.approvals.length === 0 ? (
            <p className="stock-note" data-testid="figures-no-approvals">
              {t('fsNoApprovals')}
            </p>
          ) : (
            <table className="stock-table" data-testid="figures-approvals">
              <thead>
                <tr>
                  <th>{t('fsApprovedOn')}</th>
                  <th>{t('fsApprovalNo')}</th>
                  <th>{t('fsProject')}</th>
                  <th>{t('fgCounty')}</th>
                  <th>{t('fsNewLandMu')}</th>
                  <th>{t('fsFarmlandMu')}</th>
                </tr>
              </thead>
              <tbody>
                {f.approvals.map((a) => (
                  <tr key={a.checkId} data-check={a.checkId}>
                    <td className="num">{a.approvedOn}</td>
                    <td>
                      <span {...dataProps(a.approvalNo)}>{a.approvalNo}</span>
                    </td>
                    <td>
                      <a href={withLang(`/reports/${a.checkId}`, lang)}>{a.name ? <span {...dataProps(a.name)}>{a.name}</span> : t('fsUnnamed')}</a>
                    </td>
                    <td>{county(a.countyCode)}</td>
                    <td className="num" data-value={a.newLand.mu}>{formatNumber(a.newLand.mu, DIGITS.mu)}</td>
                    <td className="num" data-value={a.farmland.mu}>{formatNumber(a.farmland.mu, DIGITS.mu)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="stock-note">
            {t('stDataVersion')} <code>{f.dataVersion}</code>
          </p>
        </>
      )}
    </FiguresFrame>
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
        <Denied lang={lang} testid="figures-denied" message={role === 'public' ? translate(lang, 'fgNeedsSignIn') : translate(lang, 'fgForbidden', { role: ROLE_LABEL[role][lang] })} />
      </LangContext.Provider>
    );
  }
  const farmland = /^\/figures\/farmland-share\/?$/.test(window.location.pathname);
  return <LangContext.Provider value={lang}>{farmland ? <FarmlandSharePage lang={lang} onLang={onLang} /> : <RevitalisationPage lang={lang} onLang={onLang} />}</LangContext.Provider>;
}
