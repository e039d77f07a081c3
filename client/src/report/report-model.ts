/**
 * What the report page needs besides React: loading and validating the filed report, the
 * page's words (report-side keys of i18n.ts), the export links, and the geometries each map
 * figure draws. Figures are written by format.ts.
 */
import { SiteCheckReport } from '../../../core/contracts/site-check.ts';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import { getJson } from '../http.ts';
import type { Lang } from '../i18n.ts';

export type Report = SiteCheckReport;
export type LayerOverlap = Report['layers'][number];
export type VerdictStatus = Report['verdicts'][number]['status'];

/** Reads a filed report from the server and checks it against the contract. */
export const fetchReport = (id: string, lang: Lang): Promise<Report> =>
  getJson(`/api/site-checks/${encodeURIComponent(id)}`, { lang, schema: SiteCheckReport });

const words = {
  title: { zh: '建设项目选址套核报告', en: 'Site check report' },
  reportId: { zh: '报告编号', en: 'Report' },
  basics: { zh: '基本信息', en: 'Project' },
  name: { zh: '项目名称', en: 'Project name' },
  use: { zh: '规划用途', en: 'Planned use' },
  time: { zh: '套核时间', en: 'Checked at' },
  beijing: { zh: '北京时间', en: 'Beijing time' },
  dataVersion: { zh: '数据版本', en: 'Data version' },
  hash: { zh: '内容校验码（SHA-256）', en: 'Content hash (SHA-256)' },
  siteArea: { zh: '选址面积', en: 'Site area' },
  buffer: { zh: '外扩分析距离', en: 'Analysis buffer' },
  analysedArea: { zh: '分析范围面积', en: 'Analysed area' },
  repair: { zh: '几何修复', en: 'Geometry repair' },
  notGiven: { zh: '（未填写）', en: '(not given)' },
  stockFirst: { zh: '存量优先套核', en: 'Stock land first' },
  stockUse: { zh: '套核用途', en: 'Matched for' },
  stockNeed: { zh: '需求面积', en: 'Area needed' },
  stockNone: { zh: '未找到符合条件的存量地块。', en: 'No stock parcel fits.' },
  stockRank: { zh: '排名', en: 'Rank' },
  stockOffer: { zh: '方案', en: 'Offer' },
  stockParcels: { zh: '地块', en: 'Parcels' },
  stockTotal: { zh: '合计面积', en: 'Total area' },
  stockScore: { zh: '评分', en: 'Score' },
  stockDistance: { zh: '距选址', en: 'From the site' },
  offer_single: { zh: '单宗地块', en: 'Single parcel' },
  offer_combination: { zh: '组合供应', en: 'Combination' },
  newLandReason: { zh: '继续新增用地理由', en: 'Reason for new land' },
  newLandNote: { zh: '理由说明', en: 'Explanation' },
  stockFirstNote: {
    zh: '按规划用途和选址面积在选址附近套核存量土地图库（可供应、不占永久基本农田和生态保护红线的地块，含相邻地块组合供应），列出得分最高的方案；评分满分 100（面积匹配、用途兼容、区位、供应条件）。',
    en: 'The stock-land library was matched for the planned use and the site area near the site (available parcels clear of permanent farmland and the red line, and adjacent parcels together); the best-scoring options are listed, scored out of 100 (area fit, use, distance, availability).',
  },
  verdicts: { zh: '套核结论', en: 'Verdicts' },
  rule: { zh: '规则', en: 'Rule' },
  status: { zh: '结论', en: 'Verdict' },
  message: { zh: '说明', en: 'Finding' },
  ruleText: { zh: '规则依据', en: 'The rule' },
  overall_conflict: { zh: '存在冲突：选址不能按一般建设项目报批。', en: 'Conflict: the site cannot be approved as an ordinary project.' },
  overall_warn: { zh: '需关注：选址须满足下列条件后方可报批。', en: 'Attention: the site needs the conditions below.' },
  overall_pass: { zh: '通过：选址未涉及控制线冲突。', en: 'Pass: the site meets every control-line rule.' },
  siteMap: { zh: '选址位置图', en: 'Site map' },
  overlay: { zh: '叠加分析', en: 'Overlay analysis' },
  layer: { zh: '图层', en: 'Layer' },
  involved: { zh: '是否涉及', en: 'Involved' },
  yes: { zh: '是', en: 'yes' },
  no: { zh: '否', en: 'no' },
  count: { zh: '图斑数', en: 'Features' },
  share: { zh: '占比', en: 'Share' },
  inside: { zh: '其中：边界内', en: 'of which inside' },
  outside: { zh: '其中：边界外', en: 'of which outside' },
  layerFigures: { zh: '分图层叠加图', en: 'Overlap by layer' },
  features: { zh: '涉及图斑明细', en: 'Features overlapped' },
  code: { zh: '图斑编号', en: 'Patch number' },
  attributes: { zh: '属性', en: 'Attributes' },
  overlapArea: { zh: '重叠面积', en: 'Overlap area' },
  noFeatures: { zh: '选址未涉及任何图斑。', en: 'The site overlaps no feature.' },
  trimmed: { zh: '合规范围', en: 'Compliant part' },
  trimmedNote: { zh: '选址扣除永久基本农田和生态保护红线后的部分。', en: 'The site without permanent farmland and the ecological red line.' },
  trimmedArea: { zh: '合规范围面积', en: 'Compliant area' },
  lostArea: { zh: '扣除面积', en: 'Area removed' },
  noTrimmed: { zh: '扣除后没有剩余部分。', en: 'Nothing is left after trimming.' },
  coarseNote: {
    zh: '公众版报告：受控图层（永久基本农田、一般耕地、生态保护红线）只给出是否涉及和按 {step} 亩取整的面积，不列图斑及其个数，也不绘出其范围；完整报告须规划人员登录查看。',
    en: 'Public version: for restricted layers (permanent farmland, general farmland, the red line) only whether the site touches them and the area rounded to {step} mu are given — no features, no feature count, no outline; the full report needs a planner to sign in.',
  },
  lapses: { zh: '本报告为未登录时所做的套核，保存至', en: 'A check made without signing in, kept until' },
  lapsesAfter: { zh: '，之后删除。', en: '; deleted after that.' },
  notShown: { zh: '—', en: '—' },
  featuresWithheld: { zh: '受控图层（永久基本农田、一般耕地、生态保护红线）的图斑不在公众版报告中列出。', en: 'Features of restricted layers (permanent farmland, general farmland, the red line) are not listed in the public version.' },
  areaNote: {
    zh: '面积均为 CGCS2000 椭球面积；1 公顷 = 10 000 平方米 = 15 亩。叠加结果依据报告生成时的数据版本，报告保存后不可修改。',
    en: 'Areas are ellipsoidal on CGCS2000; 1 ha = 10 000 m² = 15 mu. Overlaps are those of the data version at filing; the report cannot be altered.',
  },
  legendSite: { zh: '选址范围', en: 'Site' },
  legendOutside: { zh: '城镇开发边界外部分', en: 'Outside the urban boundary' },
  legendCounty: { zh: '县级行政区界', en: 'County boundary' },
  legendUdb: { zh: '城镇开发边界', en: 'Urban development boundary' },
  north: { zh: '北', en: 'N' },
  overview: { zh: '区位图', en: 'Location' },
  exports: { zh: '导出', en: 'Export' },
  excel: { zh: 'Excel 表格', en: 'Excel' },
  geojson: { zh: 'GeoJSON', en: 'GeoJSON' },
  shapefile: { zh: 'Shapefile（ZIP）', en: 'Shapefile (zip)' },
  boundaryPoints: { zh: '界址点坐标文件', en: 'Boundary-point file' },
  zone: { zh: '3 度带带号', en: '3° zone' },
  prefix: { zh: '带号前缀', en: 'Zone prefix' },
  exportDatum: { zh: '坐标系', en: 'Datum' },
  datumSource: { zh: '原坐标系', en: 'The file’s own' },
  datumCgcs2000: { zh: '2000国家大地坐标系', en: 'CGCS2000' },
  encoding: { zh: '编码', en: 'Encoding' },
  print: { zh: '打印 / 另存为 PDF', en: 'Print / save as PDF' },
  backToMap: { zh: '返回地图', en: 'Back to the map' },
  language: { zh: 'English', en: '中文' },
  loading: { zh: '正在读取报告…', en: 'Loading the report…' },
  loadFailed: { zh: '报告读取失败：', en: 'Could not load the report: ' },
  provenance: { zh: '选址来源', en: 'Where the site came from' },
  provenanceNone: { zh: '来源未记录（套核请求未附来源信息，或报告生成于来源记录功能上线之前）。', en: 'Not recorded (the check was filed without a provenance, or before provenance was recorded).' },
  provenanceNote: {
    zh: '来源信息随报告保存并计入内容校验码；“原始坐标”为上传文件中的投影坐标，仅当其换算后与选址各顶点相差不超过 1 毫米时保存，界址点导出在原文件的带号下直接采用。',
    en: 'The provenance is filed with the report and covered by its content hash; the source coordinates are the uploaded file’s projected coordinates, kept only while they lie within 1 mm of every vertex of the site, and the boundary-point export uses them in the file’s own zone.',
  },
  approximateAlert: {
    zh: '近似位置：本选址来自未经转换参数的地方坐标系（1954北京/1980西安）文件，规划人员确认按近似位置接受，位置误差可达数十米，套核结论须据此审慎使用。',
    en: 'Approximate placement: the site came from a local-datum (Beijing 1954 / Xi’an 1980) file without shift parameters, accepted by the planner as an approximate placement; it may be off by tens of metres, and the verdicts must be read with that in mind.',
  },
  mapLoading: { zh: '地图加载中…', en: 'Loading the map…' },
} as const;

export type WordKey = keyof typeof words;

/** A word of the page in a language. */
export const word = (lang: Lang, key: WordKey): string => words[key][lang];

/** Verdict statuses as the page prints them (shared with the panel and the Excel export). */
export { STATUS_LABEL } from '../../../core/rules.ts';

/** The worst status of a report's verdicts. */
export function overallStatus(report: Report): VerdictStatus {
  const s = report.verdicts.map((v) => v.status);
  return s.includes('conflict') ? 'conflict' : s.includes('warn') ? 'warn' : 'pass';
}

/** A stock candidate's distance from the site: "850 m", "1.2 km". */
export { distanceText } from '../../../core/stock-first.ts';

/** A layer's name in a language. */
export const layerName = (l: LayerOverlap, lang: Lang) => (lang === 'zh' ? l.nameZh : l.nameEn);

/** The registry label of a feature attribute. */
export function attributeLabel(layerId: string, name: string, lang: Lang): string {
  const a = getLayer(layerId)?.attributes.find((x) => x.name === name);
  return a ? (lang === 'zh' ? a.labelZh : a.labelEn) : name;
}

/** The export links of a report. */
export function exportLinks(id: string, zone: number, encoding: 'gbk' | 'utf-8', opts: { prefix?: boolean; datum?: 'source' | 'cgcs2000' } = {}) {
  const base = `/api/site-checks/${encodeURIComponent(id)}`;
  return {
    xlsx: `${base}/export.xlsx`,
    geojson: `${base}/export.geojson`,
    zip: `${base}/export.zip`,
    boundaryPoints: `${base}/boundary-points.txt?zone=${zone}&zoneWidth=3&prefix=${opts.prefix ?? true}&encoding=${encoding}${opts.datum === 'cgcs2000' ? '&datum=cgcs2000' : ''}`,
  };
}

/**
 * What the 界址点 export starts from for a report: the zone and prefix of the file the site came
 * from (a 3° zone), else zone 38 with the prefix; and whether the site is on a local datum that
 * may also be exported in CGCS2000 (shifted with seven parameters, not placed approximately).
 */
export function boundaryPointsDefaults(report: Report): { zone: number; prefix: boolean; localDatum: 'beijing54' | 'xian80' | null; cgcs2000Allowed: boolean } {
  const p = report.provenance;
  const c = p?.confirmed;
  const zone = c?.zone !== undefined && (c.zoneWidth ?? 3) === 3 && ZONES_3.includes(c.zone) ? c.zone : 38;
  const g = p?.source?.geometries.find((x) => x);
  const first = g ? (g.type === 'Polygon' ? g.coordinates[0]?.[0] : g.coordinates[0]?.[0]?.[0]) : undefined;
  const prefix = first ? first[0]! >= 1_000_000 : true;
  const localDatum = c && (c.datum === 'beijing54' || c.datum === 'xian80') ? c.datum : null;
  return { zone, prefix, localDatum, cgcs2000Allowed: !!localDatum && c!.datumTransform !== 'approximate' && !p!.warnings.some((w) => w.code === 'DATUM_APPROXIMATE') };
}

/** The 3° zones of CGCS2000 Gauss–Krüger (25–45); Henan lies in 37–39. */
export const ZONES_3: number[] = Array.from({ length: 21 }, (_, i) => 25 + i);

type Geo = { type: string; coordinates: unknown[] };
export type Bbox = [number, number, number, number];

/** [minLon, minLat, maxLon, maxLat] of a geometry. */
export function bboxOf(g: Geo): Bbox {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1]);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return b;
}

/** What one map figure draws: the site, overlaps (coloured by layer), the outside part, the trimmed part. */
export interface FigureContent {
  site: Geo;
  overlaps: { layerId: LayerId; geometry: Geo }[];
  outside: Geo | null;
  trimmed: Geo | null;
}

const asFeature = (geometry: Geo, properties: Record<string, string> = {}): GeoJSON.Feature => ({
  type: 'Feature',
  properties,
  geometry: geometry as GeoJSON.Geometry,
});

/** A figure's content as GeoJSON FeatureCollections, one a source. */
export function figureSources(c: FigureContent): Record<'site' | 'overlaps' | 'outside' | 'trimmed', GeoJSON.FeatureCollection> {
  return {
    site: { type: 'FeatureCollection', features: [asFeature(c.site)] },
    overlaps: { type: 'FeatureCollection', features: c.overlaps.map((o) => asFeature(o.geometry, { layerId: o.layerId })) },
    outside: { type: 'FeatureCollection', features: c.outside ? [asFeature(c.outside)] : [] },
    trimmed: { type: 'FeatureCollection', features: c.trimmed ? [asFeature(c.trimmed)] : [] },
  };
}

/** The main figure: everything the site touches. */
export function mainFigure(report: Report): FigureContent {
  return {
    site: report.site.geometry,
    overlaps: report.layers.filter((l) => l.intersection && l.layerId !== 'urban-boundary').map((l) => ({ layerId: l.layerId as LayerId, geometry: l.intersection! })),
    outside: report.layers.find((l) => l.outsideGeometry)?.outsideGeometry ?? null,
    trimmed: null,
  };
}

/** One figure a layer the site touches. */
export function layerFigure(report: Report, l: LayerOverlap): FigureContent {
  return {
    site: report.site.geometry,
    overlaps: l.intersection ? [{ layerId: l.layerId as LayerId, geometry: l.intersection }] : [],
    outside: l.outsideGeometry ?? null,
    trimmed: null,
  };
}

/** The trimmed (compliant) part of the site. */
export function trimmedFigure(report: Report): FigureContent {
  return { site: report.site.geometry, overlaps: [], outside: null, trimmed: report.trimmed.geometry };
}
