/**
 * The demo's own base map: what a reader finds their way by — the Yellow River and the smaller
 * rivers, the main roads, the built-up areas and the names of the city, county seats, town seats
 * (乡镇驻地) and villages. Built from what the generator already placed, so it agrees with the
 * data: roads run in the gaps the farmland leaves (the 1 km block margins, the expressway
 * corridors), rivers in their corridors, villages where the farmland left room for them, and
 * every name is a generated township's or village's (lib/admin-units.ts). Plausible, not surveyed.
 */
import type { LineString, MultiPolygon, Point, Polygon } from 'geojson';
import type { AdminUnit } from './admin-units.ts';
import { pointInRings } from './partition.ts';
import { placeNameEn } from './pinyin.ts';
import type { Rng } from './rng.ts';
import { M_PER_DEG_LAT, distanceM, ringsBbox, round7, type PolygonRings, type Ring } from './shapes.ts';

export type BasemapKind = 'water' | 'waterway' | 'road' | 'builtup' | 'place';

export interface BasemapFeature {
  kind: BasemapKind;
  /** water: river · waterway: river · road: expressway | national | provincial | county ·
   *  builtup: urban | town | village · place: city | county_seat | town | village */
  class: string;
  name: string | null;
  nameEn: string | null;
  /** The lowest zoom whose tiles carry it. */
  minZoom: number;
  /** Importance, 1 first: the order tiles keep and labels are placed in. */
  rank: number;
  geometry: Point | LineString | Polygon | MultiPolygon;
}

export interface NamedLine {
  name: string;
  nameEn: string;
  cls: string;
  line: [number, number][];
}

export interface BasemapInput {
  rng: Rng;
  /** Longitudes and latitudes of the farmland blocks' edges: the field roads lie on them. */
  gridX: number[];
  gridY: number[];
  /** The city's northern edge, smoothed (west to east): the Yellow River runs along it (Kaifeng's; none when empty). */
  northEdge: [number, number][];
  /** The city's own place name and point. */
  city: { name: string; nameEn: string; at: [number, number] };
  /** National and provincial roads (Kaifeng's; none elsewhere). */
  trunkRoads: TrunkRoad[];
  /** Districts that have a seat and towns, as counties do. */
  ruralDistricts: ReadonlySet<string>;
  /** Whether a farmland field may lie at a place (the land-use raster's rural interior), and the raster's cell size. */
  farmable: (lon: number, lat: number) => boolean;
  cell: [number, number];
  rivers: NamedLine[];
  expressways: NamedLine[];
  /** The urban development nuclei unioned: the built-up towns. */
  urban: PolygonRings[];
  /** Town centres placed for the boundary (rural nuclei). */
  townCentres: [number, number][];
  villages: { center: [number, number]; ring: Ring }[];
  counties: { code: string; name: string; nameEn: string; level: '市辖区' | '县'; center: [number, number] }[];
  townships: AdminUnit[];
  adminVillages: AdminUnit[];
}

export type TrunkRoad = { name: string; cls: 'national' | 'provincial'; via: [number, number][] };

/** Kaifeng's national and provincial roads: way points, run along the block margins between them. */
export const KAIFENG_TRUNK_ROADS: TrunkRoad[] = [
  { name: 'G310', cls: 'national', via: [[113.93, 34.785], [114.2, 34.785], [114.55, 34.775], [114.9, 34.79], [115.22, 34.79]] },
  { name: 'G106', cls: 'national', via: [[114.86, 34.97], [114.84, 34.75], [114.83, 34.5], [114.81, 34.22]] },
  { name: 'G220', cls: 'national', via: [[114.3, 34.93], [114.3, 34.7], [114.22, 34.45], [114.19, 34.2]] },
  { name: 'S219', cls: 'provincial', via: [[114.48, 34.74], [114.47, 34.48], [114.46, 34.22]] },
  { name: 'S213', cls: 'provincial', via: [[113.98, 34.41], [114.19, 34.41], [114.47, 34.48], [114.78, 34.55], [115.15, 34.55]] },
  { name: 'S211', cls: 'provincial', via: [[114.78, 34.55], [114.8, 34.8]] },
];

export const KAIFENG_PLACE = { name: '开封市', nameEn: 'Kaifeng', at: [114.3415, 34.7966] as [number, number] };

const nearestIndex = (values: number[], v: number) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - v) < Math.abs(values[best]! - v)) best = i;
  return best;
};

/** A path over the grid's nodes between way points: straight runs with one-block jogs, never across a block. */
export function gridPath(gridX: number[], gridY: number[], via: [number, number][]): [number, number][] {
  const nodes = via.map(([x, y]) => [nearestIndex(gridX, x), nearestIndex(gridY, y)] as [number, number]);
  const cells: [number, number][] = [nodes[0]!];
  for (let k = 1; k < nodes.length; k++) {
    const [i0, j0] = nodes[k - 1]!;
    const [i1, j1] = nodes[k]!;
    const di = i1 - i0;
    const dj = j1 - j0;
    const xMajor = Math.abs(di) >= Math.abs(dj);
    const major = xMajor ? di : dj;
    const minor = xMajor ? dj : di;
    const runs = Math.abs(minor) + 1;
    let at = 0;
    let side = 0;
    for (let r = 0; r < runs; r++) {
      const to = r === runs - 1 ? major : Math.round((major * (r + 0.5)) / runs);
      at = to;
      cells.push(xMajor ? [i0 + at, j0 + side] : [i0 + side, j0 + at]);
      if (r < runs - 1) {
        side += Math.sign(minor);
        cells.push(xMajor ? [i0 + at, j0 + side] : [i0 + side, j0 + at]);
      }
    }
  }
  // drop repeated nodes and the middle of straight runs
  const out: [number, number][] = [];
  for (const c of cells) {
    const last = out[out.length - 1];
    if (last && last[0] === c[0] && last[1] === c[1]) continue;
    const prev = out[out.length - 2];
    if (prev && last && (prev[0] === last[0]) === (last[0] === c[0]) && (prev[1] === last[1]) === (last[1] === c[1])) out.pop();
    out.push(c);
  }
  return out.map(([i, j]) => [round7(gridX[i]!), round7(gridY[j]!)]);
}

const line = (coords: [number, number][]): LineString => ({ type: 'LineString', coordinates: coords.map(([x, y]) => [round7(x), round7(y)]) });
const point = (p: [number, number]): Point => ({ type: 'Point', coordinates: [round7(p[0]), round7(p[1])] });

/**
 * The Yellow River: a band along the northern edge, extended west and bending north-east past
 * 东坝头. Its south bank keeps north of any place a field may lie (the raster's rural interior),
 * so the water never covers farmland: each bank vertex (every four cells) clears the cells of
 * its own and its neighbours' columns, and so does the straight edge between two of them.
 */
function yellowRiver(
  rng: Rng,
  edge: [number, number][],
  farmable: (lon: number, lat: number) => boolean,
  [cellLon, cellLat]: [number, number],
): { polygon: Polygon; centre: [number, number][] } {
  const step = 0.004;
  const first = edge[0]!;
  const last = edge[edge.length - 1]!;
  const coarse: [number, number][] = [];
  for (let x = 113.9; x < first[0] - step / 2; x += step) coarse.push([x, first[1]]);
  coarse.push(...edge);
  for (let x = last[0] + step; x <= 115.3; x += step) coarse.push([x, last[1] + (x - last[0]) * 0.9]);
  const north = 300 / M_PER_DEG_LAT; // the county line runs along the south half of the channel
  const phase = rng.range(0, 6);
  const half = (x: number) => (620 + 180 * Math.sin(x * 37 + phase) + 90 * Math.sin(x * 97 + phase * 3)) / M_PER_DEG_LAT;
  const fine = 4 * cellLon;
  const centre: [number, number][] = [];
  for (let i = 1; i < coarse.length; i++) {
    const [ax, ay] = coarse[i - 1]!;
    const [bx, by] = coarse[i]!;
    const n = Math.max(1, Math.round((bx - ax) / fine));
    for (let k = 0; k < n; k++) centre.push([ax + ((bx - ax) * k) / n, ay + north + ((by - ay) * k) / n]);
  }
  centre.push([last[0] + (coarse[coarse.length - 1]![0] - last[0]), coarse[coarse.length - 1]![1] + north]);
  const south: number[][] = [];
  const northBank: number[][] = [];
  const margin = 2 * cellLat;
  for (const [x, y] of centre) {
    const w = half(x);
    // the highest place a field may lie, from the nominal south bank to 2 km north of the north bank
    let highest = -Infinity;
    for (let cx = x - fine - cellLon; cx <= x + fine + cellLon; cx += cellLon / 2)
      for (let cy = y - w; cy <= y + w + 2000 / M_PER_DEG_LAT; cy += cellLat / 2) if (farmable(cx, cy)) highest = Math.max(highest, cy);
    const s = Math.max(y - w, highest + margin);
    const n = Math.max(y + w, s + w);
    south.push([round7(x), round7(s)]);
    northBank.push([round7(x), round7(n)]);
  }
  const middle = south.map(([x, y], i) => [x!, (y! + northBank[i]![1]!) / 2] as [number, number]);
  northBank.reverse();
  return { polygon: { type: 'Polygon', coordinates: [[...south, ...northBank, south[0]!]] }, centre: middle };
}

export function buildBasemap(input: BasemapInput): BasemapFeature[] {
  const out: BasemapFeature[] = [];
  const add = (f: BasemapFeature) => out.push(f);

  // ---- water
  if (input.northEdge.length > 0) {
    const river = yellowRiver(input.rng, input.northEdge, input.farmable, input.cell);
    add({ kind: 'water', class: 'river', name: '黄河', nameEn: 'Yellow River', minZoom: 0, rank: 1, geometry: river.polygon });
    add({ kind: 'waterway', class: 'river', name: '黄河', nameEn: 'Yellow River', minZoom: 0, rank: 1, geometry: line(river.centre) });
  }
  for (const r of input.rivers) add({ kind: 'waterway', class: r.cls, name: r.name, nameEn: r.nameEn, minZoom: 8, rank: 2, geometry: line(r.line) });

  // ---- built-up areas: the towns (the boundary's nuclei) and the villages
  for (const p of input.urban) add({ kind: 'builtup', class: 'urban', name: null, nameEn: null, minZoom: 0, rank: 1, geometry: { type: 'Polygon', coordinates: p } });

  // ---- places: the city, county seats, town seats, villages
  add({ kind: 'place', class: 'city', name: input.city.name, nameEn: input.city.nameEn, minZoom: 0, rank: 1, geometry: point(input.city.at) });
  const seats = new Map<string, [number, number]>();
  for (const c of input.counties) {
    if (c.level !== '县' && !input.ruralDistricts.has(c.code)) continue;
    seats.set(c.code, c.center);
    add({ kind: 'place', class: 'county_seat', name: c.name, nameEn: c.nameEn, minZoom: 6, rank: 2, geometry: point(c.center) });
  }

  const townshipsByCounty = new Map<string, AdminUnit[]>();
  for (const t of input.townships) townshipsByCounty.set(t.countyCode, [...(townshipsByCounty.get(t.countyCode) ?? []), t]);
  const villagesByTownship = new Map<string, AdminUnit[]>();
  for (const v of input.adminVillages) villagesByTownship.set(v.townshipCode!, [...(villagesByTownship.get(v.townshipCode!) ?? []), v]);
  const bboxes = new Map<string, [number, number, number, number]>();
  const bboxOf = (u: AdminUnit) => {
    let b = bboxes.get(u.code);
    if (!b) bboxes.set(u.code, (b = ringsBbox(u.polygons.flat())));
    return b;
  };
  const inside = (p: readonly number[], u: AdminUnit) => {
    const [a, b, c, d] = bboxOf(u);
    return p[0]! >= a && p[0]! <= c && p[1]! >= b && p[1]! <= d && pointInRings(p, u.polygons);
  };
  const townshipAt = (p: readonly number[]) => input.townships.find((t) => inside(p, t));

  // each village blob: its township and administrative village
  const blobs = input.villages.map((v) => {
    const township = townshipAt(v.center);
    const unit = township ? (villagesByTownship.get(township.code) ?? []).find((u) => inside(v.center, u)) : undefined;
    return { ...v, township, unit, town: false };
  });

  // town seats: a town centre in the township, else the village nearest the township's middle
  const townSeats: { township: AdminUnit; at: [number, number] }[] = [];
  for (const t of input.townships) {
    if (t.kind === '街道' || t.name === '城关镇') continue;
    const [a, b, c, d] = bboxOf(t);
    const middle: [number, number] = [(a + c) / 2, (b + d) / 2];
    const centre = input.townCentres.filter((p) => inside(p, t)).sort((p, q) => distanceM(p, middle) - distanceM(q, middle))[0];
    let at = centre;
    if (!at) {
      const blob = blobs.filter((v) => v.township === t).sort((p, q) => distanceM(p.center, middle) - distanceM(q.center, middle))[0];
      if (blob) {
        blob.town = true;
        at = blob.center;
      }
    }
    if (!at) continue;
    townSeats.push({ township: t, at });
    add({ kind: 'place', class: 'town', name: t.name, nameEn: placeNameEn(t.name), minZoom: 9, rank: 3, geometry: point(at) });
  }

  const named = new Set<string>();
  for (const v of blobs) {
    const ring = v.ring.map(([x, y]) => [round7(x!), round7(y!)]);
    ring.push(ring[0]!);
    add({ kind: 'builtup', class: v.town ? 'town' : 'village', name: null, nameEn: null, minZoom: 10, rank: v.town ? 2 : 3, geometry: { type: 'Polygon', coordinates: [ring] } });
    if (v.town || !v.unit || named.has(v.unit.code)) continue;
    named.add(v.unit.code);
    add({ kind: 'place', class: 'village', name: v.unit.name, nameEn: placeNameEn(v.unit.name), minZoom: 11, rank: 4, geometry: point(v.center) });
  }

  // ---- roads: expressways in their corridors; the others along the block margins
  for (const e of input.expressways) add({ kind: 'road', class: 'expressway', name: e.name, nameEn: e.nameEn, minZoom: 0, rank: 1, geometry: line(e.line) });
  for (const r of input.trunkRoads) {
    add({ kind: 'road', class: r.cls, name: r.name, nameEn: r.name, minZoom: r.cls === 'national' ? 6 : 7, rank: r.cls === 'national' ? 2 : 3, geometry: line(gridPath(input.gridX, input.gridY, r.via)) });
  }
  // county roads (县道): each town seat to its county seat
  const countyRoadNo = new Map<string, number>();
  for (const s of townSeats) {
    const seat = seats.get(s.township.countyCode);
    if (!seat) continue;
    const path = gridPath(input.gridX, input.gridY, [s.at, seat]);
    if (path.length < 2) continue;
    const n = (countyRoadNo.get(s.township.countyCode) ?? 0) + 1;
    countyRoadNo.set(s.township.countyCode, n);
    const name = `X${String(n).padStart(3, '0')}`;
    add({ kind: 'road', class: 'county', name, nameEn: name, minZoom: 9, rank: 4, geometry: line(path) });
  }
  return out;
}
