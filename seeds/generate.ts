/**
 * Deterministic generator of plausible control lines, farmland, stock land and
 * encroachment polygons inside real county boundaries: Kaifeng's (the demo and city scales,
 * data/kaifeng-counties.geojson) or all of Henan's (the province scale,
 * data/henan-counties.geojson), generated city by city so that memory stays bounded.
 *
 * Same `{ scale, seed }` → byte-identical features, proven by `checksum`.
 * Within each layer no two features overlap, and every geometry is a valid
 * simple polygon: farmland fields, stock lots and encroachments are placed on
 * a conservative land-use raster (see lib/raster.ts); boundary and red-line
 * polygons come from polygon clipping (polyclip-ts through Turf).
 */
import { createHash, type Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as turf from './lib/turf.ts';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { LayerId } from '../core/layers.ts';
import { HENAN_CITIES, cityOf, type City } from '../core/divisions.ts';
import { ellipsoidalArea } from '../core/ellipsoidal-area.ts';
import { countyUnits, type AdminUnit } from './lib/admin-units.ts';
import { KAIFENG_PLACE, KAIFENG_TRUNK_ROADS, buildBasemap, type BasemapFeature, type TrunkRoad } from './lib/basemap.ts';
import { LandRaster } from './lib/raster.ts';
import { Rng } from './lib/rng.ts';
import {
  M_PER_DEG_LAT,
  M_PER_DEG_LON,
  blobRing,
  distanceM,
  rectRing,
  ringsBbox,
  round7,
  splitLots,
  splitPositions,
  type PolygonRings,
  type Ring,
} from './lib/shapes.ts';

export type Scale = 'demo' | 'city' | 'province';

export interface GenerateOptions {
  scale: Scale;
  seed: number;
}

/** One generated feature: its identifier, attribute columns and MultiPolygon coordinates. */
export interface FeatureRow {
  code: string;
  props: Record<string, string | number | null>;
  polygons: PolygonRings[];
}

export type GeneratedLayerId = Exclude<LayerId, 'admin-county'>;

export interface County {
  code: string;
  name: string;
  /** In English (data/kaifeng-counties.geojson's name_en). */
  nameEn: string;
  level: '市辖区' | '县';
  center: [number, number];
  polygons: PolygonRings[];
}

interface ScaleParams {
  /** Farmland fields per 1 km block: columns × rows. */
  fieldGrid: [number, number];
  /** Stock lot size range in 亩, inside the urban development boundary and in villages. */
  urbanLotMu: [number, number];
  villageLotMu: [number, number];
  /** Spacing of the jittered village grid, in metres. */
  villageSpacingM: number;
  /** Share of urban lots that are stock parcels, in development zones and elsewhere. */
  stockShare: { zone: number; urban: number; village: number };
  conflictingStock: number;
  /** Cases over the whole dataset (at the province scale, shared among the cities by area). */
  encroachments: number;
}

const SCALES: Record<Scale, ScaleParams> = {
  demo: {
    fieldGrid: [2, 3],
    urbanLotMu: [5, 300],
    villageLotMu: [5, 14],
    villageSpacingM: 1350,
    stockShare: { zone: 0.3, urban: 0.04, village: 0.004 },
    conflictingStock: 8,
    encroachments: 400,
  },
  city: {
    fieldGrid: [10, 28],
    // the benchmark scale needs ≥ 100 000 parcels: small lots, nearly every urban lot on the register
    urbanLotMu: [6, 10],
    villageLotMu: [6, 10],
    villageSpacingM: 1100,
    stockShare: { zone: 1, urban: 1, village: 1 },
    conflictingStock: 600,
    encroachments: 12_000,
  },
  province: {
    // ≥ 12 million permanent-farmland fields, ≥ 1 million stock parcels, ≥ 100 000 cases over Henan
    fieldGrid: [6, 17],
    urbanLotMu: [6, 12],
    villageLotMu: [6, 10],
    villageSpacingM: 1300,
    stockShare: { zone: 1, urban: 0.6, village: 0.4 },
    conflictingStock: 5_000,
    encroachments: 110_000,
  },
};

// Land classes in the raster. County interiors are 1..19 (index + 1; a city has at most 15 counties).
const C_COUNTY_EDGE = 20;
const C_UDB = 30;
const C_UDB_EDGE = 31;
const C_REDLINE = 40;
const C_REDLINE_EDGE = 41;
const C_VILLAGE = 50;
const C_VILLAGE_EDGE = 51;
const C_WATER_ROAD = 60;
const isRural = (c: number) => c >= 1 && c <= 19;

const DISTRICTS = new Set(['410202', '410203', '410204', '410205', '410212']);

/** Reads Kaifeng's nine county-level units from data/ (see data/README.md). */
export function loadCounties(): County[] {
  const fc = JSON.parse(readFileSync(new URL('../data/kaifeng-counties.geojson', import.meta.url), 'utf8')) as {
    features: { properties: { code: string; name: string; name_en: string; center: [number, number] }; geometry: MultiPolygon }[];
  };
  return fc.features
    .map((f) => ({
      code: f.properties.code,
      name: f.properties.name,
      nameEn: f.properties.name_en,
      level: DISTRICTS.has(f.properties.code) ? ('市辖区' as const) : ('县' as const),
      center: f.properties.center,
      polygons: f.geometry.coordinates as PolygonRings[],
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

type Sources = Record<'udb' | 'permanent' | 'general' | 'redline' | 'purple' | 'township' | 'village', string>;

const KAIFENG_SOURCES: Sources = {
  udb: '开封市国土空间总体规划（2021—2035年）城镇开发边界（模拟数据）',
  permanent: '永久基本农田划定成果（模拟数据）',
  general: '国土变更调查耕地图斑（模拟数据）',
  redline: '河南省生态保护红线划定成果（模拟数据）',
  purple: '开封市历史文化名城保护规划 城市紫线（模拟数据）',
  township: '乡镇级行政区划界线（模拟数据，可由管理员导入实际界线替换）',
  village: '村级行政区划界线（模拟数据，可由管理员导入实际界线替换）',
};

/**
 * 城市紫线: the protection ranges of Kaifeng's historic districts and listed sites, at their
 * real places (approximate) with a generated outline, and one 文庙 near each county seat.
 * Radii keep them apart, so no two overlap.
 */
const PURPLE_SITES: { name: string; category: string; center: [number, number]; radiusM: number }[] = [
  { name: '宋都御街历史文化街区', category: '历史文化街区', center: [114.3495, 34.7985], radiusM: 260 },
  { name: '书店街历史文化街区', category: '历史文化街区', center: [114.3555, 34.7935], radiusM: 220 },
  { name: '双龙巷历史文化街区', category: '历史文化街区', center: [114.348, 34.788], radiusM: 200 },
  { name: '龙亭', category: '文物保护单位', center: [114.3455, 34.807], radiusM: 420 },
  { name: '开宝寺塔（铁塔）', category: '文物保护单位', center: [114.3695, 34.813], radiusM: 300 },
  { name: '繁塔', category: '文物保护单位', center: [114.3775, 34.7745], radiusM: 180 },
  { name: '延庆观', category: '文物保护单位', center: [114.34, 34.7925], radiusM: 150 },
  { name: '山陕甘会馆', category: '文物保护单位', center: [114.341, 34.7985], radiusM: 140 },
  { name: '朱仙镇历史文化名镇', category: '历史文化名镇', center: [114.29, 34.565], radiusM: 650 },
];

/** Urban development boundary nuclei: the central city, county seats and a few towns. */
const CITY_NUCLEI: { center: [number, number]; radiusM: number }[] = [
  { center: [114.34, 34.792], radiusM: 7200 }, // old city and 龙亭/鼓楼/顺河/禹王台
  { center: [114.245, 34.795], radiusM: 4800 }, // 城乡一体化示范区 to the west
  { center: [114.435, 34.772], radiusM: 4300 }, // 祥符区 seat and the economic development zone
];

const DEV_ZONES: { name: string; center: [number, number]; radiusM: number; county: string }[] = [
  { name: '开封经济技术开发区', center: [114.45, 34.765], radiusM: 3000, county: '410212' },
  { name: '开封城乡一体化示范区产业园', center: [114.22, 34.785], radiusM: 2600, county: '410202' },
  { name: '杞县产业集聚区', center: [114.805, 34.545], radiusM: 2000, county: '410221' },
  { name: '通许县产业集聚区', center: [114.485, 34.472], radiusM: 1800, county: '410222' },
  { name: '尉氏县产业集聚区', center: [114.21, 34.4], radiusM: 2000, county: '410223' },
  { name: '兰考县产业集聚区', center: [114.84, 34.81], radiusM: 2200, county: '410225' },
];

/** Rivers and expressways: gaps in the farmland, generated courses. */
const CORRIDORS: { name: string; nameEn: string; kind: 'river' | 'expressway'; line: [number, number][]; halfWidthM: number }[] = [
  { name: '惠济河', nameEn: 'Huiji River', kind: 'river', line: [[114.3, 34.8], [114.4, 34.74], [114.55, 34.66], [114.7, 34.58], [114.8, 34.5], [114.93, 34.4]], halfWidthM: 45 },
  { name: '涡河', nameEn: 'Guo River', kind: 'river', line: [[114.3, 34.55], [114.45, 34.46], [114.6, 34.4], [114.75, 34.33], [114.9, 34.25]], halfWidthM: 40 },
  { name: '贾鲁河', nameEn: 'Jialu River', kind: 'river', line: [[113.88, 34.55], [114.0, 34.47], [114.12, 34.38], [114.25, 34.3], [114.35, 34.22]], halfWidthM: 40 },
  { name: '连霍高速', nameEn: 'Lianhuo Expressway', kind: 'expressway', line: [[113.86, 34.745], [114.3, 34.735], [114.7, 34.74], [115.26, 34.75]], halfWidthM: 25 },
  { name: '大广高速', nameEn: 'Daguang Expressway', kind: 'expressway', line: [[114.52, 35.0], [114.5, 34.7], [114.47, 34.45], [114.45, 34.2]], halfWidthM: 25 },
];


type Nucleus = { center: [number, number]; radiusM: number };
type DevZone = { name: string; center: [number, number]; radiusM: number; county: string };
type Corridor = (typeof CORRIDORS)[number];
type PurpleSite = (typeof PURPLE_SITES)[number];

/** What the generator places in one city: its counties, the planning's centres and names, and its random streams. */
interface RegionSpec {
  city: City;
  /** The city's abbreviation in document numbers (汴 for 开封: 汴自然资闲〔2020〕12号). */
  abbr: string;
  counties: County[];
  /** Districts (市辖区) that are mostly rural: towns and villages, a seat, as a county has. */
  ruralDistricts: ReadonlySet<string>;
  /** Urban development boundary nuclei of the central city; county seats get `seatRadius`. */
  nuclei: Nucleus[];
  seatRadius: Record<string, number>;
  devZones: DevZone[];
  corridors: Corridor[];
  /** Kaifeng only: the red line's band along the Yellow River on the city's north edge. */
  yellowRiverBand: boolean;
  parks: { county: string; name: string; category: string }[];
  purpleSites: PurpleSite[];
  sources: Sources;
  cityPlace: { name: string; nameEn: string; at: [number, number] };
  trunkRoads: TrunkRoad[];
  root: Rng;
  farmlandSeed: number;
  conflictingStock: number;
  encroachments: number;
}

const KAIFENG = HENAN_CITIES.find((c) => c.code === '410200')!;

/** Kaifeng as the demo and city scales have always generated it (their checksums depend on every value here). */
function kaifengSpec(counties: County[], root: Rng, farmlandSeed: number, params: ScaleParams, share = 1): RegionSpec {
  return {
    city: KAIFENG,
    abbr: '汴',
    counties,
    ruralDistricts: new Set(['410212']),
    nuclei: CITY_NUCLEI,
    seatRadius: { '410221': 3300, '410222': 2900, '410223': 3100, '410225': 3600 },
    devZones: DEV_ZONES,
    corridors: CORRIDORS,
    yellowRiverBand: true,
    parks: [
      { county: '410225', name: '兰考黄河故道湿地', category: '生物多样性维护（湿地）' },
      { county: '410221', name: '杞县森林公园', category: '水土保持（森林）' },
      { county: '410222', name: '通许县湿地公园', category: '水源涵养（湿地）' },
      { county: '410223', name: '尉氏县森林公园', category: '水土保持（森林）' },
      { county: '410212', name: '祥符区湿地公园', category: '水源涵养（湿地）' },
    ],
    purpleSites: PURPLE_SITES,
    sources: KAIFENG_SOURCES,
    cityPlace: KAIFENG_PLACE,
    trunkRoads: KAIFENG_TRUNK_ROADS,
    root,
    farmlandSeed,
    conflictingStock: Math.round(params.conflictingStock * share),
    encroachments: Math.round(params.encroachments * share),
  };
}

/** Each city's abbreviation (简称) in document numbers. */
const CITY_ABBR: Record<string, string> = {
  '410100': '郑', '410200': '汴', '410300': '洛', '410400': '平', '410500': '安', '410600': '鹤', '410700': '新', '410800': '焦',
  '410900': '濮', '411000': '许', '411100': '漯', '411200': '峡', '411300': '宛', '411400': '商', '411500': '信', '411600': '周',
  '411700': '驻', '419001': '济',
};

const countyAreaM2 = (c: County) => ellipsoidalArea({ type: 'MultiPolygon', coordinates: c.polygons });

/**
 * Any other city of the province: the central city's nucleus over its urban districts (those under
 * 700 km²; larger districts are mostly rural and are treated as counties), a seat nucleus and an
 * industrial cluster (产业集聚区) at every county seat, an economic development zone at the central
 * city's edge, a forest or wetland park in the red line in every rural county. No corridors: rivers
 * and expressways are Kaifeng's alone.
 */
function citySpec(city: City, counties: County[], root: Rng, farmlandSeed: number, params: ScaleParams, share: number): RegionSpec {
  const areas = new Map(counties.map((c) => [c.code, countyAreaM2(c)]));
  const urban = counties.filter((c) => c.level === '市辖区' && areas.get(c.code)! < 700e6);
  const ruralDistricts = new Set(counties.filter((c) => c.level === '市辖区' && !urban.includes(c)).map((c) => c.code));
  const core = urban.length > 0 ? urban : [counties[0]!];
  const at: [number, number] = [
    round7(core.reduce((s, c) => s + c.center[0], 0) / core.length),
    round7(core.reduce((s, c) => s + c.center[1], 0) / core.length),
  ];
  const urbanM2 = urban.reduce((s, c) => s + areas.get(c.code)!, 0);
  const coreRadius = Math.min(11_000, Math.max(5_000, 0.3 * Math.sqrt(urbanM2 || 400e6)));
  const seats = counties.filter((c) => c.level === '县' || ruralDistricts.has(c.code));
  const seatRadius: Record<string, number> = {};
  for (const c of seats) {
    if (distanceM(c.center, at) < coreRadius + 3000) continue; // a seat inside the central city
    seatRadius[c.code] = Math.round(2600 + 1000 * Math.min(1, areas.get(c.code)! / 2000e6) + (c.name.endsWith('市') ? 500 : 0));
  }
  const devZones: DevZone[] = [
    { name: `${city.name.replace(/市$/, '')}经济技术开发区`, center: [at[0] + (coreRadius * 0.7) / M_PER_DEG_LON, at[1]], radiusM: 2800, county: core[0]!.code },
    ...seats
      .filter((c) => seatRadius[c.code])
      .map((c) => ({ name: `${c.name}产业集聚区`, center: [c.center[0] + (seatRadius[c.code]! * 0.5) / M_PER_DEG_LON, c.center[1] - (seatRadius[c.code]! * 0.4) / M_PER_DEG_LAT] as [number, number], radiusM: 1800, county: c.code })),
  ];
  const parks = seats.map((c, i) => ({
    county: c.code,
    name: `${c.name}${i % 2 === 0 ? '森林公园' : '湿地公园'}`,
    category: i % 2 === 0 ? '水土保持（森林）' : '水源涵养（湿地）',
  }));
  return {
    city,
    abbr: CITY_ABBR[city.code] ?? city.name.slice(0, 1),
    counties,
    ruralDistricts,
    nuclei: [{ center: at, radiusM: Math.round(coreRadius) }],
    seatRadius,
    devZones,
    corridors: [],
    yellowRiverBand: false,
    parks,
    purpleSites: [],
    sources: {
      ...KAIFENG_SOURCES,
      udb: `${city.name}国土空间总体规划（2021—2035年）城镇开发边界（模拟数据）`,
      purple: `${city.name}历史文化名城保护规划 城市紫线（模拟数据）`,
    },
    cityPlace: { name: city.name, nameEn: city.nameEn, at },
    trunkRoads: [],
    root,
    farmlandSeed,
    conflictingStock: Math.round(params.conflictingStock * share),
    encroachments: Math.round(params.encroachments * share),
  };
}

/** Henan's county-level units by city, from data/henan-counties.geojson (see data/README.md): the province scale. */
export function loadHenanCounties(): (County & { cityCode: string })[] {
  const fc = JSON.parse(readFileSync(new URL('../data/henan-counties.geojson', import.meta.url), 'utf8')) as {
    features: { properties: { code: string; name: string; name_en: string; center: [number, number]; city_code: string }; geometry: MultiPolygon }[];
  };
  return fc.features
    .map((f) => ({
      code: f.properties.code,
      name: f.properties.name,
      nameEn: f.properties.name_en,
      // 区 are districts; counties and county-level cities (市) both have towns, villages and a seat
      level: f.properties.name.endsWith('区') ? ('市辖区' as const) : ('县' as const),
      center: f.properties.center,
      polygons: f.geometry.coordinates as PolygonRings[],
      cityCode: f.properties.city_code,
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

const toFeature = (polygons: PolygonRings[]): Feature<Polygon | MultiPolygon> => turf.multiPolygon(polygons);

function polygonsOf(f: Feature<Polygon | MultiPolygon> | null): PolygonRings[] {
  if (!f) return [];
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

function roundPolygons(polygons: PolygonRings[]): PolygonRings[] {
  return polygons.map((p) => p.map((ring) => ring.map(([x, y]) => [round7(x!), round7(y!)])));
}

function areaM2(polygons: PolygonRings[]): number {
  return Math.round(ellipsoidalArea({ type: 'MultiPolygon', coordinates: polygons }) * 100) / 100;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Builds the dataset. Layers are produced lazily (the city scale has over a
 * million farmland fields); each has its own random stream, so the order in
 * which they are read does not change them.
 */
function generateRegion(spec: RegionSpec, params: ScaleParams) {
  const SOURCES = spec.sources;
  const root = spec.root;
  const rngs = {
    udb: root.fork(1),
    redline: root.fork(2),
    villages: root.fork(3),
    stock: root.fork(5),
    encroach: root.fork(6),
    purple: root.fork(7),
    admin: root.fork(8),
    basemap: root.fork(9),
  };
  const counties = spec.counties;
  const countyByIndex = (i: number) => counties[i - 1]!;

  // ---- the land-use raster, ~18 m cells over the city's extent
  const all = counties.flatMap((c) => c.polygons.flat());
  const [minLon, minLat, maxLon, maxLat] = ringsBbox(all);
  const raster = new LandRaster(minLon - 0.01, minLat - 0.01, maxLon + 0.01, maxLat + 0.01, 0.0002, 0.00016);
  const countyRaster = new LandRaster(raster.minLon, raster.minLat, raster.maxLon, raster.maxLat, 0.0002, 0.00016);
  counties.forEach((c, i) => {
    for (const p of c.polygons) {
      raster.fillInterior(p, i + 1);
      countyRaster.fillInterior(p, i + 1);
    }
  });
  for (const c of counties) for (const p of c.polygons) raster.markEdges(p, C_COUNTY_EDGE);
  const countyAt = (lon: number, lat: number) => {
    const i = countyRaster.at(lon, lat);
    return i > 0 ? countyByIndex(i) : undefined;
  };

  // ---- urban development boundary: nuclei unioned per county, clipped to the county
  const nuclei = [...spec.nuclei];
  const seatRadius = spec.seatRadius;
  for (const c of counties) if (seatRadius[c.code]) nuclei.push({ center: c.center, radiusM: seatRadius[c.code]! });
  // town centres (乡镇驻地): rural points well away from the city and the county seats
  const townRng = rngs.udb.fork(11);
  const townCentres: [number, number][] = [];
  for (const c of counties) {
    if (c.level === '市辖区' && !spec.ruralDistricts.has(c.code)) continue;
    let placed = 0;
    for (let tries = 0; placed < 5 && tries < 400; tries++) {
      const [a, b, cc, d] = ringsBbox(c.polygons.flat());
      const p: [number, number] = [townRng.range(a, cc), townRng.range(b, d)];
      if (countyRaster.at(p[0], p[1]) !== counties.indexOf(c) + 1) continue;
      if (raster.at(p[0], p[1]) !== counties.indexOf(c) + 1) continue;
      if (nuclei.some((n) => distanceM(n.center, p) < n.radiusM + 4500)) continue;
      nuclei.push({ center: p, radiusM: townRng.range(650, 1100) });
      townCentres.push(p);
      placed++;
    }
  }
  const blobs = nuclei.map((n) => turf.polygon([blobRing(rngs.udb, n.center, n.radiusM, 64, 0.18)]));
  const udbUnion = turf.union(turf.featureCollection(blobs)) as Feature<Polygon | MultiPolygon>;
  const udbRows: FeatureRow[] = [];
  for (const c of counties) {
    const clipped = turf.intersect(turf.featureCollection([udbUnion, toFeature(c.polygons)]));
    let seq = 0;
    for (const poly of roundPolygons(polygonsOf(clipped))) {
      const area = areaM2([poly]);
      if (area < 20_000) continue; // slivers along county lines
      seq++;
      udbRows.push({
        code: `CZ${c.code}${pad(seq, 3)}`,
        props: {
          county_code: c.code,
          name: `${c.name}城镇开发边界 ${seq}`,
          area_m2: area,
          source: SOURCES.udb,
          vintage: '2023',
        },
        polygons: [poly],
      });
    }
  }

  // ---- ecological red line: a band along the Yellow River on Kaifeng's north edge, and parks
  let smooth: [number, number][] = [];
  let band: Feature<Polygon | MultiPolygon> | null = null;
  if (spec.yellowRiverBand) {
    const northEdge: [number, number][] = [];
    for (let lon = 114.115; lon <= 114.95; lon += 0.004) {
      let best = -Infinity;
      for (const ring of all)
        for (let i = 1; i < ring.length; i++) {
          const [x1, y1] = ring[i - 1] as [number, number];
          const [x2, y2] = ring[i] as [number, number];
          if (x1 <= lon !== x2 <= lon) best = Math.max(best, y1 + ((lon - x1) / (x2 - x1)) * (y2 - y1));
        }
      if (Number.isFinite(best)) northEdge.push([lon, best]);
    }
    smooth = northEdge.map((p, i) => {
      const win = northEdge.slice(Math.max(0, i - 4), i + 5);
      return [p[0], win.reduce((s, q) => s + q[1], 0) / win.length] as [number, number];
    });
    const phase = rngs.redline.range(0, 6);
    const top = smooth.map(([x, y]) => [round7(x), round7(y + 0.02)]);
    const bottom = smooth
      .map(([x, y]) => {
        const widthM = 2400 + 900 * Math.sin(x * 23 + phase) + 500 * Math.sin(x * 61 + phase * 2);
        return [round7(x), round7(y - widthM / M_PER_DEG_LAT)];
      })
      .reverse();
    const bandRing = [...top, ...bottom, top[0]!];
    band = turf.difference(turf.featureCollection([turf.polygon([bandRing]), udbUnion])) as Feature<
      Polygon | MultiPolygon
    >;
  }
  const parks: { name: string; category: string; shape: Feature<Polygon> }[] = [];
  for (const park of spec.parks) {
    const c = counties.find((k) => k.code === park.county)!;
    const idx = counties.indexOf(c) + 1;
    const [a, b, cc, d] = ringsBbox(c.polygons.flat());
    for (let tries = 0; tries < 2000; tries++) {
      const p: [number, number] = [rngs.redline.range(a, cc), rngs.redline.range(b, d)];
      const r = rngs.redline.range(1200, 2100);
      if (countyRaster.at(p[0], p[1]) !== idx || raster.at(p[0], p[1]) !== idx) continue;
      if (nuclei.some((n) => distanceM(n.center, p) < n.radiusM * 1.3 + r + 2000)) continue;
      if (smooth.some((q) => distanceM(q, p) < r + 6000)) continue;
      if (parks.some((k) => distanceM(turf.centroid(k.shape).geometry.coordinates, p) < 8000)) continue;
      parks.push({ name: park.name, category: park.category, shape: turf.polygon([blobRing(rngs.redline, p, r, 40, 0.25)]) });
      break;
    }
  }
  const redlineRows: FeatureRow[] = [];
  for (const c of counties) {
    let seq = 0;
    const pieces: { name: string; category: string; geom: Feature<Polygon | MultiPolygon> | null }[] = [
      ...(band ? [{ name: '黄河湿地', category: '生物多样性维护（河流湿地）', geom: turf.intersect(turf.featureCollection([band, toFeature(c.polygons)])) }] : []),
      ...parks.map((k) => ({
        name: k.name,
        category: k.category,
        geom: turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([k.shape, toFeature(c.polygons)])),
      })),
    ];
    for (const piece of pieces)
      for (const poly of roundPolygons(polygonsOf(piece.geom))) {
        const area = areaM2([poly]);
        if (area < 20_000) continue;
        seq++;
        redlineRows.push({
          code: `HX${c.code}${pad(seq, 3)}`,
          props: {
            county_code: c.code,
            name: piece.name === '黄河湿地' ? `${c.name}黄河湿地` : piece.name,
            category: piece.category,
            area_m2: area,
            source: SOURCES.redline,
            vintage: '2023',
          },
          polygons: [poly],
        });
      }
  }

  // ---- write red line, then the boundary, into the raster (boundary last: it wins shared edges)
  for (const r of redlineRows)
    for (const p of r.polygons) {
      raster.fillInterior(p, C_REDLINE);
      raster.markEdges(p, C_REDLINE_EDGE);
    }
  for (const r of udbRows)
    for (const p of r.polygons) {
      raster.fillInterior(p, C_UDB);
      raster.markEdges(p, C_UDB_EDGE);
    }

  // ---- villages (not a layer: gaps in the farmland, and some rural stock land)
  const villages: { center: [number, number]; ring: Ring; county: County }[] = [];
  const vStepLon = params.villageSpacingM / M_PER_DEG_LON;
  const vStepLat = params.villageSpacingM / M_PER_DEG_LAT;
  for (let y = raster.minLat; y < raster.maxLat; y += vStepLat)
    for (let x = raster.minLon; x < raster.maxLon; x += vStepLon) {
      const p: [number, number] = [x + rngs.villages.range(0.15, 0.85) * vStepLon, y + rngs.villages.range(0.15, 0.85) * vStepLat];
      const r = rngs.villages.range(170, 420);
      const keep = rngs.villages.chance(0.72);
      if (!keep || !isRural(raster.at(p[0], p[1]))) continue;
      const county = countyAt(p[0], p[1]);
      if (!county) continue;
      const ring = blobRing(rngs.villages, p, r, 20, 0.3);
      if (ring.some(([vx, vy]) => !isRural(raster.at(vx!, vy!)))) continue;
      villages.push({ center: p, ring, county });
    }
  for (const v of villages) {
    raster.fillInterior([v.ring], C_VILLAGE);
    raster.markEdges([v.ring], C_VILLAGE_EDGE);
  }
  for (const c of spec.corridors) raster.markCorridor(c.line, c.halfWidthM, C_WATER_ROAD);

  // ---- the checksum: one hash per layer, combined in a fixed order
  const hashes = new Map<GeneratedLayerId, Hash>();
  const counts = new Map<GeneratedLayerId, number>();
  const record = (layer: GeneratedLayerId, row: FeatureRow) => {
    let h = hashes.get(layer);
    if (!h) hashes.set(layer, (h = createHash('sha256')));
    h.update(`${row.code}|${JSON.stringify(row.props)}|${JSON.stringify(row.polygons)}\n`);
    counts.set(layer, (counts.get(layer) ?? 0) + 1);
    return row;
  };

  // ---- farmland: fields on a 1 km block grid, only where every raster cell is one county's rural land
  function* farmland(kind: 'permanent' | 'general'): Generator<FeatureRow> {
    const rng = new Rng(spec.farmlandSeed); // same stream for both kinds: they share one field grid
    const [nx0, ny0] = params.fieldGrid;
    const bLon = 0.01;
    const bLat = 0.008;
    const roadLon = 0.00012;
    const roadLat = 0.0001;
    const gap = 0.00003;
    const seq = new Map<string, number>();
    const layer: GeneratedLayerId = kind === 'permanent' ? 'permanent-farmland' : 'general-farmland';
    for (let by = raster.minLat; by < raster.maxLat; by += bLat)
      for (let bx = raster.minLon; bx < raster.maxLon; bx += bLon) {
        const cx = bx + bLon / 2;
        const cy = by + bLat / 2;
        // near towns, farmland is more often general; elsewhere mostly permanent
        let nearUrban = false;
        for (let k = 0; k < 8 && !nearUrban; k++) {
          const t = (k / 8) * Math.PI * 2;
          const v = raster.at(cx + (1500 * Math.cos(t)) / M_PER_DEG_LON, cy + (1500 * Math.sin(t)) / M_PER_DEG_LAT);
          nearUrban = v === C_UDB || v === C_UDB_EDGE;
        }
        const blockGeneral = rng.chance(nearUrban ? 0.5 : 0.05);
        const landClass = rng.weighted([
          ['0102', 75],
          ['0103', 22],
          ['0101', 3],
        ] as const);
        const grade = rng.int(5, 9);
        const swap = rng.chance(0.4);
        const [nx, ny] = swap ? [ny0, nx0] : [nx0, ny0];
        const xs = splitPositions(rng, bx + roadLon, bx + bLon - roadLon, nx);
        const ys = splitPositions(rng, by + roadLat, by + bLat - roadLat, ny);
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const flip = rng.chance(0.04);
            const x1 = xs[i]! + gap / 2;
            const x2 = xs[i + 1]! - gap / 2;
            const y1 = ys[j]! + gap / 2;
            const y2 = ys[j + 1]! - gap / 2;
            const cls = raster.classOfRect(x1, y1, x2, y2);
            if (!isRural(cls)) continue;
            const general = blockGeneral !== flip;
            if ((kind === 'general') !== general) continue;
            const county = countyByIndex(cls);
            const n = (seq.get(county.code) ?? 0) + 1;
            seq.set(county.code, n);
            const polygons = [[rectRing(x1, y1, x2, y2)]];
            yield record(layer, {
              code: `${kind === 'permanent' ? 'JB' : 'YB'}${county.code}${pad(n, 7)}`,
              props: {
                county_code: county.code,
                land_class_code: landClass,
                land_class_name: landClass === '0101' ? '水田' : landClass === '0102' ? '水浇地' : '旱地',
                quality_grade: grade,
                area_m2: areaM2(polygons),
                source: kind === 'permanent' ? SOURCES.permanent : SOURCES.general,
                vintage: kind === 'permanent' ? '2023' : '2024',
              },
              polygons,
            });
          }
      }
  }

  // ---- stock land: lots in urban blocks, denser in development zones; some in villages
  function* stockParcels(): Generator<FeatureRow> {
    const rng = rngs.stock;
    const seqByCounty = new Map<string, number>();
    const next = (county: string) => {
      const n = (seqByCounty.get(county) ?? 0) + 1;
      seqByCounty.set(county, n);
      return n;
    };
    const MU = 10_000 / 15;
    const [lotMin, lotMax] = params.urbanLotMu;

    function attributes(
      county: County,
      setting: 'zone' | 'urban' | 'village' | 'conflict',
      zoneName: string | null,
      area: number,
      n: number,
    ): Record<string, string | number | null> {
      const category =
        setting === 'conflict'
          ? '批而未供'
          : setting === 'village'
            ? rng.weighted([['低效用地', 3], ['闲置土地', 1]] as const)
            : rng.weighted([['批而未供', 5], ['闲置土地', 2], ['低效用地', 3]] as const);
      const stage =
        category === '批而未供'
          ? setting === 'conflict' ? '批而未征' : rng.weighted([['批而未征', 1], ['征而未供', 3]] as const)
          : category === '闲置土地' ? '供而未用' : '用而未尽';
      const use =
        setting === 'zone'
          ? rng.weighted([['工业', 70], ['仓储', 15], ['商务', 5], ['商业', 5], ['公共管理与公共服务', 5]] as const)
          : setting === 'village'
            ? rng.weighted([['工业', 40], ['仓储', 20], ['商业', 20], ['公共管理与公共服务', 20]] as const)
            : rng.weighted([['住宅', 35], ['商业', 20], ['商务', 10], ['公共管理与公共服务', 15], ['工业', 15], ['仓储', 5]] as const);
      const ratio: Record<string, [number, number, number]> = {
        工业: [1.0, 1.2, 2.5],
        仓储: [0.8, 1.0, 1.8],
        住宅: [1.2, 2.0, 3.0],
        商业: [1.5, 2.5, 4.5],
        商务: [2.0, 3.0, 5.0],
        公共管理与公共服务: [0.6, 1.0, 2.2],
      };
      const [lo, mid, hi] = ratio[use]!;
      const prMin = Math.round(rng.range(lo, mid) * 10) / 10;
      const prMax = Math.round(rng.range(Math.max(prMin + 0.3, mid), hi) * 10) / 10;
      const price: Record<string, [number, number] | null> = {
        工业: [12, 26],
        仓储: [14, 30],
        住宅: [90, 420],
        商业: [80, 320],
        商务: [70, 220],
        公共管理与公共服务: null,
      };
      const pr = price[use];
      const year = rng.int(2012, 2025);
      const date = `${year}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;
      const approvalNo =
        category === '批而未供'
          ? `豫政土〔${year}〕${rng.int(10, 1500)}号`
          : `${spec.abbr}自然资${category === '闲置土地' ? '闲' : '盘'}〔${year}〕${rng.int(1, 300)}号`;
      const status = setting === 'conflict' ? '可供应' : rng.weighted([['可供应', 60], ['已意向', 15], ['已供应', 25]] as const);
      const dept =
        county.level === '市辖区'
          ? `${spec.city.name}自然资源和规划局${county.name}分局`
          : `${county.name}自然资源局土地利用股`;
      const place = zoneName ?? (setting === 'village' ? `${county.name}村庄建设用地` : `${county.name}城区`);
      return {
        county_code: county.code,
        name: `${place}${pad(n, 4)}号地块`,
        category,
        four_un_stage: stage,
        planned_use: use,
        area_m2: area,
        plot_ratio_min: prMin,
        plot_ratio_max: prMax,
        approval_no: approvalNo,
        approval_date: date,
        status,
        ref_price: pr ? Math.round(rng.range(pr[0], pr[1]) * 10) / 10 : null,
        zone_name: zoneName,
        contact_dept: dept,
      };
    }

    const emit = (lot: [number, number, number, number], setting: 'zone' | 'urban' | 'village' | 'conflict', zoneName: string | null) => {
      const county = countyAt((lot[0] + lot[2]) / 2, (lot[1] + lot[3]) / 2);
      if (!county) return null;
      const polygons = [[rectRing(...lot)]];
      const area = areaM2(polygons);
      if (area < 5 * MU || area > 300 * MU) return null;
      const n = next(county.code);
      const props = attributes(county, setting, zoneName, area, n);
      // the code carries the approval year, as registers number parcels by year
      const year = String(props.approval_date).slice(0, 4);
      return record('stock-parcel', { code: `CL${county.code}-${year}-${pad(n, 5)}`, props, polygons });
    };

    // urban blocks (~550 m) between streets, split into lots
    const ubLon = 0.006;
    const ubLat = 0.0048;
    const [ua, ub, uc, ud] = ringsBbox(udbRows.flatMap((r) => r.polygons.flat()));
    for (let y = ub; y < ud; y += ubLat)
      for (let x = ua; x < uc; x += ubLon) {
        const block: [number, number, number, number] = [x + 0.00015, y + 0.00012, x + ubLon - 0.00015, y + ubLat - 0.00012];
        const lots = splitLots(rng, block, () => rng.logRange(lotMin, lotMax) * MU, 0.00005);
        for (const lot of lots) {
          if (raster.classOfRect(...lot) !== C_UDB) continue;
          const c: [number, number] = [(lot[0] + lot[2]) / 2, (lot[1] + lot[3]) / 2];
          const zone = spec.devZones.find((z) => distanceM(z.center, c) < z.radiusM);
          if (!rng.chance(zone ? params.stockShare.zone : params.stockShare.urban)) continue;
          const row = emit(lot, zone ? 'zone' : 'urban', zone?.name ?? null);
          if (row) yield row;
        }
      }
    // village construction land: small lots inside village cores
    for (const v of villages) {
      const [a, b, c, d] = ringsBbox([v.ring]);
      const lots = splitLots(rng, [a, b, c, d], () => rng.logRange(...params.villageLotMu) * MU, 0.00005);
      for (const lot of lots) {
        if (raster.classOfRect(...lot) !== C_VILLAGE) continue;
        if (!rng.chance(params.stockShare.village)) continue;
        const row = emit(lot, 'village', null);
        if (row) yield row;
      }
    }
    // approvals that predate the farmland delineation: they now conflict with farmland or the red line
    const taken: [number, number, number, number][] = [];
    for (let placed = 0, tries = 0; placed < spec.conflictingStock && tries < spec.conflictingStock * 200; tries++) {
      const x = rng.range(raster.minLon, raster.maxLon);
      const y = rng.range(raster.minLat, raster.maxLat);
      const w = rng.range(90, 260) / M_PER_DEG_LON;
      const h = rng.range(90, 260) / M_PER_DEG_LAT;
      const lot: [number, number, number, number] = [x, y, x + w, y + h];
      const cls = raster.classOfRect(...lot);
      const wantRedline = placed % 10 === 9;
      if (wantRedline ? cls !== C_REDLINE : !isRural(countyRaster.classOfRect(...lot))) continue;
      if (!wantRedline) {
        // any rural land of one county, crossing fields and their margins, but no town or village
        const v = raster.classOfRect(...lot);
        if (v !== -1 && !isRural(v)) continue;
        let bad = false;
        for (let k = 0; k < 9 && !bad; k++) {
          const q = raster.at(x + (w * (k % 3)) / 2, y + (h * Math.floor(k / 3)) / 2);
          bad = !isRural(q) && q !== C_COUNTY_EDGE && q !== C_WATER_ROAD;
        }
        if (bad) continue;
      }
      if (taken.some((t) => t[0] < lot[2] + 0.001 && lot[0] < t[2] + 0.001 && t[1] < lot[3] + 0.001 && lot[1] < t[3] + 0.001)) continue;
      const row = emit(lot, 'conflict', null);
      if (!row) continue;
      taken.push(lot);
      placed++;
      yield row;
    }
  }

  // ---- encroachment polygons: most on farmland, a few in the red line, some false alarms
  function* encroachments(): Generator<FeatureRow> {
    const rng = rngs.encroach;
    const cell = 0.005;
    const grid = new Map<string, [number, number, number, number][]>();
    const seqByKey = new Map<string, number>();
    let placed = 0;
    for (let tries = 0; placed < spec.encroachments && tries < spec.encroachments * 100; tries++) {
      const kind = rng.weighted([['farmland', 70], ['redline', 6], ['other', 24]] as const);
      const p: [number, number] = [rng.range(raster.minLon, raster.maxLon), rng.range(raster.minLat, raster.maxLat)];
      const cls = raster.at(p[0], p[1]);
      const ok =
        kind === 'farmland' ? isRural(cls) : kind === 'redline' ? cls === C_REDLINE : cls === C_UDB || cls === C_VILLAGE;
      if (!ok) continue;
      const county = countyAt(p[0], p[1]);
      if (!county) continue;
      const areaTarget = rng.logRange(0.5, 30) * (10_000 / 15);
      const ring = blobRing(rng, p, Math.sqrt(areaTarget / Math.PI), rng.int(6, 10), 0.3);
      const bb = ringsBbox([ring]);
      if (ring.some(([x, y]) => countyAt(x!, y!) !== county)) continue;
      const keys: string[] = [];
      for (let gx = Math.floor(bb[0] / cell); gx <= Math.floor(bb[2] / cell); gx++)
        for (let gy = Math.floor(bb[1] / cell); gy <= Math.floor(bb[3] / cell); gy++) keys.push(`${gx}:${gy}`);
      const clash = keys.some((k) =>
        (grid.get(k) ?? []).some((t) => t[0] <= bb[2] && bb[0] <= t[2] && t[1] <= bb[3] && bb[1] <= t[3]),
      );
      if (clash) continue;
      for (const k of keys) {
        const list = grid.get(k) ?? [];
        list.push(bb);
        grid.set(k, list);
      }
      placed++;
      const source = rng.weighted([['卫片', 70], ['巡查', 20], ['举报', 10]] as const);
      const year = rng.weighted([[2024, 3], [2025, 4], [2026, 3]] as const);
      const key = `${year}${county.code}`;
      const n = (seqByKey.get(key) ?? 0) + 1;
      seqByKey.set(key, n);
      const month = year === 2026 ? rng.int(1, 10) : rng.int(1, 12);
      const polygons = [[ring]];
      yield record('encroachment', {
        code: `WP${year}${county.code}-${pad(n, 5)}`,
        props: {
          county_code: county.code,
          source,
          detected_on: `${year}-${pad(month, 2)}-${pad(rng.int(1, 28), 2)}`,
          status: '待核查',
          area_m2: areaM2(polygons),
        },
        polygons,
      });
    }
  }

  // ---- 城市紫线: the listed places, and a 文庙 by each county seat; clipped to their county
  const purpleRows: FeatureRow[] = [];
  {
    const rng = rngs.purple;
    const sites = [...spec.purpleSites];
    for (const c of counties) {
      if (c.level !== '县') continue;
      const center: [number, number] = [c.center[0] + rng.range(-0.004, 0.004), c.center[1] + rng.range(-0.003, 0.003)];
      sites.push({ name: `${c.name}文庙`, category: '历史建筑', center, radiusM: rng.range(110, 180) });
    }
    const seqByCounty = new Map<string, number>();
    for (const site of sites) {
      const county = countyAt(site.center[0], site.center[1]);
      if (!county) continue;
      const shape = turf.polygon([blobRing(rng, site.center, site.radiusM, 32, 0.15)]);
      const clipped = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([shape, toFeature(county.polygons)]));
      const polygons = roundPolygons(polygonsOf(clipped)).filter((poly) => areaM2([poly]) >= 2_000);
      if (polygons.length === 0) continue;
      const n = (seqByCounty.get(county.code) ?? 0) + 1;
      seqByCounty.set(county.code, n);
      purpleRows.push({
        code: `ZX${county.code}${pad(n, 3)}`,
        props: { county_code: county.code, name: site.name, category: site.category, area_m2: areaM2(polygons), source: SOURCES.purple, vintage: '2024' },
        polygons,
      });
    }
  }

  // ---- townships and villages: Voronoi partitions of each county (lib/admin-units.ts), built once when first read
  let adminUnits: { townships: AdminUnit[]; villages: AdminUnit[] } | null = null;
  const units = () => {
    if (!adminUnits) {
      adminUnits = { townships: [], villages: [] };
      for (const c of counties) {
        // one stream per county: a county's units do not depend on the others
        const u = countyUnits(rngs.admin.fork(Number(c.code)), { code: c.code, urban: c.level === '市辖区' && !spec.ruralDistricts.has(c.code), center: c.center, polygons: c.polygons });
        adminUnits.townships.push(...u.townships);
        adminUnits.villages.push(...u.villages);
      }
    }
    return adminUnits;
  };
  const unitRow = (u: AdminUnit): FeatureRow => ({
    code: u.code,
    props: u.townshipCode
      ? { county_code: u.countyCode, name: u.name, area_m2: u.areaM2, source: SOURCES.village, vintage: '2024' }
      : { county_code: u.countyCode, name: u.name, name_en: null, area_m2: u.areaM2, source: SOURCES.township, vintage: '2024' },
    polygons: u.polygons,
  });

  // ---- the base map (lib/basemap.ts): rivers, roads in the farmland's gaps, built-up areas, place names
  let basemapFeatures: BasemapFeature[] | null = null;
  let basemapHash = '';
  const basemap = () => {
    if (!basemapFeatures) {
      // the farmland blocks' edges, stepped as farmland() steps them
      const gridX: number[] = [];
      const gridY: number[] = [];
      for (let x = raster.minLon; x < raster.maxLon; x += 0.01) gridX.push(x);
      for (let y = raster.minLat; y < raster.maxLat; y += 0.008) gridY.push(y);
      const u = units();
      basemapFeatures = buildBasemap({
        rng: rngs.basemap,
        gridX,
        gridY,
        northEdge: smooth,
        farmable: (lon, lat) => isRural(raster.at(lon, lat)),
        cell: [raster.cellLon, raster.cellLat],
        city: spec.cityPlace,
        trunkRoads: spec.trunkRoads,
        ruralDistricts: spec.ruralDistricts,
        rivers: spec.corridors.filter((c) => c.kind === 'river').map((c) => ({ name: c.name, nameEn: c.nameEn, cls: 'river', line: c.line })),
        expressways: spec.corridors.filter((c) => c.kind === 'expressway').map((c) => ({ name: c.name, nameEn: c.nameEn, cls: 'expressway', line: c.line })),
        urban: udbRows.flatMap((r) => r.polygons),
        townCentres,
        villages,
        counties,
        townships: u.townships,
        adminVillages: u.villages,
      });
      const h = createHash('sha256');
      for (const f of basemapFeatures) h.update(`${JSON.stringify(f)}\n`);
      basemapHash = h.digest('hex');
    }
    return basemapFeatures;
  };

  const layers: { id: GeneratedLayerId; features: () => Iterable<FeatureRow> }[] = [
    { id: 'urban-boundary', features: () => udbRows.map((r) => record('urban-boundary', r)) },
    { id: 'eco-redline', features: () => redlineRows.map((r) => record('eco-redline', r)) },
    { id: 'permanent-farmland', features: () => farmland('permanent') },
    { id: 'general-farmland', features: () => farmland('general') },
    { id: 'stock-parcel', features: stockParcels },
    { id: 'encroachment', features: encroachments },
    { id: 'purple-line', features: () => purpleRows.map((r) => record('purple-line', r)) },
    { id: 'township', features: () => units().townships.map((u) => record('township', unitRow(u))) },
    { id: 'village', features: () => units().villages.map((u) => record('village', unitRow(u))) },
  ];

  return {
    counties,
    layers,
    /** Feature counts of the layers read so far. */
    counts: () => Object.fromEntries(layers.map((l) => [l.id, counts.get(l.id) ?? 0])) as Record<GeneratedLayerId, number>,
    /** The base map's features (not a layer of the registry: the offline base map's content, lib/basemap.ts). */
    basemap,
    /** Base-map features by kind and class ("road/national"). */
    basemapCounts: () => {
      const n: Record<string, number> = {};
      for (const f of basemap()) n[`${f.kind}/${f.class}`] = (n[`${f.kind}/${f.class}`] ?? 0) + 1;
      return Object.fromEntries(Object.entries(n).sort(([a], [b]) => a.localeCompare(b)));
    },
    /** SHA-256 over every feature of the layers read so far, in a fixed layer order, and the base map's. */
    checksum: () => {
      const h = createHash('sha256');
      for (const l of layers) h.update(`${l.id}:${hashes.get(l.id)?.copy().digest('hex') ?? '-'}\n`);
      basemap();
      h.update(`basemap:${basemapHash}\n`);
      return h.digest('hex');
    },
  };
}

/** One city's generated data: its layers (lazy), base map and checksum. */
export type DatasetPart = ReturnType<typeof generateRegion> & { city: City };

/**
 * Builds the dataset. Layers are produced lazily (the city scale has over a million farmland
 * fields, the province over twelve million); each has its own random stream, so the order in
 * which they are read does not change them.
 *
 * The demo and city scales are Kaifeng alone: `layers`, `basemap`, `counts` and `checksum` are
 * its part's. The province is read through `parts()`, one city after another (each city's raster
 * and features are dropped once the next is built); `counts` and `checksum` then cover the parts
 * read so far, and `layers`/`basemap` go through every city again for one layer.
 */
export function generateDataset(options: GenerateOptions) {
  const params = SCALES[options.scale];
  if (options.scale !== 'province') {
    const counties = loadCounties();
    const part: DatasetPart = {
      ...generateRegion(kaifengSpec(counties, new Rng(options.seed), options.seed * 31 + 4, params), params),
      city: KAIFENG,
    };
    const only = (cityCode: string): DatasetPart => {
      if (cityCode !== KAIFENG.code) throw new Error(`the ${options.scale} scale holds Kaifeng alone, not ${cityCode}`);
      return part;
    };
    return { scale: options.scale, seed: options.seed, ...part, parts: (): Iterable<DatasetPart> => [part], part: only };
  }

  const all = loadHenanCounties();
  const counties: County[] = all.map(({ cityCode: _, ...c }) => c);
  const areas = all.map(countyAreaM2);
  const totalM2 = areas.reduce((s, a) => s + a, 0);
  const root = new Rng(options.seed);
  // one stream per city, forked up front: a city's data does not depend on which cities are read
  const streams = HENAN_CITIES.map((c) => ({ root: root.fork(Number(c.code)), farmlandSeed: options.seed * 31 + 4 + Number(c.code) }));
  const specOf = (i: number): RegionSpec => {
    const city = HENAN_CITIES[i]!;
    const own = all.filter((c) => cityOf(c.code)?.code === city.code).map(({ cityCode: _, ...c }) => c);
    const share = all.reduce((s, c, k) => s + (cityOf(c.code)?.code === city.code ? areas[k]! : 0), 0) / totalM2;
    const { root, farmlandSeed } = streams[i]!;
    return city.code === KAIFENG.code
      ? kaifengSpec(own, root, farmlandSeed, params, share)
      : citySpec(city, own, root, farmlandSeed, params, share);
  };
  const read: { checksum: string; counts: Record<GeneratedLayerId, number> }[] = [];
  function* parts(): Generator<DatasetPart> {
    read.length = 0;
    for (let i = 0; i < HENAN_CITIES.length; i++) {
      const part: DatasetPart = { ...generateRegion(specOf(i), params), city: HENAN_CITIES[i]! };
      yield part;
      read.push({ checksum: part.checksum(), counts: part.counts() });
    }
  }
  const layerIds: GeneratedLayerId[] = ['urban-boundary', 'eco-redline', 'permanent-farmland', 'general-farmland', 'stock-parcel', 'encroachment', 'purple-line', 'township', 'village'];
  return {
    scale: options.scale,
    seed: options.seed,
    counties,
    parts,
    /** One city's part alone (the same data as parts() gives for it: each city has its own streams). */
    part: (cityCode: string): DatasetPart => {
      const i = HENAN_CITIES.findIndex((c) => c.code === cityCode);
      if (i < 0) throw new Error(`no city ${cityCode}`);
      return { ...generateRegion(specOf(i), params), city: HENAN_CITIES[i]! };
    },
    layers: layerIds.map((id) => ({
      id,
      features: function* (): Generator<FeatureRow> {
        for (let i = 0; i < HENAN_CITIES.length; i++) yield* generateRegion(specOf(i), params).layers.find((l) => l.id === id)!.features();
      },
    })),
    basemap: () => HENAN_CITIES.flatMap((_, i) => generateRegion(specOf(i), params).basemap()),
    /** Feature counts of the cities read through parts(). */
    counts: () => {
      const n = Object.fromEntries(layerIds.map((id) => [id, 0])) as Record<GeneratedLayerId, number>;
      for (const r of read) for (const id of layerIds) n[id] += r.counts[id];
      return n;
    },
    basemapCounts: () => ({}) as Record<string, number>,
    /** SHA-256 over the checksums of the cities read through parts(), in code order. */
    checksum: () => {
      const h = createHash('sha256');
      for (const [i, r] of read.entries()) h.update(`${HENAN_CITIES[i]!.code}:${r.checksum}\n`);
      return h.digest('hex');
    },
  };
}

export type GeneratedDataset = ReturnType<typeof generateDataset>;
