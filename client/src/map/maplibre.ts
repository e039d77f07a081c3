/**
 * MapLibre, set up once for every map of the client: its style sheet, and its worker — a
 * separate, self-contained module that Vite copies and gives the URL of — started as soon as
 * this module runs, so the worker is fetched and ready while the page still waits for its
 * data. Only the map pages' chunks import this (main.tsx loads pages by route).
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

maplibregl.setWorkerUrl(workerUrl);
maplibregl.prewarm();

export { maplibregl };

/** Chinese labels are drawn with the browser's own fonts (no glyph server needed). */
export const CJK_FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";
