/**
 * The drawing seam of the site check: terra-draw with its MapLibre adapter on the workspace
 * map, behind a small API the panel uses (tools, undo, clear, load) and a state it can
 * subscribe to. Nothing else in the client touches terra-draw.
 *
 * - Tools: polygon (click the vertices, click the first or the last vertex again — or press
 *   Enter — to close), rectangle (click two corners), freehand (click, move, click), select
 *   (drag a vertex, drag a midpoint to insert one, right-click a vertex to delete it).
 * - One site at a time: a newly closed shape replaces the previous site.
 * - Undo: while a shape is being drawn, terra-draw's own mode history removes the last
 *   vertex; otherwise our history of committed site geometries steps back one drawing, edit
 *   or load.
 * - A loaded geometry (an upload, the trimmed site of a report) keeps its exact coordinates
 *   for the check; it is put into terra-draw for editing when terra-draw can hold it (rings
 *   without holes), else it is shown as an overlay and cannot be edited vertex by vertex.
 */
import {
  TerraDraw,
  TerraDrawFreehandMode,
  TerraDrawModeUndoRedo,
  TerraDrawPolygonMode,
  TerraDrawRectangleMode,
  TerraDrawSelectMode,
  type GeoJSONStoreFeatures,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { polygonsOf, type SiteShape } from '../../../core/preview.ts';
import type { MapController } from '../map/controller.ts';
import { siteOutline } from './overlay.ts';

export type DrawTool = 'polygon' | 'rectangle' | 'freehand' | 'select';

export interface DrawState {
  /** terra-draw is on the map and the tools can be used. */
  ready: boolean;
  tool: DrawTool | null;
  /** A shape is being drawn and is not closed yet. */
  drawing: boolean;
  /** The committed site: what a check sends (exact coordinates when loaded); null when none. */
  site: SiteShape | null;
  /** What the map shows now, including a shape being drawn or a vertex being dragged. */
  live: SiteShape | null;
  /** The site can be edited vertex by vertex. */
  editable: boolean;
  canUndo: boolean;
  /** Vertices of the live site (closing vertices not counted). */
  vertices: number;
  /**
   * The loaded geometry (an upload, a report's trimmed site) the committed site is, or was
   * edited from; null for a site drawn on the map. With `site === loaded` it is unchanged.
   */
  loaded: SiteShape | null;
}

interface Snapshot {
  geometry: SiteShape;
  /** Held by terra-draw (no holes), so the select tool can edit it. */
  editable: boolean;
  /** The loaded geometry it is or was edited from; null when drawn. */
  loaded: SiteShape | null;
}

const DRAW_MODES = ['polygon', 'rectangle', 'freehand'] as const;
/** terra-draw refuses coordinates with more decimals than the adapter's precision. */
const PRECISION = 9;
const OVERLAY = 'site';

const SITE_STYLE = {
  fillColor: '#1c7ed6',
  fillOpacity: 0.12,
  outlineColor: '#1c3d5a',
  outlineWidth: 2.5,
  closingPointColor: '#ffffff',
  closingPointOutlineColor: '#1c3d5a',
  closingPointWidth: 6,
  closingPointOutlineWidth: 2,
} as const;

const editFlags = {
  feature: {
    draggable: false,
    coordinates: { draggable: true, midpoints: true, deletable: true },
  },
};

const round = (v: number) => Math.round(v * 10 ** PRECISION) / 10 ** PRECISION;

/** The outer rings of a site, as terra-draw polygon features; null when a polygon has holes. */
function toStoreFeatures(g: SiteShape): GeoJSONStoreFeatures[] | null {
  const polys = polygonsOf(g);
  if (polys.some((p) => p.length !== 1)) return null;
  return polys.map((p) => ({
    type: 'Feature',
    properties: { mode: 'polygon' },
    geometry: { type: 'Polygon', coordinates: [p[0]!.map((c) => [round(c[0]!), round(c[1]!)])] },
  }));
}

/** A Polygon for one ring, a MultiPolygon for several. */
function fromRings(rings: number[][][]): SiteShape | null {
  if (rings.length === 0) return null;
  if (rings.length === 1) return { type: 'Polygon', coordinates: [rings[0]!] };
  return { type: 'MultiPolygon', coordinates: rings.map((r) => [r]) };
}

const vertexCount = (g: SiteShape | null) =>
  g ? polygonsOf(g).reduce((n, p) => n + p.reduce((m, r) => m + Math.max(0, r.length - 1), 0), 0) : 0;

export class SiteDrawer {
  private draw: TerraDraw | null = null;
  /** Committed states, oldest first; the last is the current site (null: cleared). */
  private history: (Snapshot | null)[] = [];
  private listeners = new Set<(s: DrawState) => void>();
  private destroyed = false;
  private tool: DrawTool | null = null;
  /** Set while we change the store ourselves, so our own changes are not taken for edits. */
  private quiet = false;
  private state: DrawState = { ready: false, tool: null, drawing: false, site: null, live: null, editable: false, canUndo: false, vertices: 0, loaded: null };
  /** A load asked for before terra-draw was ready. */
  private pending: SiteShape | null = null;

  constructor(private readonly controller: MapController) {
    // terra-draw adds its layers to the style: wait for the map's first complete render
    void controller.ready.then(() => {
      if (!this.destroyed) this.start();
    });
  }

  private start() {
    const adapter = new TerraDrawMapLibreGLAdapter({ map: this.controller.map, coordinatePrecision: PRECISION });
    const draw = new TerraDraw({
      adapter,
      modes: [
        new TerraDrawPolygonMode({ styles: SITE_STYLE }),
        new TerraDrawRectangleMode({ styles: { fillColor: SITE_STYLE.fillColor, fillOpacity: SITE_STYLE.fillOpacity, outlineColor: SITE_STYLE.outlineColor, outlineWidth: SITE_STYLE.outlineWidth } }),
        new TerraDrawFreehandMode({ minDistance: 12, styles: { fillColor: SITE_STYLE.fillColor, fillOpacity: SITE_STYLE.fillOpacity, outlineColor: SITE_STYLE.outlineColor, outlineWidth: SITE_STYLE.outlineWidth } }),
        new TerraDrawSelectMode({
          flags: { polygon: editFlags, rectangle: editFlags, freehand: editFlags },
          keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
          allowManualDeselection: false,
          styles: { selectedPolygonColor: '#1c7ed6', selectedPolygonOutlineColor: '#e8590c', selectedPolygonOutlineWidth: 2.5, selectionPointColor: '#ffffff', selectionPointOutlineColor: '#e8590c', selectionPointWidth: 5, midPointColor: '#e8590c', midPointWidth: 3 },
        }),
      ],
      undoRedo: { modeLevel: new TerraDrawModeUndoRedo() },
    });
    draw.start();
    draw.on('change', () => {
      if (!this.quiet) this.emit();
    });
    draw.on('history', () => {
      if (!this.quiet) this.emit();
    });
    draw.on('finish', (id, ctx) => {
      if (this.quiet) return;
      if (ctx.action === 'draw') {
        // one site at a time: the new shape replaces the previous one
        const others = draw
          .getSnapshot()
          .filter((f) => f.id !== id && f.geometry.type === 'Polygon')
          .map((f) => f.id!)
          .filter((fid) => fid !== undefined);
        this.quietly(() => draw.removeFeatures(others));
        this.controller.setOverlay(OVERLAY, null);
      }
      this.commitFromStore(ctx.action === 'draw');
      // a closed shape ends the drawing tool; editing stays on until the user leaves it
      if (ctx.action === 'draw') setTimeout(() => this.setTool(null), 0);
    });
    this.draw = draw;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.load(pending);
    else this.emit();
  }

  private quietly(f: () => void) {
    this.quiet = true;
    try {
      f();
    } finally {
      this.quiet = false;
    }
  }

  /** The closed site polygons in terra-draw's store, and the one being drawn. */
  private storeRings(): { closed: number[][][]; drawing: number[][] | null } {
    const closed: number[][][] = [];
    let drawing: number[][] | null = null;
    for (const f of this.draw?.getSnapshot() ?? []) {
      if (f.geometry.type !== 'Polygon') continue;
      const mode = String(f.properties.mode);
      if (!(DRAW_MODES as readonly string[]).includes(mode)) continue;
      const ring = f.geometry.coordinates[0];
      if (!ring) continue;
      if (f.properties.currentlyDrawing) drawing = ring;
      else closed.push(ring);
    }
    return { closed, drawing };
  }

  /** A drawing (`drawn`) or an edit of the current site, as the next committed state. */
  private commitFromStore(drawn: boolean) {
    const g = fromRings(this.storeRings().closed);
    if (g) this.history.push({ geometry: g, editable: true, loaded: drawn ? null : (this.current()?.loaded ?? null) });
    this.emit();
  }

  private current(): Snapshot | null {
    return this.history[this.history.length - 1] ?? null;
  }

  private emit() {
    const draw = this.draw;
    const snap = this.current();
    const drawing = !!draw && draw.getModeState() === 'drawing';
    let live: SiteShape | null = snap?.geometry ?? null;
    if (draw) {
      const { closed, drawing: ring } = this.storeRings();
      if (drawing && ring) {
        const distinct = new Set(ring.map((c) => `${c[0]},${c[1]}`));
        live = distinct.size >= 3 ? { type: 'Polygon', coordinates: [ring] } : null;
      } else if (snap?.editable && this.tool === 'select') {
        // vertices being dragged: the store is ahead of the committed site
        live = fromRings(closed) ?? live;
      }
    }
    this.state = {
      ready: !!draw,
      tool: this.tool,
      drawing,
      site: snap?.geometry ?? null,
      live,
      editable: !!snap?.editable,
      canUndo: drawing ? !!draw?.canUndo() : this.history.length > 0,
      vertices: vertexCount(live),
      loaded: snap?.loaded ?? null,
    };
    for (const l of this.listeners) l(this.state);
  }

  getState(): DrawState {
    return this.state;
  }

  subscribe(listener: (s: DrawState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Picks a tool (null: none, the map's own clicks and popups return). */
  setTool(tool: DrawTool | null) {
    const draw = this.draw;
    if (!draw || this.destroyed) return;
    if (tool === 'select' && !this.current()?.editable) tool = null;
    this.tool = tool;
    this.quietly(() => {
      draw.setMode(tool ?? 'static');
      if (tool === 'select') {
        const first = draw.getSnapshot().find((f) => f.geometry.type === 'Polygon' && (DRAW_MODES as readonly string[]).includes(String(f.properties.mode)));
        if (first?.id !== undefined) draw.selectFeature(first.id);
      }
    });
    this.controller.setFeaturePicking(tool === null);
    this.emit();
  }

  /** Undoes the last vertex while drawing, else the last drawing, edit or load. */
  undo() {
    const draw = this.draw;
    if (!draw) return;
    if (draw.getModeState() === 'drawing') {
      if (draw.canUndo()) draw.undo();
      this.emit();
      return;
    }
    if (!this.history.length) return;
    this.history.pop();
    this.show(this.current());
  }

  /** Removes the site and any shape being drawn (undo brings the site back). */
  clear() {
    if (!this.draw) return;
    this.setTool(null);
    if (this.current()) this.history.push(null);
    this.show(null);
  }

  /** Puts a site on the map for checking (an upload, or the trimmed site of a report). */
  load(geometry: SiteShape) {
    if (!this.draw) {
      this.pending = geometry;
      return;
    }
    const editable = toStoreFeatures(geometry) !== null;
    this.history.push({ geometry, editable, loaded: geometry });
    this.setTool(null);
    this.show(this.current());
  }

  /** Makes the map show a snapshot: in terra-draw when it can hold it, else as an overlay. */
  private show(snap: Snapshot | null) {
    const draw = this.draw;
    if (!draw) return;
    let features = snap?.editable ? toStoreFeatures(snap.geometry) : null;
    this.quietly(() => {
      draw.setMode('static');
      draw.clear();
      if (features && draw.addFeatures(features).some((r) => !r.valid)) {
        // terra-draw cannot hold it after all: show it as an overlay, not editable
        draw.clear();
        features = null;
        if (snap) snap.editable = false;
      }
    });
    this.controller.setOverlay(OVERLAY, snap && !features ? siteOutline(snap.geometry) : null);
    if (this.tool && this.tool !== 'select') this.quietly(() => draw.setMode(this.tool!));
    if (this.tool === 'select') this.setTool(features ? 'select' : null);
    this.emit();
  }

  destroy() {
    this.destroyed = true;
    this.listeners.clear();
    this.controller.setFeaturePicking(true);
    try {
      this.controller.setOverlay(OVERLAY, null);
      this.draw?.stop();
    } catch {
      // the map may already be gone
    }
    this.draw = null;
  }
}
