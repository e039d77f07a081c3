/**
 * Checks a site polygon before it is overlaid on the control lines, with reasons a
 * planner understands (边界自相交、未闭合、点数不足、面积为零、超出数据范围 …),
 * each with a code (like terra-draw's validation reasons) and, where there is one,
 * the place on the map. `repairSiteGeometry` fixes what can be fixed automatically
 * (self-intersections, unclosed rings, repeated points) and says what changed.
 *
 * Coordinates are EPSG:4490 lon/lat. Areas are ellipsoidal (CGCS2000).
 *
 * @example validateSiteGeometry(bowtie) // { valid: false, problems: [{ code: 'SELF_INTERSECTION', location: [114.31, 34.81], … }] }
 */
// the three turf modules used, not the whole @turf/turf bundle (a second to load in a parse worker)
import { formatLonLat } from './geos-reason.ts';
import { featureCollection, polygon as turfPolygon, multiPolygon as turfMultiPolygon } from '@turf/helpers';
import { union } from '@turf/union';
import { unkinkPolygon } from '@turf/unkink-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { ellipsoidalArea } from './ellipsoidal-area.ts';
import { formatArea, roundTo, M2_PER_HA } from './units.ts';

/** Reason codes of {@link validateSiteGeometry}. */
export const SiteGeometryReason = {
  NotPolygon: 'NOT_POLYGON',
  Empty: 'EMPTY_GEOMETRY',
  InvalidCoordinate: 'INVALID_COORDINATE',
  TooFewPositions: 'RING_TOO_FEW_POSITIONS',
  UnclosedRing: 'RING_NOT_CLOSED',
  SelfIntersection: 'SELF_INTERSECTION',
  ZeroArea: 'ZERO_AREA',
  OutsideExtent: 'OUTSIDE_DATA_EXTENT',
  TooManyVertices: 'TOO_MANY_VERTICES',
  TooLarge: 'TOO_LARGE',
} as const;
export type SiteGeometryReason = (typeof SiteGeometryReason)[keyof typeof SiteGeometryReason];

/** A dataset's extent in lon/lat degrees, and how a message names it. */
export interface DataExtent {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
  zh: string;
  en: string;
}
/** Kaifeng and surroundings: the demo and city scales. */
export const DATA_EXTENT: DataExtent = { minLon: 113.5, minLat: 33.9, maxLon: 115.6, maxLat: 35.4, zh: '开封市一带', en: 'around Kaifeng' };
/** Henan and a margin (its counties span 110.36–116.65° E, 31.38–36.37° N): the province scale. */
export const PROVINCE_EXTENT: DataExtent = { minLon: 110.2, minLat: 31.2, maxLon: 116.8, maxLat: 36.5, zh: '河南省一带', en: 'around Henan' };

let currentExtent: DataExtent = DATA_EXTENT;
/** The extent sites must lie in: the loaded dataset's (Kaifeng's until the server reads which one is loaded). */
export const dataExtent = (): DataExtent => currentExtent;
/** The extent of a dataset scale: the province's at the province scale, Kaifeng's otherwise. */
export const extentForScale = (scale: string | null | undefined): DataExtent => (scale === 'province' ? PROVINCE_EXTENT : DATA_EXTENT);
/** Set by the server once it knows the loaded dataset (seed_info's scale). */
export function setDataExtent(extent: DataExtent): void {
  currentExtent = extent;
}
/** More vertices than this is not a site drawn or surveyed by hand. */
export const MAX_VERTICES = 50_000;
/** Parts (polygons of a MultiPolygon) a site may have. */
export const MAX_PARTS = 1_000;
/**
 * What the public (not signed in) may send to the site check: a site an enterprise draws or
 * surveys has hundreds of vertices, not tens of thousands, and the check's overlay work grows
 * with them (on the embedded database it runs on the server's one thread).
 */
export const MAX_PUBLIC_VERTICES = 5_000;
export const MAX_PUBLIC_PARTS = 100;

/**
 * Vertices (positions) and parts of a GeoJSON geometry as sent, counted without trusting its
 * shape (anything not an array counts as nothing) and stopping once past `stopAt` vertices — a
 * cheap pass before any work that scales with them.
 *
 * @example countVertices({ type: 'Polygon', coordinates: [[[0,0],[1,0],[1,1],[0,0]]] }) // { vertices: 4, parts: 1 }
 */
export function countVertices(geometry: unknown, stopAt = Infinity): { vertices: number; parts: number } {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (!g || !Array.isArray(g.coordinates)) return { vertices: 0, parts: 0 };
  const polygons = (g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates]) as unknown[];
  let vertices = 0;
  for (const poly of polygons) {
    if (!Array.isArray(poly)) continue;
    for (const ring of poly) if (Array.isArray(ring)) vertices += ring.length;
    if (vertices > stopAt) break;
  }
  return { vertices, parts: polygons.length };
}

/** 100 km²: larger than any single land-approval site. */
export const MAX_AREA_M2 = 100 * 1_000_000;
/** Below this (1 cm²) a polygon has no area. */
export const MIN_AREA_M2 = 0.01;
/** At most this many crossing points are listed. */
export const MAX_LISTED_CROSSINGS = 10;

export interface GeometryProblem {
  code: SiteGeometryReason;
  zh: string;
  en: string;
  /** Where on the map, [lon, lat], when the problem has a place. */
  location?: [number, number];
}

export interface SiteValidation {
  valid: boolean;
  problems: GeometryProblem[];
}

type Position = number[];
type Rings = Position[][];

/** "东经 114.123457°，北纬 34.812346°" / "114.123457°E, 34.812346°N" — 6 decimals, about 0.1 m. */
function at(p: readonly number[], lang: 'zh' | 'en'): string {
  return formatLonLat(p[0] ?? NaN, p[1] ?? NaN)[lang];
}

/** Polygons of a geometry (a Polygon is one). */
function polygonsOf(geometry: Polygon | MultiPolygon): Rings[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** "第 2 部分外圈" / "part 2, hole 1" — only naming parts when there are several. */
function ringName(part: number, ring: number, parts: number): { zh: string; en: string } {
  const p = parts > 1 ? { zh: `第 ${part + 1} 部分`, en: `part ${part + 1}, ` } : { zh: '', en: '' };
  return ring === 0 ? { zh: `${p.zh}外圈`, en: `${p.en}outer ring` } : { zh: `${p.zh}第 ${ring} 个内环（洞）`, en: `${p.en}hole ${ring}` };
}

const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/**
 * A ring without consecutive repeated positions, closed (its first position repeated at the end).
 *
 * @example cleanRing([[0,0],[1,0],[1,0],[1,1]]) // [[0,0],[1,0],[1,1],[0,0]]
 */
export function cleanRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) if (!out.length || !same(out[out.length - 1]!, p)) out.push([p[0]!, p[1]!]);
  if (out.length > 1 && same(out[0]!, out[out.length - 1]!)) out.pop();
  if (out.length > 0) out.push([out[0]![0]!, out[0]![1]!]);
  return out;
}

/**
 * Whether all points of a ring lie on one straight line (a degenerate ring with no area).
 *
 * @example isCollinear([[0,0],[1,0],[2,0],[0,0]]) // true
 */
export function isCollinear(ring: Position[]): boolean {
  const first = ring[0];
  if (!first) return true;
  let far = first;
  let farD = 0;
  for (const p of ring) {
    const d = (p[0]! - first[0]!) ** 2 + (p[1]! - first[1]!) ** 2;
    if (d > farD) [far, farD] = [p, d];
  }
  if (farD === 0) return true;
  return ring.every((p) => Math.abs(orient(first, far, p)) <= 1e-9 * farD);
}

interface Segment {
  a: Position;
  b: Position;
  ring: number;
  index: number;
  /** Segments in its ring. */
  count: number;
}

const orient = (a: Position, b: Position, c: Position) => (b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!);
const within = (a: Position, b: Position, c: Position) =>
  Math.min(a[0]!, b[0]!) <= c[0]! && c[0]! <= Math.max(a[0]!, b[0]!) && Math.min(a[1]!, b[1]!) <= c[1]! && c[1]! <= Math.max(a[1]!, b[1]!);

/**
 * How two segments meet: a proper crossing, a touch (a vertex on the other segment), a
 * collinear overlap, or not at all — with the point where they meet.
 *
 * @example segmentContact([0,0],[2,2],[0,2],[2,0]) // { kind: 'cross', point: [1, 1] }
 */
export function segmentContact(p1: Position, p2: Position, q1: Position, q2: Position): { kind: 'cross' | 'touch' | 'overlap'; point: Position } | undefined {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    const t = d1 / (d1 - d2);
    return { kind: 'cross', point: [p1[0]! + t * (p2[0]! - p1[0]!), p1[1]! + t * (p2[1]! - p1[1]!)] };
  }
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    // collinear: overlap when they share more than one point
    const on = [q1, q2].filter((q) => within(p1, p2, q)).concat([p1, p2].filter((p) => within(q1, q2, p)));
    const distinct = on.filter((p, i) => on.findIndex((o) => same(o, p)) === i);
    if (distinct.length >= 2) return { kind: 'overlap', point: distinct[0]! };
    if (distinct.length === 1) return { kind: 'touch', point: distinct[0]! };
    return undefined;
  }
  if (d1 === 0 && within(q1, q2, p1)) return { kind: 'touch', point: p1 };
  if (d2 === 0 && within(q1, q2, p2)) return { kind: 'touch', point: p2 };
  if (d3 === 0 && within(p1, p2, q1)) return { kind: 'touch', point: q1 };
  if (d4 === 0 && within(p1, p2, q2)) return { kind: 'touch', point: q2 };
  return undefined;
}

/**
 * Where the boundary of a polygon set crosses itself: crossings and touches within a ring,
 * back-tracking spikes, crossings and shared edges between rings (touching at a single point
 * between different rings is allowed, as in OGC simple features). Uses a uniform grid, so it
 * stays fast for tens of thousands of vertices. Returns each place once.
 *
 * @example selfIntersections([[[[0,0],[2,2],[2,0],[0,2],[0,0]]]]) // [[1, 1]]
 */
export function selfIntersections(polygons: Rings[]): Position[] {
  const segments: Segment[] = [];
  let ringId = 0;
  for (const poly of polygons) {
    for (const raw of poly) {
      const ring = cleanRing(raw);
      const count = ring.length - 1;
      for (let i = 0; i < count; i++) segments.push({ a: ring[i]!, b: ring[i + 1]!, ring: ringId, index: i, count });
      ringId++;
    }
  }
  const n = segments.length;
  if (n < 2) return [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of segments) {
    minX = Math.min(minX, s.a[0]!, s.b[0]!);
    maxX = Math.max(maxX, s.a[0]!, s.b[0]!);
    minY = Math.min(minY, s.a[1]!, s.b[1]!);
    maxY = Math.max(maxY, s.a[1]!, s.b[1]!);
  }
  // cells about twice the median segment size, so each holds a few segments
  const sizes = segments.map((s) => Math.max(Math.abs(s.a[0]! - s.b[0]!), Math.abs(s.a[1]! - s.b[1]!))).sort((a, b) => a - b);
  const extent = Math.max(maxX - minX, maxY - minY);
  const size = Math.max(2 * sizes[Math.floor(n / 2)]!, extent / 4096) || 1;
  const cols = Math.floor((maxX - minX) / size) + 1;
  const rows = Math.floor((maxY - minY) / size) + 1;
  const cellX = (x: number) => Math.min(cols - 1, Math.floor((x - minX) / size));
  const cellY = (y: number) => Math.min(rows - 1, Math.floor((y - minY) / size));
  const grid = new Map<number, number[]>();
  const put = (x: number, y: number, id: number) => {
    if (x < 0 || y < 0 || x >= cols || y >= rows) return;
    const key = x * rows + y;
    const list = grid.get(key);
    if (!list) grid.set(key, [id]);
    else if (list[list.length - 1] !== id) list.push(id);
  };
  segments.forEach((s, id) => {
    const x0 = cellX(Math.min(s.a[0]!, s.b[0]!));
    const x1 = cellX(Math.max(s.a[0]!, s.b[0]!));
    const y0 = cellY(Math.min(s.a[1]!, s.b[1]!));
    const y1 = cellY(Math.max(s.a[1]!, s.b[1]!));
    if ((x1 - x0 + 1) * (y1 - y0 + 1) <= 16) {
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) put(x, y, id);
      return;
    }
    // a long diagonal edge: the cells along it (and their neighbours), not its whole box
    const steps = Math.ceil((2 * Math.hypot(s.b[0]! - s.a[0]!, s.b[1]! - s.a[1]!)) / size);
    const seen = new Set<number>();
    for (let k = 0; k <= steps; k++) {
      const cx = cellX(s.a[0]! + ((s.b[0]! - s.a[0]!) * k) / steps);
      const cy = cellY(s.a[1]! + ((s.b[1]! - s.a[1]!) * k) / steps);
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          const key = (cx + dx) * rows + (cy + dy);
          if (seen.has(key)) continue;
          seen.add(key);
          put(cx + dx, cy + dy, id);
        }
      }
    }
  });
  const tested = new Set<number>();
  const found = new Map<string, Position>();
  for (const ids of grid.values()) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [u, v] = ids[i]! < ids[j]! ? [ids[i]!, ids[j]!] : [ids[j]!, ids[i]!];
        const key = u * n + v;
        if (tested.has(key)) continue;
        tested.add(key);
        const s = segments[u]!;
        const t = segments[v]!;
        const contact = segmentContact(s.a, s.b, t.a, t.b);
        if (!contact) continue;
        let bad: boolean;
        if (s.ring === t.ring) {
          const gap = Math.abs(s.index - t.index);
          const adjacent = gap === 1 || gap === s.count - 1;
          bad = adjacent ? contact.kind === 'overlap' : true;
        } else {
          bad = contact.kind !== 'touch';
        }
        if (bad) found.set(`${contact.point[0]},${contact.point[1]}`, contact.point);
      }
    }
  }
  return [...found.values()];
}

/**
 * Validates a site geometry; `valid` is true when there is no problem.
 *
 * @example validateSiteGeometry({ type: 'Polygon', coordinates: [[[114.3,34.8],[114.31,34.8],[114.31,34.81],[114.3,34.8]]] }).valid // true
 */
export function validateSiteGeometry(geometry: Polygon | MultiPolygon): SiteValidation {
  const problems: GeometryProblem[] = [];
  const done = () => ({ valid: problems.length === 0, problems });
  if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') || !Array.isArray(geometry.coordinates)) {
    const type = String((geometry as { type?: unknown } | null)?.type ?? '');
    problems.push({ code: SiteGeometryReason.NotPolygon, zh: `图形不是面（${type}），用地范围须为面`, en: `The geometry is not a polygon (${type}); a site must be one` });
    return done();
  }
  const polygons = polygonsOf(geometry);
  const vertexCount = polygons.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  if (polygons.length === 0 || vertexCount === 0) {
    problems.push({ code: SiteGeometryReason.Empty, zh: '图形是空的，没有坐标', en: 'The geometry is empty' });
    return done();
  }
  for (const poly of polygons) {
    for (const ring of poly) {
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
          problems.push({ code: SiteGeometryReason.InvalidCoordinate, zh: `坐标不是有效数字：${JSON.stringify(p)}`, en: `A coordinate is not a valid number: ${JSON.stringify(p)}` });
          return done();
        }
      }
    }
  }
  if (vertexCount > MAX_VERTICES) {
    problems.push({
      code: SiteGeometryReason.TooManyVertices,
      zh: `图形有 ${vertexCount} 个顶点，超过上限 ${MAX_VERTICES} 个；请先抽稀或确认选对了图层`,
      en: `The geometry has ${vertexCount} vertices, more than the ${MAX_VERTICES} allowed; simplify it or check the layer`,
    });
  }

  let ringsOk = true;
  polygons.forEach((poly, part) => {
    if (poly.length === 0) {
      ringsOk = false;
      problems.push({ code: SiteGeometryReason.TooFewPositions, zh: `第 ${part + 1} 部分没有任何环`, en: `Part ${part + 1} has no ring` });
    }
    poly.forEach((ring, r) => {
      const name = ringName(part, r, polygons.length);
      if (ring.length < 4) {
        ringsOk = false;
        problems.push({
          code: SiteGeometryReason.TooFewPositions,
          zh: `${name.zh}只有 ${ring.length} 个坐标，面至少需要 3 个不同的点加首点闭合（4 个坐标）`,
          en: `The ${name.en} has ${ring.length} positions; a polygon ring needs at least 4 (3 distinct points and the closing one)`,
          ...(ring[0] ? { location: [ring[0][0]!, ring[0][1]!] as [number, number] } : {}),
        });
      } else if (!same(ring[0]!, ring[ring.length - 1]!)) {
        problems.push({
          code: SiteGeometryReason.UnclosedRing,
          zh: `${name.zh}未闭合：首点（${at(ring[0]!, 'zh')}）与末点（${at(ring[ring.length - 1]!, 'zh')}）不重合`,
          en: `The ${name.en} is not closed: the first point (${at(ring[0]!, 'en')}) differs from the last (${at(ring[ring.length - 1]!, 'en')})`,
          location: [ring[0]![0]!, ring[0]![1]!],
        });
      }
    });
  });

  // outside the data extent
  const DATA_EXTENT = dataExtent();
  let outside = 0;
  let firstOutside: Position | undefined;
  for (const poly of polygons) {
    for (const ring of poly) {
      for (const p of ring) {
        const [lon, lat] = p as [number, number];
        if (lon < DATA_EXTENT.minLon || lon > DATA_EXTENT.maxLon || lat < DATA_EXTENT.minLat || lat > DATA_EXTENT.maxLat) {
          outside++;
          firstOutside ??= p;
        }
      }
    }
  }
  if (firstOutside) {
    const swappedInside =
      firstOutside[1]! >= DATA_EXTENT.minLon && firstOutside[1]! <= DATA_EXTENT.maxLon && firstOutside[0]! >= DATA_EXTENT.minLat && firstOutside[0]! <= DATA_EXTENT.maxLat;
    const hint = swappedInside
      ? { zh: '看起来是经纬度颠倒了', en: 'it looks like longitude and latitude are swapped' }
      : { zh: '可能是坐标系选错（如把高斯-克吕格平面坐标当成经纬度、带号不对）或经纬度/XY 颠倒', en: 'probably a wrong coordinate system (e.g. projected metres read as degrees, a wrong zone) or swapped axes' };
    problems.push({
      code: SiteGeometryReason.OutsideExtent,
      zh: `有 ${outside} 个点超出数据范围（${DATA_EXTENT.zh}：东经 ${DATA_EXTENT.minLon}°–${DATA_EXTENT.maxLon}°、北纬 ${DATA_EXTENT.minLat}°–${DATA_EXTENT.maxLat}°），如（${at(firstOutside, 'zh')}）；${hint.zh}`,
      en: `${outside} points lie outside the data extent (${DATA_EXTENT.en}: ${DATA_EXTENT.minLon}–${DATA_EXTENT.maxLon}° E, ${DATA_EXTENT.minLat}–${DATA_EXTENT.maxLat}° N), e.g. ${at(firstOutside, 'en')}; ${hint.en}`,
      location: [firstOutside[0]!, firstOutside[1]!],
    });
  }

  // self-intersection (skipped past the vertex cap to bound the time)
  let crossingCount = 0;
  if (vertexCount <= MAX_VERTICES) {
    // degenerate rings (too short, or on one line) are reported as such, not as crossings
    const checkable = polygons.map((poly) => poly.filter((ring) => cleanRing(ring).length >= 4 && !isCollinear(ring)));
    const crossings = selfIntersections(checkable);
    crossingCount = crossings.length;
    crossings.slice(0, MAX_LISTED_CROSSINGS).forEach((p, i, listed) => {
      const more = i === listed.length - 1 && crossings.length > listed.length ? crossings.length - listed.length : 0;
      problems.push({
        code: SiteGeometryReason.SelfIntersection,
        zh: `边界自相交（位置：${at(p, 'zh')}）${more ? `（另有 ${more} 处未列出）` : ''}：边线交叉或重叠，面积无法确定；可用“自动修复”拆分交叉部分`,
        en: `The boundary crosses itself at ${at(p, 'en')}${more ? ` (and ${more} more places)` : ''}: edges cross or overlap, so the area is undefined; "repair" can split the crossing parts`,
        location: [p[0]!, p[1]!],
      });
    });
  }

  // area
  if (ringsOk) {
    let total = 0;
    polygons.forEach((poly, part) => {
      const area = ellipsoidalArea({ type: 'Polygon', coordinates: poly });
      total += area;
      if (isCollinear(poly[0]!) || (Math.abs(area) < MIN_AREA_M2 && crossingCount === 0)) {
        const name = polygons.length > 1 ? { zh: `第 ${part + 1} 部分`, en: `Part ${part + 1}` } : { zh: '图形', en: 'The polygon' };
        problems.push({
          code: SiteGeometryReason.ZeroArea,
          zh: `${name.zh}面积为零：各点在一条线上或重合`,
          en: `${name.en} has zero area: its points are on one line or coincide`,
          location: [poly[0]![0]![0]!, poly[0]![0]![1]!],
        });
      }
    });
    if (total > MAX_AREA_M2) {
      problems.push({
        code: SiteGeometryReason.TooLarge,
        zh: `面积 ${roundTo(total / 1e6, 2)} 平方公里（${roundTo(total / M2_PER_HA, 2)} 公顷），超过单个用地上限 100 平方公里；请确认没有选错图层或坐标系`,
        en: `The area is ${roundTo(total / 1e6, 2)} km² (${roundTo(total / M2_PER_HA, 2)} ha), more than the 100 km² a single site may have; check the layer and the coordinate system`,
      });
    }
  }
  return done();
}

export interface RepairResult {
  geometry: Polygon | MultiPolygon;
  /** Ellipsoidal area, m², of the input as its coordinates stand (a self-intersecting ring's parts partly cancel). */
  areaBefore: number;
  areaAfter: number;
  changed: boolean;
  note: { zh: string; en: string };
}

/** The input cleaned: repeated points removed, rings closed, rings too short or on one line dropped. */
function cleaned(geometry: Polygon | MultiPolygon): { polygons: Rings[]; dropped: number; touched: boolean } {
  let dropped = 0;
  let touched = false;
  const polygons: Rings[] = [];
  for (const poly of polygonsOf(geometry)) {
    const rings: Rings = [];
    poly.forEach((ring, r) => {
      const finite = ring.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      const c = cleanRing(finite);
      if (c.length !== ring.length || c.some((p, i) => !same(p, ring[i]!))) touched = true;
      if (c.length < 4 || isCollinear(c)) {
        dropped++;
        touched = true;
        return;
      }
      if (r === 0 || rings.length > 0) rings.push(c);
    });
    if (rings.length > 0) polygons.push(rings);
  }
  return { polygons, dropped, touched };
}

function asGeometry(polygons: Rings[]): Polygon | MultiPolygon {
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}

/** Union of a (possibly self-intersecting) polygon set with itself: polyclip resolves the crossings. */
function dissolve(polygons: Rings[]): Rings[] {
  const geom = turfMultiPolygon(polygons);
  try {
    const merged = union(featureCollection([geom, geom]));
    if (merged) return merged.geometry.type === 'Polygon' ? [merged.geometry.coordinates] : merged.geometry.coordinates;
  } catch {
    // fall through to unkink
  }
  const pieces = polygons.flatMap((rings) => unkinkPolygon(turfPolygon(rings)).features);
  if (pieces.length === 1) return [pieces[0]!.geometry.coordinates];
  const merged = union(featureCollection(pieces));
  if (!merged) return [];
  return merged.geometry.type === 'Polygon' ? [merged.geometry.coordinates] : merged.geometry.coordinates;
}

/**
 * Repairs a site geometry: removes repeated points, closes rings, drops rings too short to
 * be one, and resolves self-intersections (the crossing parts become separate parts or are
 * merged, as a union of the figure with itself). Says what changed, with both areas.
 *
 * @example repairSiteGeometry(bowtie) // { geometry: MultiPolygon (2 triangles), changed: true, note: { zh: '已修复边界自相交 …' } }
 */
export function repairSiteGeometry(geometry: Polygon | MultiPolygon): RepairResult {
  const { polygons, dropped, touched } = cleaned(geometry);
  const areaOf = (p: Rings[]) => (p.length ? Math.abs(ellipsoidalArea(asGeometry(p))) : 0);
  const areaBefore = polygons.length ? areaOf(polygons) : 0;
  if (polygons.length === 0) {
    return {
      geometry,
      areaBefore: 0,
      areaAfter: 0,
      changed: false,
      note: { zh: '无法修复：没有一个环能围成面（点数不足 3 个或各点在一条线上）', en: 'Cannot repair: no ring encloses an area (fewer than 3 distinct points, or all on one line)' },
    };
  }
  const crossings = selfIntersections(polygons);
  if (crossings.length === 0) {
    const areaAfter = areaBefore;
    if (!touched) {
      return { geometry, areaBefore, areaAfter, changed: false, note: { zh: '图形无需修复', en: 'Nothing to repair' } };
    }
    return {
      geometry: asGeometry(polygons),
      areaBefore,
      areaAfter,
      changed: true,
      note: {
        zh: `已整理图形：去除重复点、闭合未闭合的环${dropped ? `，删除 ${dropped} 个点数不足或没有面积的环` : ''}；面积 ${formatArea(areaAfter)}`,
        en: `Tidied the geometry: repeated points removed, open rings closed${dropped ? `, ${dropped} rings with too few points or no area dropped` : ''}; area ${formatArea(areaAfter, 'en')}`,
      },
    };
  }
  let repaired: Rings[];
  try {
    repaired = dissolve(polygons);
  } catch {
    repaired = [];
  }
  if (repaired.length === 0) {
    return {
      geometry,
      areaBefore,
      areaAfter: areaBefore,
      changed: false,
      note: {
        zh: `无法自动修复边界自相交（${crossings.length} 处），请在制图软件中修改后重新上传`,
        en: `The self-intersections (${crossings.length}) could not be repaired automatically; fix them in a GIS and upload again`,
      },
    };
  }
  const areaAfter = areaOf(repaired);
  const parts = repaired.length;
  return {
    geometry: asGeometry(repaired),
    areaBefore,
    areaAfter,
    changed: true,
    note: {
      zh: `已修复边界自相交（${crossings.length} 处）：修复后为 ${parts} 个部分；面积由 ${formatArea(areaBefore)} 变为 ${formatArea(areaAfter)}（修复前按原坐标顺序计算，交叉部分相互抵消）`,
      en: `Repaired the self-intersecting boundary (${crossings.length} place${crossings.length > 1 ? 's' : ''}): now ${parts} part${parts > 1 ? 's' : ''}; area ${formatArea(areaBefore, 'en')} before (computed in the original order, crossing parts cancel) and ${formatArea(areaAfter, 'en')} after`,
    },
  };
}
