/**
 * A stock parcel (/stock/{code}): every attribute of the register, a location map with the
 * parcel's own polygon over the county boundaries, and how it stands against the control
 * lines — as words and figures only: the farmland and red-line geometry is never drawn or
 * requested here.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { StockParcelDetail } from '../../../core/contracts/stock.ts';
import { dataProps, recordCounty, pickField, setLangParam, translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { AreaFigures } from '../AreaFigures.tsx';
import { formatShare } from '../format.ts';
import { StockApiError, stockApi } from './api.ts';
import { StockHeader, useStockBase } from './common.tsx';
import { DASH, DIGITS, formatNumber, plotRatioText, valueWord } from './format.ts';
import { StockMap, geometryBbox, publicStockStyle } from './stock-map.ts';
import type { Navigation } from './StockApp.tsx';
import { LedgerTimeline } from './LedgerTimeline.tsx';
import { ReshapeForm, Reshaped, type SplitDrawing } from './ReshapeForm.tsx';
import { atLeast } from '../../../core/access.ts';
import { useSession } from '../auth/SessionBadge.tsx';

type AreaUnits = StockParcelDetail['area'];

/** The search this parcel was opened from (kept in its history entry), in the page's language. */
function backTarget(lang: Lang): { href: string; fromSearch: boolean } {
  const from = (window.history.state as { from?: unknown } | null)?.from;
  const url = new URL(typeof from === 'string' && /^\/stock(\?|$)/.test(from) ? from : '/stock', window.location.origin);
  setLangParam(url.searchParams, lang);
  const q = url.searchParams.toString().replace(/%2C/g, ',');
  return { href: `${url.pathname}${q ? `?${q}` : ''}`, fromSearch: typeof from === 'string' };
}

/** "12.34 亩（0.8227 公顷，8,226.67 m²）" with each figure in a data attribute. */
const AreaFull = (props: { area: AreaUnits; lang: Lang }) => <AreaFigures area={props.area} lang={props.lang} className="stock-area" />;

/** An overlap with a control line, in 亩 (and 公顷), or "none". */
function OverlapText(props: { area: AreaUnits; lang: Lang }) {
  const { area, lang } = props;
  const none = area.m2 < 0.005;
  return (
    <span className={none ? 'stock-none-overlap' : 'stock-overlap'} data-mu={area.mu}>
      {none
        ? translate(lang, 'stNoOverlap', { mu: formatNumber(area.mu, DIGITS.mu) })
        : translate(lang, 'stOverlapMu', { mu: formatNumber(area.mu, DIGITS.mu), ha: formatNumber(area.ha, DIGITS.ha) })}
    </span>
  );
}

function Attributes(props: { p: StockParcelDetail }) {
  const { t, lang } = useT();
  const { p } = props;
  const rows: [string, ReactNode][] = [
    ['code', <code>{p.code}</code>],
    ['name', <span {...dataProps(p.name)}>{p.name}</span>],
    ['county', `${recordCounty(p, lang)}${translate(lang, 'open')}${p.countyCode}${translate(lang, 'close')}`],
    ['category', valueWord(p.category, lang)],
    ['fourUnStage', p.fourUnStage ? valueWord(p.fourUnStage, lang) : DASH],
    ['plannedUse', valueWord(p.plannedUse, lang)],
    ['area', <AreaFull area={p.area} lang={lang} />],
    ['plotRatio', plotRatioText(p.plotRatioMin, p.plotRatioMax)],
    ['approvalNo', p.approvalNo === null ? DASH : <span {...dataProps(p.approvalNo)}>{p.approvalNo}</span>],
    ['approvalDate', p.approvalDate ?? DASH],
    ['status', valueWord(p.status, lang)],
    ['refPrice', p.refPrice === null ? DASH : `${formatNumber(p.refPrice, 1)} ${t('stPriceUnit')}`],
    ['zoneName', p.zoneName === null ? DASH : <span {...dataProps(p.zoneName)}>{p.zoneName}</span>],
    ['contactDept', <span {...dataProps(p.contactDept)}>{p.contactDept}</span>],
  ];
  return (
    <table className="stock-kv" data-testid="parcel-attributes">
      <tbody>
        {rows.map(([key, value]) => (
          <tr key={key} data-row={key}>
            <th>{t(`stField_${key}` as StringKey)}</th>
            <td data-field={key}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Standing(props: { p: StockParcelDetail }) {
  const { t, lang } = useT();
  const s = props.p.standing;
  const ub = s.urbanBoundary;
  const reasons = [s.conflict ? t('stConflict') : null, props.p.status !== '可供应' ? t('stNotAvailable') : null].filter(Boolean);
  return (
    <section className="stock-section" data-testid="standing">
      <h2>{t('stStanding')}</h2>
      <p className="stock-standing-summary" data-testid="standing-summary">
        {pickField(s, 'summary', lang)}
      </p>
      <table className="stock-kv stock-standing">
        <thead>
          <tr>
            <th>{t('stItem')}</th>
            <th>{t('stResult')}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-row="urbanBoundary" data-inside={ub.inside ? 'true' : 'false'} data-share={ub.share}>
            <th>{t('stUrbanBoundary')}</th>
            <td>
              <strong>{ub.inside ? t('stInside') : t('stOutside')}</strong>
              {t('comma')}
              {t('stInsideShare', { share: formatShare(ub.share) })}
              {ub.name && (
                <>
                  {t('open')}
                  <span {...dataProps(ub.name)}>{ub.name}</span>
                  {t('close')}
                </>
              )}
            </td>
          </tr>
          <tr data-row="permanentFarmland">
            <th>{t('stPermanentFarmland')}</th>
            <td>
              <OverlapText area={s.permanentFarmland} lang={lang} />
            </td>
          </tr>
          <tr data-row="generalFarmland">
            <th>{t('stGeneralFarmland')}</th>
            <td>
              <OverlapText area={s.generalFarmland} lang={lang} />
            </td>
          </tr>
          <tr data-row="ecoRedline">
            <th>{t('stEcoRedline')}</th>
            <td>
              <OverlapText area={s.ecoRedline} lang={lang} />
            </td>
          </tr>
          <tr data-row="proposable" data-proposable={s.proposable ? 'true' : 'false'} data-conflict={s.conflict ? 'true' : 'false'}>
            <th>{t('stProposable')}</th>
            <td>
              <strong className={s.proposable ? 'stock-yes' : 'stock-no'}>{s.proposable ? t('stProposableYes') : t('stProposableNo')}</strong>
              {reasons.length > 0 && `${t('open')}${reasons.join(t('semicolon'))}${t('close')}`}
            </td>
          </tr>
        </tbody>
      </table>
      <p className="stock-note">{t('stStandingNote')}</p>
    </section>
  );
}

/**
 * The location map: the parcel's polygon over the county boundaries and names, with room
 * around it, and an overview of the city marking where it lies.
 */
function LocationMap(props: { p: StockParcelDetail; drawing?: SplitDrawing; onDrawing?: (d: SplitDrawing) => void }) {
  const { t, lang } = useT();
  const { base } = useStockBase();
  const ref = useRef<HTMLDivElement>(null);
  const mapRef = useRef<StockMap | null>(null);
  // the latest drawing and its setter, for the map's click handler (made once per map)
  const drawingRef = useRef(props.drawing);
  drawingRef.current = props.drawing;
  const onDrawingRef = useRef(props.onDrawing);
  onDrawingRef.current = props.onDrawing;
  const overviewRef = useRef<HTMLDivElement>(null);
  const [rendered, setRendered] = useState(false);
  useEffect(() => {
    if (!base || !ref.current) return;
    const geometry = props.p.geometry as unknown as GeoJSON.Geometry;
    const [w, s, e, n] = geometryBbox(geometry);
    const pad = Math.max(e - w, n - s, 0.006) * 2;
    const m = new StockMap({
      container: ref.current,
      style: publicStockStyle(base, { tiles: false, parcel: geometry, lang }),
      bounds: [w - pad, s - pad, e + pad, n + pad],
      scale: 'bottom-left',
    });
    const overview =
      overviewRef.current && base.cityBbox
        ? new StockMap({
            container: overviewRef.current,
            style: publicStockStyle(base, { tiles: false, marker: props.p.center, labels: false }),
            bounds: base.cityBbox,
            interactive: false,
            scale: false,
          })
        : null;
    window.yizhangtuStock = { map: m };
    mapRef.current = m;
    m.map.on('click', (e) => {
      const d = drawingRef.current;
      if (d?.active) onDrawingRef.current?.({ points: [...d.points, [e.lngLat.lng, e.lngLat.lat]], active: true });
    });
    let alive = true;
    void Promise.all([m.ready, overview?.ready]).then(() => alive && setRendered(true));
    return () => {
      alive = false;
      mapRef.current = null;
      if (window.yizhangtuStock?.map === m) delete window.yizhangtuStock;
      m.destroy();
      overview?.destroy();
    };
  }, [base, props.p, lang]);
  // the dividing line being drawn, over the parcel
  const points = props.drawing?.points;
  useEffect(() => {
    const m = mapRef.current;
    if (!m) return;
    const data: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: points?.length
        ? [
            ...(points.length > 1 ? [{ type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: points } }] : []),
            ...points.map((c) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: c } })),
          ]
        : [],
    };
    const draw = () => {
      const src = m.map.getSource('split-line') as GeoJSONSource | undefined;
      if (src) return src.setData(data);
      m.map.addSource('split-line', { type: 'geojson', data });
      m.map.addLayer({ id: 'split-line', type: 'line', source: 'split-line', paint: { 'line-color': '#c92a2a', 'line-width': 3, 'line-dasharray': [2, 1] } });
      m.map.addLayer({ id: 'split-vertex', type: 'circle', source: 'split-line', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#c92a2a' } });
    };
    void m.ready.then(draw);
  }, [points, rendered]);
  return (
    <div className="stock-location">
      <div ref={ref} className="stock-location-map" data-testid="parcel-map" data-rendered={rendered ? 'true' : 'false'} />
      <div className="stock-overview" title={t('stOverview')}>
        <div ref={overviewRef} className="stock-location-map" />
      </div>
    </div>
  );
}

export function StockParcelPage(props: { code: string; lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [parcel, setParcel] = useState<StockParcelDetail | null>(null);
  const [error, setError] = useState<StockApiError | null>(null);
  const [round, setRound] = useState(0);
  const [drawing, setDrawing] = useState<SplitDrawing>({ points: [], active: false });
  const [reshaped, setReshaped] = useState<string[] | null>(null);
  const session = useSession();
  const staff = !!session?.user && atLeast('planner').includes(session.user.role);

  useEffect(() => {
    const ctl = new AbortController();
    stockApi
      .detail(props.code, lang, ctl.signal)
      .then(setParcel)
      .catch((e: Error) => !ctl.signal.aborted && setError(e instanceof StockApiError ? e : new StockApiError(0, 'NETWORK', e.message)));
    return () => ctl.abort();
    // the parcel is read once, and again after a ledger event; the language only changes the words
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.code, round]);

  useEffect(() => {
    document.title = parcel ? `${parcel.code} ${parcel.name} · ${translate(lang, 'title')}` : `${translate(lang, 'stParcelTitle')} · ${translate(lang, 'title')}`;
  }, [parcel, lang]);

  const back = backTarget(lang);
  return (
    <div className="stock-page stock-parcel-page">
      <StockHeader title={t('stParcelTitle')} lang={props.lang} onLang={props.onLang} />
      <div className="stock-parcel-body">
        <nav className="stock-back">
          <a href={back.href} data-testid="back-to-search" onClick={props.nav.linkClick(back.href)}>
            ← {back.fromSearch ? t('stBackToSearch') : t('stToSearch')}
          </a>
        </nav>
        {error &&
          (error.status === 404 ? (
            <p className="stock-error" role="alert" data-testid="not-found">
              {t('stNotFound', { code: props.code })}
            </p>
          ) : (
            <p className="stock-error" role="alert">
              {t('loadFailed')}
              {error.message}
            </p>
          ))}
        {!parcel && !error && <p className="loading">{t('loading')}</p>}
        {parcel && (
          <article data-testid="parcel" data-code={parcel.code}>
            <h2 className="stock-parcel-title">
              <code>{parcel.code}</code> <span {...dataProps(parcel.name)}>{parcel.name}</span>
            </h2>
            <div className="stock-parcel-grid">
              <section className="stock-section">
                <h2>{t('stAttributes')}</h2>
                <Attributes p={parcel} />
              </section>
              <section className="stock-section">
                <h2>{t('stLocation')}</h2>
                <LocationMap p={parcel} drawing={drawing} onDrawing={setDrawing} />
              </section>
            </div>
            <Standing p={parcel} />
            <LedgerTimeline code={parcel.code} onChanged={() => setRound((r) => r + 1)} />
            {reshaped && <Reshaped codes={reshaped} />}
            {staff && parcel.status === '可供应' && (
              <section className="stock-section" data-testid="reshape">
                <ReshapeForm
                  code={parcel.code}
                  drawing={drawing}
                  onDrawing={setDrawing}
                  onReshaped={(children) => {
                    setReshaped(children);
                    setRound((r) => r + 1);
                  }}
                />
              </section>
            )}
            <p className="stock-note">
              {t('stDataVersion')} <code data-testid="data-version">{parcel.dataVersion}</code>
            </p>
          </article>
        )}
      </div>
    </div>
  );
}
