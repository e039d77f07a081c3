/**
 * The filed site-check report as a printable page (`/reports/{id}`): identity, the stock-first
 * step (what the stock-land library offered, and why new land all the same), the site's
 * provenance (file, detected and confirmed CRS, datum, accepted warnings — an approximate
 * placement in red, on screen and in print), verdicts with
 * their rules, a site map and one figure a layer the site touches, the overlap tables in
 * m², 公顷 and 亩, the trimmed (compliant) part, and the exports. Laid out on A4: the
 * browser's print (or “save as PDF”) gives the document to file; the toolbar is not printed.
 */
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { atLeast } from '../../../core/access.ts';
import { beijingToday } from '../../../core/beijing-time.ts';
import { BOUNDARY_RULE, type LayerId } from '../../../core/layers.ts';
import { SiteCheckApproval, type AreaUnitsT } from '../../../core/contracts/site-check.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import { asApiError, postJson, type ApiError } from '../http.ts';
import { api } from '../api.ts';
import { BOUNDARY_POINTS_DATUM, DATUM_LABEL, isApproximate, provenanceRows } from '../../../core/provenance.ts';
import { countyName, languageNameProps, dataProps, htmlLang, langOfSearch, otherLang, pickField, setLangParam, translate, vocabularyWord, withLang, type Lang } from '../i18n.ts';
import { PLANNED_USE_EN } from '../../../core/vocabulary.ts';
import { FigureLegend, ReportMap, type BaseMapData } from './ReportMap.tsx';
import { countyLabelCollection } from '../map/style.ts';
import { AreaFigures } from '../AreaFigures.tsx';
import { DASH, beijingTimeStated, formatAreaFigure, formatAreaUnits, formatMu, formatNumber, formatShare, unitWord, type AreaUnit } from '../format.ts';
import { radiusText } from '../../../core/stock-first.ts';
import {
  STATUS_LABEL,
  ZONES_3,
  attributeLabel,
  attributeValue,
  boundaryPointsDefaults,
  distanceText,
  exportLinks,
  fetchBoundaryPoints,
  fetchReport,
  layerFigure,
  layerName,
  mainFigure,
  overallStatus,
  trimmedFigure,
  verificationLink,
  word,
  type BoundaryPointsTable,
  type Report,
  type WordKey,
} from './report-model.ts';
import './report.css';

const EMPTY_BASE: BaseMapData = { countyLabels: { type: 'FeatureCollection', features: [] }, cityBbox: null, maxTileZoom: 16 };

/** The three area cells of a row: m², 公顷, 亩 (raw values in data attributes for tests and tools). */
const AREA_COLUMNS: AreaUnit[] = ['m2', 'ha', 'mu'];

function AreaCells(props: { area: AreaUnitsT }) {
  return (
    <>
      {AREA_COLUMNS.map((u) => (
        <td key={u} className="num" data-unit={u} data-value={props.area[u]}>
          {formatAreaFigure(props.area, u)}
        </td>
      ))}
    </>
  );
}

/** The unit headers of area columns. */
function AreaHeads(props: { label: string; lang: Lang }) {
  return (
    <>
      {AREA_COLUMNS.map((u) => (
        <th key={u} className="num">
          {props.label}
          {translate(props.lang, 'open')}
          {unitWord(u, props.lang)}
          {translate(props.lang, 'close')}
        </th>
      ))}
    </>
  );
}

/** An area written once in all three units: "541.49 亩（36.0993 公顷，360,992.69 m²）". */
const AreaText = (props: { area: AreaUnitsT; lang: Lang }) => <AreaFigures area={props.area} lang={props.lang} className="area-text" />;

function Section(props: { title: string; id: string; children: ReactNode; className?: string }) {
  return (
    <section className={`report-section ${props.className ?? ''}`} data-section={props.id}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** The toolbar: exports, print, language. Hidden in print. */
/** The zone, prefix and datum the 界址点 export and the report's 界址点坐标表 use (chosen in the toolbar). */
interface PointsChoice {
  zone: number;
  prefix: boolean;
  datum: 'source' | 'cgcs2000';
}

function Toolbar(props: { report: Report; lang: Lang; onLang: () => void; choice: PointsChoice; onChoice: (c: PointsChoice) => void }) {
  const { report, lang } = props;
  const defaults = useMemo(() => boundaryPointsDefaults(report), [report]);
  const { zone, prefix, datum } = props.choice;
  const setZone = (z: number) => props.onChoice({ ...props.choice, zone: z });
  const setPrefix = (p: boolean) => props.onChoice({ ...props.choice, prefix: p });
  const setDatum = (d: 'source' | 'cgcs2000') => props.onChoice({ ...props.choice, datum: d });
  const [encoding, setEncoding] = useState<'gbk' | 'utf-8'>('gbk');
  const links = exportLinks(report.id, zone, encoding, { prefix, datum });
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  return (
    <nav className="report-toolbar no-print" data-testid="report-toolbar">
      <a className="tool-link" href={withLang('/', lang)}>
        ← {w('backToMap')}
      </a>
      <span className="tool-group">
        <strong>{w('exports')}</strong>
        <a href={links.xlsx} download data-export="xlsx">{w('excel')}</a>
        <a href={links.geojson} download data-export="geojson">{w('geojson')}</a>
        <a href={links.zip} download data-export="zip">{w('shapefile')}</a>
        <span className="tool-group">
          <a href={links.boundaryPoints} download data-export="boundary-points">{w('boundaryPoints')}</a>
          <label>
            {w('zone')}
            <select value={zone} onChange={(e) => setZone(Number(e.target.value))} data-testid="zone-select">
              {ZONES_3.map((z) => (
                <option key={z} value={z}>
                  {z}
                  {translate(lang, 'open')}
                  {3 * z}°E{translate(lang, 'close')}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={prefix} onChange={(e) => setPrefix(e.target.checked)} data-testid="prefix-toggle" />
            {w('prefix')}
          </label>
          {defaults.cgcs2000Allowed && (
            <label>
              {w('exportDatum')}
              <select value={datum} onChange={(e) => setDatum(e.target.value as 'source' | 'cgcs2000')} data-testid="datum-select">
                <option value="source">{w('datumSource')}</option>
                <option value="cgcs2000">{w('datumCgcs2000')}</option>
              </select>
            </label>
          )}
          <label>
            {w('encoding')}
            <select value={encoding} onChange={(e) => setEncoding(e.target.value as 'gbk' | 'utf-8')}>
              <option value="gbk">GBK</option>
              <option value="utf-8">UTF-8</option>
            </select>
          </label>
        </span>
      </span>
      <span className="tool-end">
        <button type="button" className="lang-button" onClick={props.onLang} {...languageNameProps(otherLang(lang))}>
          {w('language')}
        </button>
        <button type="button" className="print-button" data-testid="print" onClick={() => window.print()}>
          {w('print')}
        </button>
      </span>
    </nav>
  );
}

/** The 坐标系= name of the boundary points in the page's language (a file's own name stays as written). */
function datumWord(name: string, lang: Lang): string {
  const known = (Object.keys(BOUNDARY_POINTS_DATUM) as (keyof typeof BOUNDARY_POINTS_DATUM)[]).find((k) => BOUNDARY_POINTS_DATUM[k] === name);
  return known && lang === 'en' ? DATUM_LABEL[known].en : name;
}

/** The report itself. */
function ReportDocument(props: { report: Report; base: BaseMapData | null; lang: Lang; choice: PointsChoice }) {
  const { report, base, lang } = props;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  const touched = report.layers.filter((l) => l.intersects);
  const udb = report.layers.find((l) => l.layerId === BOUNDARY_RULE);
  const outside = !!udb?.outsideGeometry;
  const overall = overallStatus(report);
  const main = useMemo(() => mainFigure(report), [report]);
  const hits = report.layers.flatMap((l) => l.features.map((f) => ({ layer: l, f })));
  const trimmedLost = report.trimmed.lost.m2 > 0.01;
  const mainLayers = main.overlaps.map((o) => o.layerId);
  // a reader without the role to see restricted layers: their figures come rounded, their features and outlines not at all
  const withheld = report.redacted ? report.layers.filter((l) => l.count === null) : [];
  const withheldIds = new Set(withheld.map((l) => l.layerId));
  const withheldTouched = withheld.filter((l) => l.intersects);
  const names = (ls: typeof withheld) => ls.map((l) => layerName(l, lang)).join(lang === 'zh' ? '、' : ', ');

  return (
    <article className="report-paper" data-testid="report" data-report-id={report.id} lang={htmlLang(lang)}>
      <header className="report-header">
        <h1>{w('title')}</h1>
        <p className="report-id">
          {w('reportId')}
          {translate(lang, 'colon')}
          <code>{report.id}</code>
        </p>
      </header>
      {report.coarseAreaMu !== undefined && (
        <div className="report-withheld" data-testid="coarse-note" data-layers={withheld.map((l) => l.layerId).join(',')}>
          <strong>{w('withheldTitle')}</strong>
          <ul>
            <li data-testid="withheld-layers">{w('withheldLayers', { layers: names(withheld) })}</li>
            <li>{w('withheldFigures', { step: report.coarseAreaMu })}</li>
            <li>{w('withheldTrimmed', { step: report.coarseAreaMu })}</li>
            <li>{w('withheldFull')}</li>
          </ul>
        </div>
      )}
      {isApproximate(report.provenance) && (
        <p className="report-alert" data-testid="approximate-alert">
          {w('approximateAlert')}
        </p>
      )}
      {report.expiresAt && (
        <p className="report-note" data-testid="lapses-note">
          {w('lapses')} {beijingTimeStated(report.expiresAt, lang)}{w('lapsesAfter')}
        </p>
      )}

      <Section title={w('basics')} id="basics">
        <table className="report-table kv">
          <tbody>
            <tr>
              <th>{w('name')}</th>
              <td data-field="name">{report.name === null ? w('notGiven') : <span {...dataProps(report.name)}>{report.name}</span>}</td>
              <th>{w('use')}</th>
              <td data-field="use">{report.use === null ? w('notGiven') : vocabularyWord(PLANNED_USE_EN, report.use, lang)}</td>
            </tr>
            <tr>
              <th>{w('time')}</th>
              <td data-field="time">{beijingTimeStated(report.createdAt, lang)}</td>
              <th>{w('dataVersion')}</th>
              <td data-field="dataVersion">
                <code>{report.dataVersion}</code>
              </td>
            </tr>
            <tr>
              <th>{w('filedBy')}</th>
              <td colSpan={3} data-field="filedBy" data-role={report.filedBy?.role ?? ''}>
                {filerText(report, lang)}
              </td>
            </tr>
            {report.approval !== undefined && (
              <tr>
                <th>{w('approval')}</th>
                <td colSpan={3} data-field="approval" data-approved={report.approval ? 'true' : 'false'}>
                  <ApprovalText report={report} lang={lang} />
                </td>
              </tr>
            )}
            <tr>
              <th>{w('siteArea')}</th>
              <td colSpan={3} data-field="siteArea">
                <AreaText area={report.site.area} lang={lang} />
              </td>
            </tr>
            {report.bufferMeters > 0 && (
              <tr>
                <th>{w('analysedArea')}</th>
                <td colSpan={3}>
                  <AreaText area={report.site.analysedArea} lang={lang} />
                  {translate(lang, 'open')}
                  {w('buffer')} {report.bufferMeters} m{translate(lang, 'close')}
                </td>
              </tr>
            )}
            {report.site.repairNoteZh && (
              <tr>
                <th>{w('repair')}</th>
                <td colSpan={3}>{report.site.repairNoteZh}</td>
              </tr>
            )}
            <tr>
              <th>{w('hash')}</th>
              <td colSpan={3} data-field="contentHash">
                <code className="hash">{report.contentHash}</code>
              </td>
            </tr>
          </tbody>
        </table>
      </Section>

      <ProvenanceSection report={report} lang={lang} />

      <TownshipsSection report={report} lang={lang} />

      <StockFirstSection report={report} lang={lang} />

      <Section title={w('verdicts')} id="verdicts">
        <p className={`overall status-${overall}`} data-testid="overall" data-status={overall}>
          {w(`overall_${overall}`)}
        </p>
        <table className="report-table verdicts">
          <thead>
            <tr>
              <th className="col-rule">{w('rule')}</th>
              <th className="col-status">{w('status')}</th>
              <th>{w('message')}</th>
              <th className="col-ruletext">{w('ruleText')}</th>
            </tr>
          </thead>
          <tbody>
            {report.verdicts.map((v) => (
              <tr key={v.rule} data-testid={`verdict-${v.rule}`} data-status={v.status}>
                <th>{pickField(v, 'title', lang)}</th>
                <td>
                  <span className={`status-badge status-${v.status}`}>{STATUS_LABEL[v.status][lang]}</span>
                </td>
                <td>{pickField(v, 'message', lang)}</td>
                <td className="rule-text">{pickField(v, 'ruleText', lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title={w('siteMap')} id="site-map" className="keep-together">
        {base ? (
          <ReportMap
            content={main}
            base={base}
            lang={lang}
            className="figure-main"
            figureId="site"
            wide
            caption={
              <>
                {w('siteMap')}
                {translate(lang, 'colon')}
                {report.name === null ? report.id.slice(0, 8) : <span {...dataProps(report.name)}>{report.name}</span>}
              </>
            }
            note={withheldTouched.length ? w('frameWithheldMain', { layers: names(withheldTouched) }) : undefined}
          />
        ) : (
          <div className="report-figure figure-main placeholder">{w('mapLoading')}</div>
        )}
        <FigureLegend lang={lang} layerIds={mainLayers} outside={outside} trimmed={false} />
      </Section>

      <Section title={w('overlay')} id="overlay">
        <table className="report-table overlay" data-testid="overlay-table">
          <thead>
            <tr>
              <th>{w('layer')}</th>
              <th>{w('involved')}</th>
              <th className="num">{w('count')}</th>
              <AreaHeads label={w('area')} lang={lang} />
              <th className="num">{w('share')}</th>
            </tr>
          </thead>
          <tbody>
            {report.layers.map((l) => (
              <LayerRows key={l.layerId} l={l} lang={lang} />
            ))}
          </tbody>
        </table>
      </Section>

      {touched.length > 0 && (
        <Section title={w('layerFigures')} id="layer-figures">
          <div className="figure-grid">
            {touched.map((l) => (
              <div key={l.layerId} className="figure-cell">
                {base ? (
                  <ReportMap
                    content={layerFigure(report, l)}
                    base={base}
                    lang={lang}
                    className="figure-small"
                    figureId={l.layerId}
                    caption={`${layerName(l, lang)}${translate(lang, 'colon')}${formatAreaUnits(l.area, lang)}${l.count === null ? '' : `${translate(lang, 'comma')}${w('featureCount', { n: l.count })}`}`}
                    note={withheldIds.has(l.layerId) ? w('frameWithheld', { layer: layerName(l, lang), area: formatMu(l.area, lang) }) : undefined}
                  />
                ) : (
                  <div className="report-figure figure-small placeholder">{w('mapLoading')}</div>
                )}
              </div>
            ))}
          </div>
          <FigureLegend
            lang={lang}
            layerIds={touched.filter((l) => l.intersection && l.layerId !== BOUNDARY_RULE).map((l) => l.layerId as LayerId)}
            outside={outside && touched.some((l) => l.layerId === BOUNDARY_RULE)}
            trimmed={false}
          />
        </Section>
      )}

      <Section title={w('features')} id="features">
        {hits.length === 0 ? (
          <p>{report.redacted && report.layers.some((l) => l.intersects && l.count === null) ? w('featuresWithheld') : w('noFeatures')}</p>
        ) : (
          <table className="report-table features" data-testid="features-table">
            <thead>
              <tr>
                <th>{w('layer')}</th>
                <th>{w('code')}</th>
                <th>{w('attributes')}</th>
                <AreaHeads label={w('overlapArea')} lang={lang} />
              </tr>
            </thead>
            <tbody>
              {hits.map(({ layer, f }) => (
                <tr key={`${layer.layerId}-${f.id}`} data-layer={layer.layerId} data-code={f.code}>
                  <td>{layerName(layer, lang)}</td>
                  <td>
                    <code>{f.code}</code>
                  </td>
                  <td className="attrs">
                    {Object.entries(f.attributes)
                      .filter(([, v]) => v !== null && v !== '')
                      .map(([k, v], i) => {
                        const value = attributeValue(layer.layerId, k, String(v), lang);
                        return (
                          <span key={k} data-attr={k}>
                            {i > 0 && translate(lang, 'semicolon')}
                            {attributeLabel(layer.layerId, k, lang)} {value.data ? <span {...dataProps(value.text)}>{value.text}</span> : value.text}
                          </span>
                        );
                      })}
                  </td>
                  <AreaCells area={f.overlapArea} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title={`${w('trimmed')}`} id="trimmed" className="keep-together">
        <p>{w('trimmedNote')}</p>
        <table className="report-table trimmed" data-testid="trimmed-table">
          <thead>
            <tr>
              <th />
              <AreaHeads label={w('area')} lang={lang} />
            </tr>
          </thead>
          <tbody>
            <tr data-row="site">
              <th>{w('siteArea')}</th>
              <AreaCells area={report.site.analysedArea} />
            </tr>
            <tr data-row="lost">
              <th>{w('lostArea')}</th>
              <AreaCells area={report.trimmed.lost} />
            </tr>
            <tr data-row="trimmed" className="total">
              <th>{w('trimmedArea')}</th>
              <AreaCells area={report.trimmed.area} />
            </tr>
          </tbody>
        </table>
        {trimmedLost &&
          (report.trimmed.geometry && base ? (
            <div className="figure-grid">
              <div className="figure-cell">
                <ReportMap content={trimmedFigure(report)} base={base} lang={lang} className="figure-small" figureId="trimmed" caption={`${w('trimmed')}${translate(lang, 'colon')}${formatMu(report.trimmed.area, lang)}`} />
              </div>
              <div className="figure-cell">
                <FigureLegend lang={lang} layerIds={[]} outside={false} trimmed />
              </div>
            </div>
          ) : !report.trimmed.geometry && report.redacted ? (
            // withheld, not absent: the outline would show the restricted layers
            <p className="report-note" data-testid="trimmed-withheld">
              {w('trimmedWithheld')}
            </p>
          ) : (
            !report.trimmed.geometry && <p data-testid="trimmed-none">{w('noTrimmed')}</p>
          ))}
      </Section>

      <BoundaryPointsSection report={report} lang={lang} choice={props.choice} />

      <SignOffSection lang={lang} />

      <VerifySection report={report} lang={lang} />

      <footer className="report-footer">
        <p>{w('areaNote')}</p>
        <p>
          {translate(lang, 'title')} · {w('reportId')} {report.id} · {w('hash')} {report.contentHash.slice(0, 16)}…
        </p>
      </footer>
    </article>
  );
}

/**
 * The approval as the report prints it: "已批准：批准文号 豫政土〔2026〕18号，批准日期 2026-06-30；计入
 * 杞县 的新增建设用地（登记人 …）", or 未批准.
 */
function ApprovalText(props: { report: Report; lang: Lang }) {
  const { lang } = props;
  const a = props.report.approval;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  if (!a) return <>{w('notApproved')}</>;
  const colon = translate(lang, 'colon');
  const comma = translate(lang, 'comma');
  return (
    <>
      <strong>{w('approved')}</strong>
      {colon}
      {w('approvalNo')} <span data-field="approvalNo" {...dataProps(a.approvalNo)}>{a.approvalNo}</span>
      {comma}
      {w('approvedOn')} <span data-field="approvedOn">{a.approvedOn}</span>
      {translate(lang, 'semicolon')}
      {w('approvalCounty', { county: countyName({ name: a.countyName, nameEn: a.countyNameEn }, lang) })}
      {translate(lang, 'open')}
      {w('approvedBy')} <span {...dataProps(a.approverName)}>{a.approverName}</span>
      {translate(lang, 'close')}
    </>
  );
}

/**
 * A planner's form recording the check's approval (POST /api/site-checks/{id}/approval): the
 * approval number and date; the server's refusal is shown as it says it. Not printed.
 */
function ApproveForm(props: { report: Report; lang: Lang; onApproved: (a: SiteCheckApproval) => void }) {
  const { lang } = props;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  const [approvalNo, setApprovalNo] = useState('');
  const [approvedOn, setApprovedOn] = useState(() => beijingToday());
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; error: ApiError }>({ kind: 'idle' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'busy' });
    try {
      const a = await postJson(`/api/site-checks/${encodeURIComponent(props.report.id)}/approval`, { approvalNo, approvedOn }, { lang, schema: SiteCheckApproval });
      setState({ kind: 'idle' });
      props.onApproved(a);
    } catch (err) {
      setState({ kind: 'error', error: asApiError(err) });
    }
  };
  return (
    <form className="report-approve no-print" data-testid="approve-form" onSubmit={(e) => void submit(e)}>
      <strong>{w('approveTitle')}</strong>
      <label>
        {w('approvalNo')}
        <input name="approvalNo" data-testid="approve-no" value={approvalNo} onChange={(e) => setApprovalNo(e.target.value)} maxLength={100} />
      </label>
      <label>
        {w('approvedOn')}
        <input name="approvedOn" type="date" data-testid="approve-date" value={approvedOn} onChange={(e) => setApprovedOn(e.target.value)} />
      </label>
      <button type="submit" data-testid="approve-submit" disabled={state.kind === 'busy'}>
        {w('approveSubmit')}
      </button>
      <p className="report-approve-help">{w('approveHelp')}</p>
      {state.kind === 'error' && (
        <p className="report-error-inline" role="alert" data-testid="approve-error">
          {state.error.message}
        </p>
      )}
    </form>
  );
}

/** Who filed the check: "规划员甲（规划人员）", "公众（未登录）", or not recorded. */
function filerText(report: Report, lang: Lang): string {
  const f = report.filedBy;
  if (!f) return word(lang, 'filedUnknown');
  if (f.role === 'public') return word(lang, 'filedPublic');
  const role = word(lang, `role_${f.role}`);
  return `${f.displayName ?? word(lang, 'filedUnknown')}${translate(lang, 'open')}${role}${translate(lang, 'close')}`;
}

/** Points the report's table lists at most; the 界址点 file has them all. */
const POINTS_SHOWN = 500;

/**
 * 界址点坐标表: the site's boundary points in the zone, prefix and datum chosen in the toolbar —
 * the server's own rows of the 界址点 file (GET …/boundary-points.json), X northing, Y easting,
 * to the millimetre.
 */
function BoundaryPointsSection(props: { report: Report; lang: Lang; choice: PointsChoice }) {
  const { report, lang, choice } = props;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  const [table, setTable] = useState<BoundaryPointsTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setTable(null);
    setError(null);
    fetchBoundaryPoints(report.id, { ...choice, limit: POINTS_SHOWN }, lang, ctl.signal)
      .then(setTable)
      .catch((e: Error) => ctl.signal.aborted || setError(e.message));
    return () => ctl.abort();
    // the words' language does not change the coordinates
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [report.id, choice.zone, choice.prefix, choice.datum]);
  return (
    <Section title={w('points')} id="boundary-points">
      {error ? (
        <p className="report-error-inline" role="alert">
          {w('pointsFailed')}
          {error}
        </p>
      ) : !table ? (
        <p className="report-note">{w('pointsLoading')}</p>
      ) : (
        <div data-testid="boundary-points" data-zone={table.zone} data-prefix={String(table.zonePrefix)} data-count={table.pointCount}>
          <p className="report-note" data-testid="points-note">
            {w('pointsNote', { datum: datumWord(table.datumName, lang), width: table.zoneWidth, zone: table.zone, prefix: table.zonePrefix ? w('pointsPrefix') : '' })}{' '}
            {w('pointsCount', { n: table.pointCount, ha: table.areaHa === null ? DASH : formatNumber(table.areaHa, 4) })}
            {table.pointCount > table.points.length && ` ${w('pointsTruncated', { shown: table.points.length })}`}
          </p>
          <table className="report-table points">
            <thead>
              <tr>
                <th>{w('pointsNo')}</th>
                <th className="num">{w('pointsRing')}</th>
                <th className="num">{w('pointsX')}</th>
                <th className="num">{w('pointsY')}</th>
              </tr>
            </thead>
            <tbody>
              {table.points.map((p, i) => (
                <tr key={i} data-point={p.name} data-ring={p.ring}>
                  <td>{p.name}</td>
                  <td className="num">{p.ring}</td>
                  <td className="num" data-field="x">{p.x.toFixed(3)}</td>
                  <td className="num" data-field="y">{p.y.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

/** 经办人 / 审核人 / 日期: blanks to sign on the printed report. */
function SignOffSection(props: { lang: Lang }) {
  const w = (k: WordKey) => word(props.lang, k);
  return (
    <Section title={w('signOff')} id="sign-off" className="keep-together">
      <table className="report-table sign-off" data-testid="sign-off">
        <tbody>
          {(['handler', 'reviewer'] as const).map((k) => (
            <tr key={k} data-field={k}>
              <th>{w(k)}</th>
              <td className="blank" />
              <th>{w('date')}</th>
              <td className="blank date" />
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/**
 * 报告核验: the address of the stored report carrying its content hash; opened, the page says
 * whether the hash in the address is the stored report's.
 */
function VerifySection(props: { report: Report; lang: Lang }) {
  const { report, lang } = props;
  const w = (k: WordKey) => word(lang, k);
  const link = verificationLink(window.location.origin, report);
  const asked = new URLSearchParams(window.location.search).get('sha256');
  return (
    <Section title={w('verify')} id="verify" className="keep-together">
      {asked !== null && (
        <p className={asked.toLowerCase() === report.contentHash ? 'verify-ok' : 'verify-bad'} data-testid="verify-result" data-verified={String(asked.toLowerCase() === report.contentHash)}>
          {asked.toLowerCase() === report.contentHash ? w('verifyOk') : w('verifyBad')}
        </p>
      )}
      <p className="report-note">{w('verifyNote')}</p>
      <div className="verify-body">
        {/* scanned from the printed page, it opens this report with its hash (qrcode.react, SVG: sharp at any print size) */}
        <QRCodeSVG value={link} size={128} level="M" marginSize={2} className="verify-qr" data-testid="verify-qr" role="img" aria-label={w('verifyQr')} />
        <p className="verify-link">
          <a href={link} data-testid="verify-link">
            {link}
          </a>
        </p>
      </div>
    </Section>
  );
}

/**
 * 选址来源: the file the site came from, its format, the coordinate system detected and the one
 * used, zone, axis order, encoding, datum and how it was brought to CGCS2000, the overrides,
 * every warning the planner accepted (an approximate placement in red), the source coordinates.
 */
function ProvenanceSection(props: { report: Report; lang: Lang }) {
  const { lang } = props;
  const p = props.report.provenance;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  return (
    <Section title={w('provenance')} id="provenance" className="keep-together">
      {!p ? (
        <p data-testid="provenance-none">{w('provenanceNone')}</p>
      ) : (
        <>
          <table className="report-table kv provenance" data-testid="provenance-table" data-format={p.format}>
            <tbody>
              {provenanceRows(p, lang).map((r) => (
                <tr key={r.key} data-field={r.key} className={r.alert ? 'alert' : undefined}>
                  <th>{r.label}</th>
                  <td className={r.alert ? 'provenance-alert' : undefined}>{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="report-note">{w('provenanceNote')}</p>
        </>
      )}
    </Section>
  );
}

/**
 * 所在乡镇: the townships the site lies in, with the part in each (亩, 公顷 and share); left out
 * of a report filed before townships were kept. Township names are data: shown as written.
 */
function TownshipsSection(props: { report: Report; lang: Lang }) {
  const { lang } = props;
  const towns = props.report.townships;
  if (!towns) return null;
  const tr = (k: Parameters<typeof translate>[1]) => translate(lang, k);
  return (
    <Section title={tr('rpTownships')} id="townships" className="keep-together">
      {towns.length === 0 ? (
        <p data-testid="townships-none">{tr('rpTownshipsNone')}</p>
      ) : (
        <>
          <table className="report-table townships" data-testid="townships-table">
            <thead>
              <tr>
                <th>{tr('rpTownshipCol')}</th>
                <th>{tr('rpTownshipCode')}</th>
                <th className="num">{tr('rpTownshipArea')}</th>
                <th className="num">{tr('rpTownshipShare')}</th>
              </tr>
            </thead>
            <tbody>
              {towns.map((t) => (
                <tr key={t.code} data-code={t.code} data-mu={t.area.mu}>
                  <td>
                    <span {...dataProps(t.name)}>{t.name}</span>
                  </td>
                  <td>
                    <code>{t.code}</code>
                  </td>
                  <td className="num">{formatNumber(t.area.mu, 2)}</td>
                  <td className="num">{formatShare(t.shareOfSite)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="report-note">{tr('rpTownshipsNote')}</p>
        </>
      )}
    </Section>
  );
}

/**
 * 存量优先套核: what the stock-land library offered for the site's use and area — the match's
 * sentence and its candidates — and the reason recorded for going on to new land.
 */
function StockFirstSection(props: { report: Report; lang: Lang }) {
  const { lang } = props;
  const sf = props.report.stockFirst;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  return (
    <Section title={w('stockFirst')} id="stock-first">
      {!sf.checked ? (
        <p data-testid="stock-first-not-recorded">{pickField(sf, 'note', lang)}</p>
      ) : (
        <>
          <p className="stock-summary" data-testid="stock-summary">
            {pickField(sf, 'summary', lang)}
          </p>
          <table className="report-table kv">
            <tbody>
              <tr>
                <th>{w('stockUse')}</th>
                <td data-field="stockUse">{vocabularyWord(PLANNED_USE_EN, sf.use, lang)}</td>
                <th>{w('stockNeed')}</th>
                <td data-field="stockNeed">
                  <AreaText area={sf.need} lang={lang} />
                </td>
              </tr>
            </tbody>
          </table>
          {sf.candidates.length === 0 ? (
            <p className="stock-none" data-testid="stock-none">
              {sf.radiusKm ? w('stockNoneWithin', { radius: radiusText(sf.radiusKm, lang) }) : w('stockNone')}
            </p>
          ) : (
            <table className="report-table stock-candidates" data-testid="stock-candidates">
              <thead>
                <tr>
                  <th className="num">{w('stockRank')}</th>
                  <th>{w('stockOffer')}</th>
                  <th>{w('stockParcels')}</th>
                  {(['mu', 'ha'] as const).map((u) => (
                    <th key={u} className="num">
                      {w('stockTotal')}
                      {translate(lang, 'open')}
                      {unitWord(u, lang)}
                      {translate(lang, 'close')}
                    </th>
                  ))}
                  <th className="num">{w('stockScore')}</th>
                  <th className="num">{w('stockDistance')}</th>
                </tr>
              </thead>
              <tbody>
                {sf.candidates.map((c) => (
                  <tr key={c.rank} data-rank={c.rank} data-kind={c.kind} data-codes={c.parcels.map((p) => p.code).join(',')}>
                    <td className="num">{c.rank}</td>
                    <td>{w(`offer_${c.kind}`)}</td>
                    <td className="attrs">
                      {c.parcels.map((p) => (
                        <div key={p.code} data-code={p.code}>
                          <code>{p.code}</code> <span {...dataProps(p.name)}>{p.name}</span>
                          {translate(lang, 'open')}
                          {vocabularyWord(PLANNED_USE_EN, p.plannedUse, lang)}
                          {translate(lang, 'comma')}
                          {formatMu(p.area, lang)}
                          {translate(lang, 'close')}
                        </div>
                      ))}
                    </td>
                    {(['mu', 'ha'] as const).map((u) => (
                      <td key={u} className="num" data-unit={u} data-value={c.totalArea[u]}>
                        {formatAreaFigure(c.totalArea, u)}
                      </td>
                    ))}
                    <td className="num" data-field="score" data-value={c.score}>{formatNumber(c.score, 2)}</td>
                    <td className="num" data-field="distance">{c.distanceM === null ? DASH : distanceText(c.distanceM)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <table className="report-table kv stock-reason" data-testid="new-land-reason" data-reason={sf.reason.code}>
            <tbody>
              <tr>
                <th>{w('newLandReason')}</th>
                <td data-field="reason">{pickField(sf.reason, 'label', lang)}</td>
              </tr>
              {sf.reason.note && (
                <tr>
                  <th>{w('newLandNote')}</th>
                  <td data-field="reasonNote" className="reason-note">
                    <span {...dataProps(sf.reason.note)}>{sf.reason.note}</span>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <p className="report-note">{w('stockFirstNote')}</p>
        </>
      )}
    </Section>
  );
}

/** A layer's row in the overlay table, and for the urban development boundary its inside/outside rows. */
function LayerRows(props: { l: Report['layers'][number]; lang: Lang }) {
  const { l, lang } = props;
  const w = (k: WordKey, vars?: Record<string, string | number>) => word(lang, k, vars);
  return (
    <>
      <tr data-layer={l.layerId} data-intersects={l.intersects ? 'true' : 'false'}>
        <th>{layerName(l, lang)}</th>
        <td className={l.intersects ? 'involved' : ''}>{l.intersects ? w('yes') : w('no')}</td>
        <td className="num" data-count={l.count ?? ''}>{l.count ?? w('notShown')}</td>
        <AreaCells area={l.area} />
        <td className="num">{formatShare(l.shareOfSite)}</td>
      </tr>
      {l.inside && l.outside && (
        <>
          <tr data-layer={`${l.layerId}:inside`} className="sub">
            <th>{w('inside')}</th>
            <td />
            <td />
            <AreaCells area={l.inside} />
            <td />
          </tr>
          <tr data-layer={`${l.layerId}:outside`} className="sub">
            <th>{w('outside')}</th>
            <td />
            <td />
            <AreaCells area={l.outside} />
            <td />
          </tr>
        </>
      )}
    </>
  );
}

/** The page: loads the report (and the base map's county labels), then shows it. */
export function ReportPage(props: { id: string }) {
  const [lang, setLang] = useState<Lang>(() => langOfSearch(window.location.search));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [base, setBase] = useState<BaseMapData | null>(null);

  const [choice, setChoice] = useState<PointsChoice | null>(null);
  const session = useSession();
  const [approvedNow, setApprovedNow] = useState(false);
  const mayApprove = !!session?.user && atLeast('planner').includes(session.user.role);

  useEffect(() => {
    fetchReport(props.id, lang)
      .then((r) => {
        const d = boundaryPointsDefaults(r);
        setChoice({ zone: d.zone, prefix: d.prefix, datum: 'source' });
        setReport(r);
      })
      .catch((e: Error) => setError(e.message));
    // the report is read once; the language only changes the words
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.id]);

  useEffect(() => {
    Promise.all([api.counties(lang), api.config(lang)])
      .then(([counties, config]) =>
        setBase({
          countyLabels: countyLabelCollection(counties),
          cityBbox: counties.length
            ? [Math.min(...counties.map((c) => c.bbox[0])), Math.min(...counties.map((c) => c.bbox[1])), Math.max(...counties.map((c) => c.bbox[2])), Math.max(...counties.map((c) => c.bbox[3]))]
            : null,
          maxTileZoom: config.maxTileZoom,
        }),
      )
      .catch(() => setBase(EMPTY_BASE));
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    const title = word(lang, 'title');
    document.title = report?.name ? `${title} - ${report.name}` : title;
    const q = setLangParam(new URLSearchParams(window.location.search), lang).toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
  }, [lang, report]);

  return (
    <div className="report-page">
      {report && choice && <Toolbar report={report} lang={lang} onLang={() => setLang(otherLang(lang))} choice={choice} onChoice={setChoice} />}
      {error && (
        <p className="report-error" role="alert">
          {word(lang, 'loadFailed')}
          {error}
        </p>
      )}
      {!report && !error && <p className="report-loading">{word(lang, 'loading')}</p>}
      {report && mayApprove && report.approval === null && !report.expiresAt && (
        <ApproveForm
          report={report}
          lang={lang}
          onApproved={(a) => {
            setReport({ ...report, approval: a });
            setApprovedNow(true);
          }}
        />
      )}
      {approvedNow && (
        <p className="report-approve no-print" role="status" data-testid="approve-done">
          {word(lang, 'approveDone')}
        </p>
      )}
      {report && choice && <ReportDocument report={report} base={base} lang={lang} choice={choice} />}
    </div>
  );
}
