/**
 * Partitions a polygon into Voronoi cells of seed points (the townships of a county, the villages
 * of a township), so the pieces tile their parent.
 *
 * Why it tiles to the 1e-7° grid the database stores: every Voronoi vertex is computed once per
 * cell, then snapped to one canonical copy shared by every cell that has it, and rounded to
 * 1e-7°; two neighbouring cells therefore share their edge exactly. A cell wholly inside the
 * parent is kept as it is (no clipping: most villages, and it keeps generation fast); a cell
 * crossing the parent's boundary is intersected with it by polygon clipping (polyclip-ts), whose
 * outputs along a shared edge are the same for both cells.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { unkinkPolygon } from '@turf/unkink-polygon';
import * as turf from './turf.ts';
import { M_PER_DEG_LAT, M_PER_DEG_LON, round7, type PolygonRings, type Ring } from './shapes.ts';

type Pt = [number, number];

/** Half-plane clip of a convex polygon (metres): keeps the side of the bisector nearer to `a` than to `b`. */
function clipBisector(poly: Pt[], a: Pt, b: Pt): Pt[] {
  const nx = b[0] - a[0];
  const ny = b[1] - a[1];
  const c = (b[0] * b[0] + b[1] * b[1] - a[0] * a[0] - a[1] * a[1]) / 2;
  const side = (p: Pt) => p[0] * nx + p[1] * ny - c; // ≤ 0: nearer to a
  const out: Pt[] = [];
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]!;
    const q = poly[(i + 1) % poly.length]!;
    const sp = side(p);
    const sq = side(q);
    if (sp <= 0) out.push(p);
    if ((sp < 0 && sq > 0) || (sp > 0 && sq < 0)) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** Whether a point lies inside a polygon given as rings (even–odd over all rings, so holes count). */
export function pointInRings(p: readonly number[], polygons: PolygonRings[]): boolean {
  let inside = false;
  const [x, y] = p as [number, number];
  for (const poly of polygons)
    for (const ring of poly)
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i] as Pt;
        const [xj, yj] = ring[j] as Pt;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
  return inside;
}

/** Drops repeated consecutive positions (rounding can make them) and rings left with no area. */
function cleanPolygons(polygons: PolygonRings[]): PolygonRings[] {
  const out: PolygonRings[] = [];
  for (const poly of polygons) {
    const rings: Ring[] = [];
    for (const [ri, ring] of poly.entries()) {
      const r: Ring = [];
      for (const [x, y] of ring) {
        const p = [round7(x!), round7(y!)];
        const last = r[r.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) r.push(p);
      }
      if (r.length < 4) {
        if (ri === 0) break; // the outer ring collapsed: nothing of this polygon is left
        continue;
      }
      rings.push(r);
    }
    if (rings.length > 0 && ringArea(rings[0]!) !== 0) out.push(rings);
  }
  return out;
}

const ringArea = (ring: Ring) => {
  let s = 0;
  for (let i = 1; i < ring.length; i++) s += ring[i - 1]![0]! * ring[i]![1]! - ring[i]![0]! * ring[i - 1]![1]!;
  return s / 2;
};

function polygonsOf(f: Feature<Polygon | MultiPolygon> | null): PolygonRings[] {
  if (!f) return [];
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

/**
 * The Voronoi cells of the seeds within a convex window (lon/lat ring, counter-clockwise), as
 * closed counter-clockwise rings on the 1e-7° grid, one per seed in the seeds' order (null when
 * a cell is empty). Distances in metres at Kaifeng's latitude. Vertices are shared exactly
 * between neighbouring cells (one canonical copy of each).
 */
export function voronoiCells(seeds: readonly Pt[], window: Ring): (Ring | null)[] {
  const ref = seeds[0]!;
  const toM = (p: readonly number[]): Pt => [(p[0]! - ref[0]) * M_PER_DEG_LON, (p[1]! - ref[1]) * M_PER_DEG_LAT];
  const toDeg = (p: Pt): Pt => [ref[0] + p[0] / M_PER_DEG_LON, ref[1] + p[1] / M_PER_DEG_LAT];
  const frame = window.slice(0, -1).map(toM);
  const sm = seeds.map(toM);
  // one canonical copy of each Voronoi vertex (cells compute theirs separately: equal to ~1e-9 m)
  const canon = new Map<string, Pt>();
  const snap = (p: Pt): Pt => {
    const d = toDeg(p);
    const kx = Math.round(d[0] * 1e9);
    const ky = Math.round(d[1] * 1e9);
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++) {
        const hit = canon.get(`${kx + dx},${ky + dy}`);
        if (hit) return hit;
      }
    const v: Pt = [round7(d[0]), round7(d[1])];
    canon.set(`${kx},${ky}`, v);
    return v;
  };
  return sm.map((s, i) => {
    let cell = frame;
    for (let j = 0; j < sm.length && cell.length > 0; j++) if (j !== i) cell = clipBisector(cell, s, sm[j]!);
    if (cell.length < 3) return null;
    const ring: Ring = cell.map(snap);
    const dedup: Ring = ring.filter((p, k) => k === 0 || p[0] !== ring[k - 1]![0] || p[1] !== ring[k - 1]![1]);
    while (dedup.length > 1 && dedup[0]![0] === dedup.at(-1)![0] && dedup[0]![1] === dedup.at(-1)![1]) dedup.pop();
    if (dedup.length < 3) return null;
    const closed: Ring = [...dedup, [dedup[0]![0]!, dedup[0]![1]!]];
    if (ringArea(closed) === 0) return null;
    if (ringArea(closed) < 0) closed.reverse();
    return closed;
  });
}

/** A box round the parent, widened by `margin` degrees, as a counter-clockwise ring. */
export function frameOf(parent: PolygonRings[], margin = 0.01): Ring {
  const [a, b, c, d] = ringBox(parent.flatMap((p) => p[0]!));
  return [
    [a - margin, b - margin],
    [c + margin, b - margin],
    [c + margin, d + margin],
    [a - margin, d + margin],
    [a - margin, b - margin],
  ];
}

/** The part of the parent inside a convex cell: the cell itself when it lies wholly inside. */
export function clipCell(cell: Ring, parent: PolygonRings[]): PolygonRings[] {
  if (cellInside(cell, parent)) return [[cell]];
  // clip the parent to a box round the cell first (linear time): polygon clipping then sees
  // tens of vertices rather than the county's thousands
  const near = cropToBox(parent, cell);
  if (near.length === 0) return [];
  const clipped = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([turf.polygon([cell]), turf.multiPolygon(near)]));
  return cleanPolygons(polygonsOf(clipped));
}

/**
 * Whether a convex cell lies inside the parent without touching its boundary: every corner
 * inside, and no vertex of the parent inside the cell's box (a boundary crossing a convex cell
 * either leaves a corner outside or has a vertex within it).
 */
function cellInside(cell: Ring, parent: PolygonRings[]): boolean {
  for (const p of cell) if (!pointInRings(p, parent)) return false;
  let [a, b, c, d] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of cell) {
    a = Math.min(a, p[0]!);
    b = Math.min(b, p[1]!);
    c = Math.max(c, p[0]!);
    d = Math.max(d, p[1]!);
  }
  for (const poly of parent) for (const ring of poly) for (const p of ring) if (p[0]! >= a && p[0]! <= c && p[1]! >= b && p[1]! <= d) return false;
  return true;
}

/**
 * The parent cut to the cell's box widened by a tenth (Sutherland–Hodgman against the box's four
 * sides, ring by ring). Where a ring leaves and re-enters the box the result runs along the box's
 * side — zero-width, and outside the cell, so the intersection with the cell is unchanged.
 */
function cropToBox(parent: PolygonRings[], cell: Ring): PolygonRings[] {
  const [a, b, c, d] = ringBox(cell);
  const mx = (c - a) * 0.1 + 1e-5;
  const my = (d - b) * 0.1 + 1e-5;
  const box = [a - mx, b - my, c + mx, d + my] as const;
  const out: PolygonRings[] = [];
  for (const poly of parent) {
    const [pa, pb, pc, pd] = ringBox(poly[0]!);
    if (pc < box[0] || pa > box[2] || pd < box[1] || pb > box[3]) continue;
    const rings: Ring[] = [];
    for (const [ri, ring] of poly.entries()) {
      let pts: Pt[] = ring.slice(0, -1).map((p) => [p[0]!, p[1]!]);
      const sides: [number, number, number][] = [
        [0, 1, box[0]], // x ≥ minX
        [0, -1, box[2]], // x ≤ maxX
        [1, 1, box[1]],
        [1, -1, box[3]],
      ];
      for (const [axis, sign, v] of sides) {
        const inside = (p: Pt) => sign * (p[axis]! - v) >= 0;
        const next: Pt[] = [];
        for (let i = 0; i < pts.length; i++) {
          const p = pts[i]!;
          const q = pts[(i + 1) % pts.length]!;
          const ip = inside(p);
          const iq = inside(q);
          if (ip) next.push(p);
          if (ip !== iq) {
            const t = (v - p[axis]!) / (q[axis]! - p[axis]!);
            const r: Pt = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
            r[axis] = v;
            next.push(r);
          }
        }
        pts = next;
        if (pts.length === 0) break;
      }
      if (pts.length < 3) {
        if (ri === 0) break;
        continue;
      }
      rings.push([...pts, [pts[0]![0], pts[0]![1]]]);
    }
    if (rings.length > 0 && poly[0] && rings[0] && rings.length >= 1) out.push(rings);
  }
  return out;
}

function ringBox(ring: Ring): [number, number, number, number] {
  let [a, b, c, d] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of ring) {
    a = Math.min(a, p[0]!);
    b = Math.min(b, p[1]!);
    c = Math.max(c, p[0]!);
    d = Math.max(d, p[1]!);
  }
  return [a, b, c, d];
}

/**
 * A county outline as the database stores it after ST_MakeValid: the source (quantised) has
 * rings that touch themselves — spikes out and back, small loops through one vertex — which
 * polygon clipping would read differently from GEOS. Each ring is split at its repeated vertices
 * into simple loops, spikes (no area) dropped, and the loops combined even–odd (what MakeValid's
 * linework method keeps: areas enclosed an odd number of times).
 */
export function validParts(polygons: PolygonRings[]): PolygonRings[] {
  const out: PolygonRings[] = [];
  for (const poly of polygons) {
    const pieces = simpleLoops(poly[0]!);
    if (pieces.length === 1) {
      out.push([pieces[0]!, ...poly.slice(1)]);
      continue;
    }
    // only a defective ring pays for polygon clipping: its loops combined by exclusive or
    let acc: Feature<Polygon | MultiPolygon> | null = null;
    for (const loop of pieces) {
      const f = turf.polygon([loop]);
      if (!acc) {
        acc = f;
        continue;
      }
      const both: FeatureCollection<Polygon | MultiPolygon> = turf.featureCollection<Polygon | MultiPolygon>([acc, f]);
      const u: Feature<Polygon | MultiPolygon> | null = turf.union(both);
      const i: Feature<Polygon | MultiPolygon> | null = turf.intersect(both);
      acc = i && u ? turf.difference(turf.featureCollection<Polygon | MultiPolygon>([u, i])) : u;
    }
    out.push(...polygonsOf(acc));
  }
  return cleanPolygons(out);
}

/** A ring split at its repeated vertices and its crossings into simple loops with an area. */
function simpleLoops(ring: Ring): Ring[] {
  const loops: Ring[] = [];
  const path: number[][] = [];
  const at = new Map<string, number>();
  for (const p of ring.slice(0, -1).concat([ring[0]!])) {
    const k = `${p[0]},${p[1]}`;
    const i = at.get(k);
    if (i !== undefined) {
      const loop = path.splice(i);
      for (const q of loop) at.delete(`${q[0]},${q[1]}`);
      if (loop.length >= 3) loops.push([...loop, loop[0]!]);
    }
    at.set(k, path.length);
    path.push(p);
  }
  // a loop may still cross itself between vertices: unkink splits it there
  return loops
    .filter((l) => ringArea(l) !== 0)
    .flatMap((l) => unkinkPolygon(turf.polygon([l])).features.map((f) => f.geometry.coordinates[0]!))
    .filter((l) => ringArea(l) !== 0);
}
