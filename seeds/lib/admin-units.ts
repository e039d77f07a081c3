/**
 * Plausible townships (乡镇级: 街道, 镇, 乡) and villages (村级: 社区居委会, 村民委员会) inside the
 * real counties: Voronoi cells of seeded points clipped to their parent (lib/partition.ts), so the
 * townships of a county tile it and the villages of a township tile that. Generated, not real:
 * an administrator replaces them with the bureau's own by import.
 *
 * Codes follow 《统计用区划代码》 (GB/T 10114 style): a township is its county's 6 digits and 3
 * more — 001–099 a 街道, 100–199 a 镇, 200–399 a 乡 —, a village its township's 9 digits and 3
 * more — 001–199 a 居民委员会 (社区), 200–399 a 村民委员会 (村).
 */
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import type { Rng } from './rng.ts';
import { clipCell, frameOf, pointInRings, validParts, voronoiCells } from './partition.ts';
import { distanceM, ringsBbox, type PolygonRings, type Ring } from './shapes.ts';

export type TownshipKind = '街道' | '镇' | '乡';

export interface AdminUnit {
  code: string;
  name: string;
  countyCode: string;
  /** The township's code, for a village. */
  townshipCode?: string;
  kind: TownshipKind | '社区' | '村';
  areaM2: number;
  polygons: PolygonRings[];
}

const SURNAMES = '王李张刘陈杨赵孙周吴郑朱马胡郭何高罗梁宋韩冯邢杜范袁曹蔡许傅程魏丁董侯'.split('');
const PLACE_SUFFIXES = '集店庄寨营岗桥楼屯坡口湾堂园铺'.split('');
const DIRECTIONS = ['', '', '', '东', '西', '南', '北', '前', '后', '大', '小'];
const WORDS = ['兴隆', '永安', '太平', '长兴', '仁和', '万隆', '富民', '新华', '和平', '建设', '胜利', '东风', '红旗', '团结', '幸福', '光明', '迎宾', '文化', '东关', '西关', '南关', '北关', '新城', '城东', '城西', '曹门', '宋门', '汴京', '大梁', '清明'];

/** A name not yet taken in `taken` (adds it). */
function uniqueName(rng: Rng, taken: Set<string>, make: () => string): string {
  for (let i = 0; i < 200; i++) {
    const n = make();
    if (!taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
  // the lists give hundreds of names per county; this is only a guard
  let i = 2;
  const base = make();
  while (taken.has(`${base}${i}`)) i++;
  taken.add(`${base}${i}`);
  return `${base}${i}`;
}

const placeStem = (rng: Rng) => `${rng.pick(SURNAMES)}${rng.pick(PLACE_SUFFIXES)}`;

/** Points inside the parent, no two closer than `spacingM` (fewer when the parent is crowded); `first` leads when given. */
function seedPoints(rng: Rng, parent: PolygonRings[], n: number, spacingM: number, first?: [number, number]): [number, number][] {
  const [a, b, c, d] = ringsBbox(parent.flat());
  const pts: [number, number][] = first && pointInRings(first, parent) ? [first] : [];
  let spacing = spacingM;
  for (let tries = 0; pts.length < n; tries++) {
    if (tries > 0 && tries % 300 === 0) spacing *= 0.8; // a narrow parent: relax the spacing
    const p: [number, number] = [rng.range(a, c), rng.range(b, d)];
    if (!pointInRings(p, parent)) continue;
    if (pts.some((q) => distanceM(q, p) < spacing)) continue;
    pts.push(p);
  }
  return pts;
}

const areaOf = (polygons: PolygonRings[]) => Math.round(ellipsoidalArea({ type: 'MultiPolygon', coordinates: polygons }) * 100) / 100;

export interface CountyInput {
  code: string;
  /** A district of the central city (市辖区) — its townships are 街道 — or a county (县). */
  urban: boolean;
  center: [number, number];
  polygons: PolygonRings[];
}

/**
 * The townships of one county and the villages of each, deterministic from `rng`. 8–15
 * townships by the county's size; 10–30 villages a township. The first township is the seat's
 * (城关镇 in a county, a 街道 in a district), seeded at the county's centre.
 */
export function countyUnits(rng: Rng, input: CountyInput): { townships: AdminUnit[]; villages: AdminUnit[] } {
  // the outline as the database keeps it (ST_MakeValid of the quantised source), so the townships tile the stored county
  const county = { ...input, polygons: validParts(input.polygons) };
  const countyM2 = ellipsoidalArea({ type: 'MultiPolygon', coordinates: county.polygons });
  const n = Math.max(8, Math.min(15, Math.round(countyM2 / 80e6)));
  const seeds = seedPoints(rng, county.polygons, n, Math.sqrt(countyM2 / n) * 0.6, county.center);
  const cells = voronoiCells(seeds, frameOf(county.polygons));
  const townships: AdminUnit[] = [];
  const villages: AdminUnit[] = [];
  const townNames = new Set<string>();
  const seq = { 街道: 0, 镇: 0, 乡: 0 };
  for (const [i, cell] of cells.entries()) {
    const polygons = cell ? clipCell(cell, county.polygons) : [];
    if (!cell || polygons.length === 0) continue;
    const kind: TownshipKind = county.urban ? '街道' : i === 0 ? '镇' : rng.chance(0.6) ? '镇' : '乡';
    const code = `${county.code}${String(kind === '街道' ? 1 + seq.街道++ : kind === '镇' ? 100 + seq.镇++ : 200 + seq.乡++).padStart(3, '0')}`;
    const name =
      !county.urban && i === 0
        ? (townNames.add('城关镇'), '城关镇')
        : uniqueName(rng, townNames, () => (kind === '街道' ? `${rng.pick(WORDS)}街道` : `${placeStem(rng)}${kind}`));
    const township: AdminUnit = { code, name, countyCode: county.code, kind, areaM2: areaOf(polygons), polygons };
    townships.push(township);
    villages.push(...townshipVillages(rng, township, cell, county.polygons));
  }
  return { townships, villages };
}

/**
 * The villages of a township: Voronoi cells of seeds in the township, within the township's own
 * (convex) Voronoi cell, then clipped to the county — so only villages on the county's border
 * need polygon clipping, and the villages tile the township as the township tiles the county.
 */
function townshipVillages(rng: Rng, township: AdminUnit, townshipCell: Ring, countyPolygons: PolygonRings[]): AdminUnit[] {
  const n = rng.int(10, 30);
  const seeds = seedPoints(rng, township.polygons, n, Math.sqrt(township.areaM2 / n) * 0.5);
  const cells = voronoiCells(seeds, townshipCell).map((c) => (c ? clipCell(c, countyPolygons) : []));
  // 街道: mostly 社区; the seat town: a few 社区 round it; elsewhere villages
  const communities = township.kind === '街道' ? Math.max(n - rng.int(0, 3), 1) : township.name === '城关镇' ? rng.int(2, 5) : township.kind === '镇' ? rng.int(0, 1) : 0;
  const names = new Set<string>();
  const out: AdminUnit[] = [];
  let community = 0;
  let village = 0;
  for (const [i, polygons] of cells.entries()) {
    if (polygons.length === 0) continue;
    const isCommunity = i < communities;
    const code = `${township.code}${String(isCommunity ? 1 + community++ : 200 + village++).padStart(3, '0')}`;
    const name = isCommunity
      ? uniqueName(rng, names, () => `${rng.pick(WORDS)}社区`)
      : uniqueName(rng, names, () => `${rng.pick(DIRECTIONS)}${placeStem(rng)}村`);
    out.push({ code, name, countyCode: township.countyCode, townshipCode: township.code, kind: isCommunity ? '社区' : '村', areaM2: areaOf(polygons), polygons });
  }
  return out;
}
