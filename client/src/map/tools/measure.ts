/**
 * Measuring on the workspace map: click the vertices of a line (distance) or a polygon (area),
 * double-click or Enter to finish, Esc to cancel. The figures are the ellipsoid's
 * (core/measure.ts: geodesic legs on GRS80; the CGCS2000 ellipsoidal area); the line, the polygon
 * and the figure are drawn as map layers, so an export of the view carries them.
 */
import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { lineLength, ringAreaM2 } from '../../../../core/measure.ts';
import { LABEL_FONT } from '../style.ts';

export type MeasureMode = 'distance' | 'area';

export interface Measurement {
  mode: MeasureMode;
  vertices: [number, number][];
  /** Line length, or the ring's perimeter, metres. */
  lengthM: number;
  /** Area, m² (0 for a line). */
  areaM2: number;
  done: boolean;
}

const SOURCE = 'measure';
const LAYERS = ['measure-fill', 'measure-line', 'measure-points', 'measure-label'];

export class MeasureTool {
  private mode: MeasureMode | null = null;
  private vertices: [number, number][] = [];
  private cursor: [number, number] | null = null;
  private done = false;
  private labelOf: (m: Measurement) => string = () => '';

  constructor(
    private readonly map: MapLibreMap,
    private readonly onChange: (m: Measurement | null) => void,
  ) {}

  /** How the figure on the map is written (the page's language and units). */
  setLabeler(fn: (m: Measurement) => string) {
    this.labelOf = fn;
    this.draw();
  }

  get active() {
    return this.mode !== null && !this.done;
  }

  start(mode: MeasureMode) {
    this.stop();
    this.clear();
    this.mode = mode;
    this.done = false;
    this.map.doubleClickZoom.disable();
    this.map.on('click', this.onClick);
    this.map.on('dblclick', this.onDblClick);
    this.map.on('mousemove', this.onMove);
    window.addEventListener('keydown', this.onKey);
    this.map.getCanvas().style.cursor = 'crosshair';
    this.emit();
  }

  /** Ends the drawing, keeping what was measured. */
  finish() {
    if (!this.mode) return;
    this.done = true;
    this.cursor = null;
    this.detach();
    this.draw();
    this.emit();
  }

  /** Stops listening (the measurement stays drawn until `clear`). */
  stop() {
    this.detach();
  }

  clear() {
    this.detach();
    this.mode = null;
    this.vertices = [];
    this.cursor = null;
    this.done = false;
    for (const id of LAYERS) if (this.map.getLayer(id)) this.map.removeLayer(id);
    if (this.map.getSource(SOURCE)) this.map.removeSource(SOURCE);
    this.onChange(null);
  }

  /** Adds a vertex (what a click does; tests and keyboards may call it too). */
  addVertex(lngLat: [number, number]) {
    if (!this.mode || this.done) return;
    this.vertices.push(lngLat);
    this.draw();
    this.emit();
  }

  private detach() {
    this.map.off('click', this.onClick);
    this.map.off('dblclick', this.onDblClick);
    this.map.off('mousemove', this.onMove);
    window.removeEventListener('keydown', this.onKey);
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = '';
  }

  private onClick = (e: MapMouseEvent) => {
    this.addVertex([e.lngLat.lng, e.lngLat.lat]);
  };

  private onDblClick = (e: MapMouseEvent) => {
    e.preventDefault();
    // the double-click's two clicks added the same point twice
    const n = this.vertices.length;
    if (n >= 2 && this.vertices[n - 1]![0] === this.vertices[n - 2]![0] && this.vertices[n - 1]![1] === this.vertices[n - 2]![1]) this.vertices.pop();
    this.finish();
  };

  private onMove = (e: MapMouseEvent) => {
    this.cursor = [e.lngLat.lng, e.lngLat.lat];
    this.draw();
    this.emit();
  };

  private onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' && e.key !== 'Escape') return;
    // the key is the measurement's, not a focused button's (the tool's own would start it again)
    e.preventDefault();
    if (e.key === 'Enter') this.finish();
    else this.clear();
  };

  measurement(): Measurement | null {
    if (!this.mode) return null;
    const pts = this.done || !this.cursor ? this.vertices : [...this.vertices, this.cursor];
    const ring = this.mode === 'area' && pts.length >= 3;
    return {
      mode: this.mode,
      vertices: [...this.vertices],
      lengthM: lineLength(ring ? [...pts, pts[0]!] : pts),
      areaM2: ring ? ringAreaM2(pts) : 0,
      done: this.done,
    };
  }

  private emit() {
    this.onChange(this.measurement());
  }

  private draw() {
    const m = this.measurement();
    if (!m) return;
    const pts = this.done || !this.cursor ? this.vertices : [...this.vertices, this.cursor];
    const features: GeoJSON.Feature[] = [];
    if (m.mode === 'area' && pts.length >= 3) {
      features.push({ type: 'Feature', properties: { kind: 'fill' }, geometry: { type: 'Polygon', coordinates: [[...pts, pts[0]!]] } });
    }
    if (pts.length >= 2) {
      const line = m.mode === 'area' && pts.length >= 3 ? [...pts, pts[0]!] : pts;
      features.push({ type: 'Feature', properties: { kind: 'line' }, geometry: { type: 'LineString', coordinates: line } });
    }
    for (const v of this.vertices) features.push({ type: 'Feature', properties: { kind: 'point' }, geometry: { type: 'Point', coordinates: v } });
    const last = pts[pts.length - 1];
    if (last && pts.length >= 2) features.push({ type: 'Feature', properties: { kind: 'label', text: this.labelOf(m) }, geometry: { type: 'Point', coordinates: last } });
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    const source = this.map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (source) {
      source.setData(data);
      return;
    }
    this.map.addSource(SOURCE, { type: 'geojson', data });
    this.map.addLayer({ id: 'measure-fill', type: 'fill', source: SOURCE, filter: ['==', ['get', 'kind'], 'fill'], paint: { 'fill-color': '#f76707', 'fill-opacity': 0.2 } });
    this.map.addLayer({ id: 'measure-line', type: 'line', source: SOURCE, filter: ['==', ['get', 'kind'], 'line'], layout: { 'line-join': 'round' }, paint: { 'line-color': '#d9480f', 'line-width': 2.5, 'line-dasharray': [3, 1.5] } });
    this.map.addLayer({ id: 'measure-points', type: 'circle', source: SOURCE, filter: ['==', ['get', 'kind'], 'point'], paint: { 'circle-radius': 4, 'circle-color': '#fff', 'circle-stroke-color': '#d9480f', 'circle-stroke-width': 2 } });
    this.map.addLayer({
      id: 'measure-label',
      type: 'symbol',
      source: SOURCE,
      filter: ['==', ['get', 'kind'], 'label'],
      layout: { 'text-field': ['get', 'text'], 'text-font': LABEL_FONT, 'text-size': 13, 'text-max-width': 30, 'text-offset': [0, -1.4], 'text-allow-overlap': true, 'text-ignore-placement': true },
      paint: { 'text-color': '#862e00', 'text-halo-color': '#fff', 'text-halo-width': 2 },
    });
  }
}
