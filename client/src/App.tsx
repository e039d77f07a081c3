import { useCallback, useEffect, useMemo, useState } from 'react';
import { DRAW_ORDER, getLayer, type LayerId } from '../../core/layers.ts';
import type { HealthResponse } from '../../core/contracts/health.ts';
import type { LayerInfo } from '../../core/contracts/layers.ts';
import type { Basemap, ClientConfig, County } from '../../core/contracts/features.ts';
import { api } from './api.ts';
import { languageNameProps, htmlLang, LangContext, otherLang, translate, withLang, type Lang } from './i18n.ts';
import { readUrlState, writeUrlState, type LayerStates, type LayerViewState } from './url-state.ts';
import { buildStyle, countyLabelCollection } from './map/style.ts';
import type { MapController } from './map/controller.ts';
import { LayerPanel } from './panel/LayerPanel.tsx';
import { CountyList } from './panel/CountyList.tsx';
import { CoordinateReadout, type CoordinateMode } from './panel/CoordinateReadout.tsx';
import { maySeeLayer, type Role } from '../../core/access.ts';
import { currentSession, getJson } from './http.ts';
import { ImageryList, type ImageryLayer } from '../../core/contracts/imagery.ts';
import { setDataExtent } from '../../core/geometry-validation.ts';
import { SessionBadge } from './auth/SessionBadge.tsx';
import { useLoaded } from './loaded.ts';

// The map (MapLibre) is a chunk of its own, which main.tsx asks for together with this one: it
// arrives while the workspace waits for its data. The site check (drawing, file readers, the
// preview's geometry) is another, asked for once the map has drawn its first view, so that it
// does not hold up that first render.
const mapView = import('./map/MapView.tsx').then((m) => m.MapView);
const siteCheckPanel = () => import('./site-check/SiteCheckPanel.tsx').then((m) => m.SiteCheckPanel);
// the map tools (search, identify, measure, export), likewise after the first view
const mapTools = () => import('./map/tools/MapTools.tsx').then((m) => m.MapTools);

/** The workspace's data, asked for as this module runs: before the map's chunk is evaluated. */
const workspaceData = (() => {
  const { lang } = readUrlState(window.location.search);
  // the imagery periods the caller may see are base maps too (a restricted period only for staff)
  const imagery = getJson('/api/imagery', { lang, schema: ImageryList }).then(
    (r) => r.layers,
    () => [] as ImageryLayer[],
  );
  // the loaded dataset's extent (the province's at the province scale) for the coordinate search and the site's checks
  const config = api.config(lang).then((c) => (c.dataExtent && setDataExtent(c.dataExtent), c));
  return Promise.all([api.health(lang), api.layers(lang), api.counties(lang), config, currentSession(), imagery]);
})();

/** An imagery period as a raster base map of the chooser (?basemap=imagery-<id>). */
const imageryBasemap = (l: ImageryLayer): Basemap => ({
  id: `imagery-${l.id}`,
  name: `影像 ${l.periodLabel}`,
  nameEn: `Imagery ${l.periodLabel}`,
  kind: 'raster',
  tiles: [l.tiles],
  attribution: `${l.name} · ${l.nameEn}`,
  maxzoom: 20,
});
workspaceData.catch(() => undefined); // the page shows the failure

interface Loaded {
  health: HealthResponse;
  layers: LayerInfo[];
  counties: County[];
  config: ClientConfig;
  /** Who is signed in: 'public' when nobody. */
  role: Role;
  /** Where the caller works (their account's scope; the province for the public): the map opens on it. */
  scopeBounds: [number, number, number, number] | null;
}

/** The map workspace: full-window map with the layer panel, county list, base maps and coordinates. */
export function App() {
  const initial = useMemo(() => readUrlState(window.location.search), []);
  const [lang, setLang] = useState<Lang>(initial.lang);
  const [states, setStates] = useState<LayerStates>(initial.layers);
  const [basemap, setBasemap] = useState(initial.basemap);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [controller, setController] = useState<MapController | null>(null);
  const [cursor, setCursor] = useState<{ lng: number; lat: number } | null>(null);
  const [coordMode, setCoordMode] = useState<CoordinateMode>('lonlat');
  const [zoom, setZoom] = useState(0);
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate(lang, k, v);
  const MapView = useLoaded(mapView);
  const SiteCheckPanel = useLoaded(useMemo(() => (controller ? controller.ready.then(siteCheckPanel) : null), [controller]));
  const MapTools = useLoaded(useMemo(() => (controller ? controller.ready.then(mapTools) : null), [controller]));

  useEffect(() => {
    workspaceData
      .then(([health, layers, counties, withoutImagery, session, imagery]) => {
        const config = { ...withoutImagery, basemaps: [...withoutImagery.basemaps, ...imagery.map(imageryBasemap)] };
        const role: Role = session.user?.role ?? 'public';
        // a layer the role may not see stays off, even when the URL asks for it
        const hidden = layers.filter((l) => !maySeeLayer(role, l.sensitivity)).map((l) => l.id as LayerId);
        if (hidden.length) setStates((prev) => ({ ...prev, ...Object.fromEntries(hidden.map((id) => [id, { ...prev[id], visible: false }])) }));
        setData({ health, layers, counties, config, role, scopeBounds: session.scope.bbox });
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = t('docTitle');
    controller?.setLang(lang);
  }, [lang, controller]);

  useEffect(() => writeUrlState({ layers: states, lang, basemap }), [states, lang, basemap]);

  const selectedBasemap = data?.config.basemaps.find((b) => b.id === basemap);
  useEffect(() => {
    if (controller) controller.setBasemap(selectedBasemap);
  }, [controller, selectedBasemap]);
  // a base map the server no longer offers (a link from before, a key removed): the offline one
  useEffect(() => {
    if (data && basemap !== 'offline' && !selectedBasemap) setBasemap('offline');
  }, [data, basemap, selectedBasemap]);

  const style = useMemo(() => {
    if (!data) return null;
    return buildStyle({
      origin: window.location.origin,
      states,
      countyLabels: countyLabelCollection(data.counties),
      lang,
      maxTileZoom: data.config.maxTileZoom,
      visible: (id) => maySeeLayer(data.role, data.layers.find((l) => l.id === id)?.sensitivity ?? getLayer(id)?.sensitivity ?? 'restricted'),
    });
    // the style is built once; later changes go through the controller
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);

  const locked = useMemo(() => {
    if (!data) return {};
    const why = data.role === 'public' ? ('signIn' as const) : ('forbidden' as const);
    return Object.fromEntries(data.layers.filter((l) => !maySeeLayer(data.role, l.sensitivity)).map((l) => [l.id, why])) as Partial<Record<LayerId, 'signIn' | 'forbidden'>>;
  }, [data]);

  const onLayerChange = useCallback(
    (id: LayerId, state: LayerViewState) => {
      if (locked[id]) return;
      setStates((prev) => ({ ...prev, [id]: state }));
      controller?.setLayerState(id, state);
    },
    [controller, locked],
  );

  const countyExtent = data?.scopeBounds ?? data?.layers.find((l) => l.id === 'admin-county')?.extent ?? undefined;

  return (
    <LangContext.Provider value={lang}>
      <div className="workspace">
        <aside className="side-panel">
          <header className="app-header">
            <h1>{t('title')}</h1>
            <span className="subtitle">{t('subtitle')}</span>
            <a className="header-link" href={withLang('/stock', lang)} data-testid="stock-link">
              {t('stLink')}
            </a>
            <a className="header-link" href={withLang('/audit', lang)} data-testid="audit-link">
              {t('auLink')}
            </a>
            <button type="button" className="lang-switch" onClick={() => setLang(otherLang(lang))} {...languageNameProps(otherLang(lang))}>
              {t('language')}
            </button>
            <SessionBadge />
          </header>
          {error && (
            <p className="error" role="alert">
              {t('loadFailed')}
              {error}
            </p>
          )}
          {!data && !error && <p className="loading">{t('loading')}</p>}
          {data && (
            <>
              {SiteCheckPanel && <SiteCheckPanel controller={controller} lang={lang} role={data.role} />}
              <LayerPanel layers={data.layers} states={states} zoom={zoom} onChange={onLayerChange} locked={locked} basemaps={{ list: data.config.basemaps, selected: basemap, onSelect: setBasemap }} />
              <CountyList counties={data.counties} onSelect={(c) => controller?.fitBounds(c.bbox)} />
              <footer className="status" data-testid="health">
                {t('database')}
                {t('colon')}
                {data.health.database === 'embedded' ? `${t('embedded')} PGlite + PostGIS` : 'PostGIS'} ·{' '}
                {t('dataVersion')} {data.health.dataVersion}
              </footer>
            </>
          )}
        </aside>
        <main className="map-area">
          {style && MapView && (
            <MapView
              style={style}
              initialBounds={countyExtent ?? undefined}
              lang={lang}
              onReady={(c) => {
                setController(c);
                // apply opacities from the URL
                for (const [id, s] of Object.entries(states)) if (getLayer(id)) c.map.once('load', () => c.setLayerState(id as LayerId, s));
              }}
              onCursor={setCursor}
              onZoom={setZoom}
            />
          )}
          <CoordinateReadout at={cursor} mode={coordMode} onMode={setCoordMode} />
          {MapTools && controller && data && (
            <MapTools
              controller={controller}
              lang={lang}
              dataVersion={data.health.dataVersion}
              visibleLayers={DRAW_ORDER.filter((id) => states[id]?.visible && !locked[id]).reverse()}
            />
          )}
        </main>
      </div>
    </LangContext.Provider>
  );
}
