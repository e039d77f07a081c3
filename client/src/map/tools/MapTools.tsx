/**
 * The workspace map's tools (地图工具): search (places, codes, coordinates: /api/search), identify
 * (every layer at a clicked point: /api/identify — the server leaves out what the role may not
 * see), measure (distance and area on the ellipsoid: measure.ts) and export of the current view
 * (PNG and PDF: export.ts). Drawn over the map's top-left corner; the map itself is driven
 * through the MapController seam.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { getLayer, type LayerAttribute, type LayerId } from '../../../../core/layers.ts';
import { vocabularyEn } from '../../../../core/vocabulary.ts';
import type { IdentifyFeature, IdentifyResponse, SearchResponse, SearchResult } from '../../../../core/contracts/map-tools.ts';
import { api } from '../../api.ts';
import { formatAreaM2, formatDegrees, formatNumber } from '../../format.ts';
import { dataProps, pickField, translate, withLang, type Lang, type StringKey } from '../../i18n.ts';
import type { MapController } from '../controller.ts';
import { maplibregl } from '../maplibre.ts';
import { toolsApi } from './api.ts';
import { exportPdf, exportPng, renderView, type LegendEntry } from './export.ts';
import { formatLength } from './format.ts';
import { MeasureTool, type Measurement, type MeasureMode } from './measure.ts';

const HIGHLIGHT = 'map-tools-highlight';

declare global {
  interface Window {
    /** The map tools, for browser tests. */
    yizhangtuTools?: { measure: MeasureTool };
  }
}

function AttributeValue({ a, v, f, lang }: { a: LayerAttribute; v: string | number | boolean; f: IdentifyFeature; lang: Lang }) {
  if (a.type === 'area') return <>{formatAreaM2(Number(v), lang)}</>;
  const text = String(v);
  const word = vocabularyEn(a.values, text);
  if (word !== null) return <>{lang === 'en' ? word : text}</>;
  if (lang === 'en' && a.enColumn) {
    const en = f.properties[a.enColumn];
    if (typeof en === 'string' && en) return <>{en}</>;
  }
  const unit = a.unit ? ` ${lang === 'en' ? (a.unitEn ?? a.unit) : a.unit}` : '';
  return (
    <>
      <span {...dataProps(text)}>{a.type === 'number' ? text : text}</span>
      {unit}
    </>
  );
}

export function MapTools(props: { controller: MapController; lang: Lang; visibleLayers: LayerId[]; dataVersion: string }) {
  const { controller, lang } = props;
  const t = useCallback((key: StringKey, vars?: Record<string, string | number>) => translate(lang, key, vars), [lang]);
  const [tool, setTool] = useState<'identify' | MeasureMode>('identify');
  const [identified, setIdentified] = useState<{ lon: number; lat: number; result: IdentifyResponse | null; error: string | null } | null>(null);
  const [measurement, setMeasurement] = useState<Measurement | null>(null);
  const [q, setQ] = useState('');
  const [searched, setSearched] = useState<{ q: string; result: SearchResponse | null; error: string | null } | null>(null);
  const [exporting, setExporting] = useState<'png' | 'pdf' | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const marker = useRef<maplibregl.Marker | null>(null);
  const identifyAbort = useRef<AbortController | null>(null);
  const searchAbort = useRef<AbortController | null>(null);

  const measure = useMemo(() => new MeasureTool(controller.map, setMeasurement), [controller]);
  useEffect(() => {
    window.yizhangtuTools = { measure };
  }, [measure]);

  const placeMarker = useCallback(
    (lon: number, lat: number) => {
      marker.current?.remove();
      marker.current = new maplibregl.Marker({ color: '#e8590c' }).setLngLat([lon, lat]).addTo(controller.map);
    },
    [controller],
  );

  const highlight = useCallback(
    async (layer: string, id: number) => {
      try {
        const f = await api.feature(layer, id, lang);
        controller.setOverlay(HIGHLIGHT, {
          type: 'FeatureCollection',
          features: [{ type: 'Feature', properties: { color: '#f03e3e', fillOpacity: 0.12, dashed: false }, geometry: f.geometry as GeoJSON.Geometry }],
        });
      } catch {
        controller.setOverlay(HIGHLIGHT, null);
      }
    },
    [controller, lang],
  );

  const identifyAt = useCallback(
    async (lon: number, lat: number) => {
      identifyAbort.current?.abort();
      const abort = new AbortController();
      identifyAbort.current = abort;
      placeMarker(lon, lat);
      setIdentified({ lon, lat, result: null, error: null });
      try {
        const result = await toolsApi.identify({ lon, lat, zoom: controller.map.getZoom() }, lang, abort.signal);
        if (!abort.signal.aborted) setIdentified({ lon, lat, result, error: null });
      } catch (err) {
        if (!abort.signal.aborted) setIdentified({ lon, lat, result: null, error: (err as Error).message });
      }
    },
    [controller, lang, placeMarker],
  );

  // identify takes the map's clicks while it is the tool
  useEffect(() => {
    if (tool !== 'identify') return;
    controller.setPickHandler((e) => void identifyAt(e.lngLat.lng, e.lngLat.lat));
    return () => controller.setPickHandler(null);
  }, [controller, tool, identifyAt]);

  useEffect(() => {
    measure.setLabeler((m) => (m.mode === 'area' && m.areaM2 > 0 ? formatAreaM2(m.areaM2, lang) : formatLength(m.lengthM)));
  }, [measure, lang]);

  // a finished measurement gives the clicks back to identify
  useEffect(() => {
    if (measurement?.done && tool !== 'identify') {
      controller.setFeaturePicking(true);
      setTool('identify');
    }
  }, [measurement, tool, controller]);

  useEffect(
    () => () => {
      measure.clear();
      marker.current?.remove();
    },
    [measure],
  );

  const startMeasure = (mode: MeasureMode) => {
    if (tool === mode) {
      measure.clear();
      controller.setFeaturePicking(true);
      setTool('identify');
      return;
    }
    controller.setFeaturePicking(false);
    setIdentified(null);
    marker.current?.remove();
    measure.start(mode);
    setTool(mode);
  };

  const onSearch = async (e?: FormEvent) => {
    e?.preventDefault();
    const text = q.trim();
    if (!text) return;
    searchAbort.current?.abort();
    const abort = new AbortController();
    searchAbort.current = abort;
    setSearched({ q: text, result: null, error: null });
    try {
      const result = await toolsApi.search(text, lang, abort.signal);
      if (abort.signal.aborted) return;
      setSearched({ q: text, result, error: null });
      if (result.results.length === 1 || result.results[0]?.kind === 'coordinates') goTo(result.results[0]!);
    } catch (err) {
      if (!abort.signal.aborted) setSearched({ q: text, result: null, error: (err as Error).message });
    }
  };

  const goTo = (r: SearchResult) => {
    if (r.bbox) controller.fitBox(r.bbox, { maxZoom: r.kind === 'county' ? 12 : 17 });
    else controller.map.flyTo({ center: r.point, zoom: Math.max(controller.map.getZoom(), 16), duration: 600 });
    placeMarker(r.point[0], r.point[1]);
    if (r.layer && r.id !== null) void highlight(r.layer, r.id);
    else controller.setOverlay(HIGHLIGHT, null);
  };

  const onExport = async (kind: 'png' | 'pdf') => {
    setExporting(kind);
    setExportError(null);
    try {
      const health = await api.health(lang).catch(() => null);
      const legend: LegendEntry[] = props.visibleLayers.flatMap((id) => {
        const l = getLayer(id);
        return l ? [{ name: pickField(l, 'name', lang), fill: l.style.fillColor, fillOpacity: l.style.fillOpacity, line: l.style.lineColor, dashed: !!l.style.lineDash }] : [];
      });
      if (measurement) legend.push({ name: t('mtMeasurement'), fill: '#f76707', fillOpacity: 0.2, line: '#d9480f', dashed: true });
      const view = await renderView(
        controller.map,
        legend,
        { title: t('mtExportTitle'), legend: t('mtLegend'), north: t('mtNorth'), date: t('mtExportDate'), version: t('mtExportVersion'), crs: t('mtExportCrs') },
        health?.dataVersion ?? props.dataVersion,
      );
      await (kind === 'png' ? exportPng(view) : exportPdf(view));
    } catch (err) {
      setExportError((err as Error).message);
    } finally {
      setExporting(null);
    }
  };

  const closeIdentify = () => {
    identifyAbort.current?.abort();
    setIdentified(null);
    marker.current?.remove();
    controller.setOverlay(HIGHLIGHT, null);
  };

  const withheldNames = identified?.result?.withheld.map((id) => pickField(getLayer(id)!, 'name', lang)).join(t('listSep'));

  return (
    <>
      <div className="map-tools" data-testid="map-tools" aria-label={t('mtTools')}>
        <form className="mt-search" onSubmit={onSearch} role="search">
          <input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-label={t('mtSearchLabel')}
            placeholder={t('mtSearchPlaceholder')}
            data-testid="mt-search-input"
            maxLength={100}
          />
          <button type="submit" data-testid="mt-search-go">
            {t('mtSearchGo')}
          </button>
        </form>
        {searched && (
          <div className="mt-results" data-testid="mt-search-results">
            {searched.error && (
              <p className="error" role="alert">
                {searched.error}
              </p>
            )}
            {searched.result && searched.result.results.length === 0 && <p className="mt-none">{t('mtSearchNone', { q: searched.q })}</p>}
            {searched.result && (
              <ul>
                {searched.result.results.map((r, i) => (
                  <li key={i}>
                    <button type="button" className="mt-result" data-testid="mt-result" data-kind={r.kind} data-layer={r.layer ?? ''} data-id={r.id ?? ''} onClick={() => goTo(r)}>
                      <span className="mt-kind">{t(`mtKind_${r.kind}` as StringKey)}</span>
                      <span className="mt-name" {...(lang === 'en' && r.nameEn ? {} : dataProps(r.name))}>
                        {lang === 'en' && r.nameEn ? r.nameEn : r.name}
                      </span>
                      <span className="mt-context" {...(lang === 'zh' ? {} : dataProps(r.contextEn))}>
                        {lang === 'zh' ? r.contextZh : r.contextEn}
                      </span>
                    </button>
                    {r.link && r.link.kind !== 'feature' && (
                      <a href={withLang(r.link.href, lang)} className="mt-link">
                        {t(r.link.kind === 'case' ? 'mtLinkCase' : 'mtLinkStock')}
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {searched.result?.truncated && <p className="mt-none">{t('mtSearchMore', { n: searched.result.results.length })}</p>}
            <button type="button" className="mt-close" onClick={() => setSearched(null)} aria-label={t('mtClose')}>
              ×
            </button>
          </div>
        )}
        <div className="mt-bar" role="toolbar">
          <button type="button" aria-pressed={tool === 'identify'} onClick={() => tool !== 'identify' && startMeasure(tool)} data-testid="mt-identify">
            {t('mtIdentify')}
          </button>
          <button type="button" aria-pressed={tool === 'distance'} onClick={() => startMeasure('distance')} data-testid="mt-measure-distance">
            {t('mtMeasureDistance')}
          </button>
          <button type="button" aria-pressed={tool === 'area'} onClick={() => startMeasure('area')} data-testid="mt-measure-area">
            {t('mtMeasureArea')}
          </button>
          <button type="button" onClick={() => void onExport('png')} disabled={exporting !== null} data-testid="mt-export-png">
            {t('mtExportPng')}
          </button>
          <button type="button" onClick={() => void onExport('pdf')} disabled={exporting !== null} data-testid="mt-export-pdf">
            {t('mtExportPdf')}
          </button>
        </div>
        {exporting && <p className="mt-note">{t('mtExporting')}</p>}
        {exportError && (
          <p className="error" role="alert">
            {t('mtExportFailed')}
            {exportError}
          </p>
        )}
        {measurement && (
          <div className="mt-measure" data-testid="mt-measure" data-mode={measurement.mode} data-done={measurement.done}>
            {!measurement.done && <p className="mt-note">{t('mtMeasureHint')}</p>}
            {measurement.mode === 'distance' ? (
              <p>
                {t('mtLength')}
                {t('colon')}
                <output data-testid="mt-length">{formatLength(measurement.lengthM)}</output>
              </p>
            ) : (
              <>
                <p>
                  {t('mtArea')}
                  {t('colon')}
                  <output data-testid="mt-area">{formatAreaM2(measurement.areaM2, lang, { m2: true })}</output>
                </p>
                <p>
                  {t('mtPerimeter')}
                  {t('colon')}
                  <output data-testid="mt-perimeter">{formatLength(measurement.lengthM)}</output>
                </p>
              </>
            )}
            <button type="button" onClick={() => { measure.clear(); controller.setFeaturePicking(true); setTool('identify'); }} data-testid="mt-measure-clear">
              {t('mtMeasureClear')}
            </button>
          </div>
        )}
      </div>
      {identified && (
        <section className="mt-identify" data-testid="mt-identify-panel">
          <header>
            <h2>{t('mtIdentifyTitle')}</h2>
            <button type="button" className="mt-close" onClick={closeIdentify} aria-label={t('mtClose')}>
              ×
            </button>
          </header>
          <p className="mt-note">
            {t('mtIdentifyAt', { lon: formatDegrees(identified.lon), lat: formatDegrees(identified.lat), m: identified.result ? formatNumber(identified.result.toleranceM, 1) : '…' })}
          </p>
          {!identified.result && !identified.error && <p className="mt-note">{t('mtIdentifyLoading')}</p>}
          {identified.error && (
            <p className="error" role="alert">
              {identified.error}
            </p>
          )}
          {identified.result && identified.result.layers.length === 0 && <p className="mt-none">{t('mtIdentifyNone')}</p>}
          {identified.result?.layers.map((l) => {
            const def = getLayer(l.layer)!;
            return (
              <div key={l.layer} className="mt-layer" data-testid="mt-identify-layer" data-layer={l.layer}>
                <h3>{pickField(def, 'name', lang)}</h3>
                {l.features.map((f) => (
                  <div key={f.id} className="mt-feature" data-testid="mt-identify-feature" data-id={f.id} onMouseEnter={() => void highlight(l.layer, f.id)}>
                    <table>
                      <tbody>
                        {def.attributes
                          .filter((a) => a.name !== 'county_code' && f.properties[a.name] !== undefined && f.properties[a.name] !== null && f.properties[a.name] !== '')
                          .map((a) => (
                            <tr key={a.name} data-attr={a.name}>
                              <th>{pickField(a, 'label', lang)}</th>
                              <td>
                                <AttributeValue a={a} v={f.properties[a.name]!} f={f} lang={lang} />
                              </td>
                            </tr>
                          ))}
                        {f.countyName && l.layer !== 'admin-county' && (
                          <tr data-attr="county">
                            <th>{t('mtCounty')}</th>
                            <td {...(lang === 'en' && f.countyNameEn ? {} : dataProps(f.countyName))}>{lang === 'en' && f.countyNameEn ? f.countyNameEn : f.countyName}</td>
                          </tr>
                        )}
                      </tbody>
                    </table>
                    {f.distanceM > 0 && <p className="mt-note">{t('mtDistanceFrom', { m: formatNumber(f.distanceM, 1) })}</p>}
                    <a href={f.link.kind === 'feature' ? f.link.href : withLang(f.link.href, lang)} data-testid="mt-identify-link" data-kind={f.link.kind} target={f.link.kind === 'feature' ? '_blank' : undefined} rel="noreferrer">
                      {t(f.link.kind === 'case' ? 'mtLinkCase' : f.link.kind === 'stock-parcel' ? 'mtLinkStock' : 'mtLinkFeature')}
                    </a>
                  </div>
                ))}
                {l.truncated && <p className="mt-note">{t('mtIdentifyMore')}</p>}
              </div>
            );
          })}
          {identified.result && identified.result.withheld.length > 0 && <p className="mt-note">{t('mtIdentifyWithheld', { names: withheldNames ?? '' })}</p>}
        </section>
      )}
    </>
  );
}
