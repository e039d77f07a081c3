/**
 * Provenance (来源) of a site: the words for datums and datum transforms in both languages,
 * whether a site was placed approximately, and whether the file's own projected coordinates
 * (SourceCoordinates) still describe a site — reprojected with their proj4 and compared vertex
 * by vertex, to the millimetre.
 *
 * Isomorphic: proj4 only.
 */
import proj4 from 'proj4';
import { DATUM_ELLIPSOID } from './gauss-kruger.ts';
import type { CrsReading, SiteProvenance, SourceCoordinatesT } from './contracts/site-check.ts';

type Datum = CrsReading['datum'];
type DatumTransform = CrsReading['datumTransform'];

/**
 * CGCS2000 lon/lat for proj4, with a (zero) datum shift so that a source definition carrying
 * `+towgs84` is shifted on the way (proj4 shifts only between two definitions that both have one).
 */
export const CGCS2000_LONLAT = '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs';

/** How far (m) the file's coordinates, reprojected, may lie from the site's vertex: 1 mm. */
export const SOURCE_TOLERANCE_M = 0.001;

/** The datum's name as people write it. */
export const DATUM_LABEL: Record<Datum, { zh: string; en: string }> = {
  cgcs2000: { zh: '2000国家大地坐标系（CGCS2000）', en: 'CGCS2000' },
  wgs84: { zh: 'WGS84', en: 'WGS84' },
  xian80: { zh: '1980西安坐标系', en: 'Xi’an 1980' },
  beijing54: { zh: '1954北京坐标系', en: 'Beijing 1954' },
  other: { zh: '其他坐标系', en: 'another datum' },
};

/** The 坐标系= value of a 界址点 file on this datum (domain.md). */
export const BOUNDARY_POINTS_DATUM: Record<'cgcs2000' | 'xian80' | 'beijing54', string> = {
  cgcs2000: '2000国家大地坐标系',
  xian80: '1980西安坐标系',
  beijing54: '1954北京坐标系',
};

/** How the coordinates were brought to CGCS2000, in words. */
export const DATUM_TRANSFORM_LABEL: Record<DatumTransform, { zh: string; en: string }> = {
  none: { zh: '无需转换（文件即为 CGCS2000/WGS84）', en: 'none needed (the file is CGCS2000/WGS84)' },
  'file-parameters': { zh: '按文件所附七参数转换至 CGCS2000', en: 'shifted to CGCS2000 with the file’s own seven parameters' },
  'bureau-parameters': { zh: '按本局配置的七参数转换至 CGCS2000', en: 'shifted to CGCS2000 with the bureau’s seven parameters' },
  approximate: {
    zh: '未经转换参数，按近似位置放置（误差可达数十米），规划人员已确认接受',
    en: 'no shift parameters: placed approximately (off by tens of metres), accepted by the planner',
  },
};

/** A file that declared no coordinate system: its numbers were taken as CGCS2000 (CRS_UNDECLARED). */
export const DATUM_ASSUMED_LABEL = {
  zh: '文件未声明坐标系，按 CGCS2000 处理（若实为 1954 北京或 1980 西安坐标系，位置可差数十米）',
  en: 'the file declares no coordinate system; read as CGCS2000 (if it is Beijing 1954 or Xi’an 1980, the position is tens of metres off)',
};

/** Whether the server vouches for a filed provenance (the report page and exports print it). */
export const VERIFIED_TEXT = {
  verified: { zh: '来源信息经服务器核验：与服务器解析文件时签发的一致', en: 'The provenance was verified by the server: it is what the server signed when it parsed the file' },
  unverified: { zh: '来源信息未经服务器核验', en: 'The provenance was not verified by the server' },
} as const;

/** The warning code of an approximate placement the planner accepted. */
export const DATUM_APPROXIMATE = 'DATUM_APPROXIMATE';

/** The site was placed approximately: a local datum without shift parameters, accepted by the planner. */
export function isApproximate(p: Pick<SiteProvenance, 'confirmed' | 'warnings'> | null | undefined): boolean {
  if (!p) return false;
  return p.confirmed?.datumTransform === 'approximate' || p.warnings.some((w) => w.code === DATUM_APPROXIMATE);
}

/** The same site, none of it left out: a provenance for a site drawn on the map. */
/**
 * A site drawn on the map that makes no claim about a file — no name, coordinate system, warnings
 * or source coordinates — has nothing to sign or verify: it is recorded as the submitter states,
 * not flagged as a failed verification.
 */
export function isPlainDrawn(p: Pick<SiteProvenance, 'format' | 'fileName' | 'detected' | 'confirmed' | 'source' | 'warnings'> & { signature?: unknown }): boolean {
  return p.format === 'drawn' && !p.signature && p.fileName === null && p.detected === null && p.confirmed === null && p.source === null && p.warnings.length === 0;
}

export function drawnProvenance(): SiteProvenance {
  return { fileName: null, format: 'drawn', detected: null, detectionRefused: null, confirmed: null, overrides: {}, warnings: [], source: null, edited: false };
}

type Polygons = number[][][][];
type SiteLike = { type: string; coordinates: unknown };

const polygonsOf = (g: SiteLike): Polygons => (g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as Polygons));

/** The source's polygons side by side, feature after feature (as the client joins parsed features into one site). */
export function sourcePolygons(source: SourceCoordinatesT): Polygons {
  return source.geometries.flatMap((g) => (g ? polygonsOf(g) : []));
}

/** Metres between two lon/lat positions this close together (local plane on the ellipsoid: good to < 0.1 % at 1 mm). */
function metresApart(a: number[], b: number[]): number {
  const lat = ((a[1]! + b[1]!) / 2) * (Math.PI / 180);
  // radii of curvature of GRS80 at this latitude
  const A = 6378137;
  const e2 = 0.00669438002290;
  const w = Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  const n = A / w; // prime vertical
  const m = (A * (1 - e2)) / w ** 3; // meridian
  const dx = ((a[0]! - b[0]!) * Math.PI) / 180 * n * Math.cos(lat);
  const dy = ((a[1]! - b[1]!) * Math.PI) / 180 * m;
  return Math.hypot(dx, dy);
}

export type SourceComparison =
  | { matches: true; maxDeviationM: number }
  | { matches: false; reason: 'structure'; zh: string; en: string }
  | { matches: false; reason: 'distance'; maxDeviationM: number; zh: string; en: string }
  | { matches: false; reason: 'proj4'; zh: string; en: string };

/**
 * Whether the file's own coordinates describe this site: the same polygons, rings and vertex
 * counts in the same order, every vertex reprojected (source.proj4 → CGCS2000) within 1 mm.
 */
export function compareSource(source: SourceCoordinatesT, site: SiteLike): SourceComparison {
  const theirs = sourcePolygons(source);
  const ours = polygonsOf(site);
  const sameShape =
    theirs.length === ours.length &&
    theirs.every((p, i) => p.length === ours[i]!.length && p.every((r, j) => r.length === ours[i]![j]!.length));
  if (!sameShape) {
    return {
      matches: false,
      reason: 'structure',
      zh: '原始坐标与提交的选址不一致（多边形、环或点数不同）',
      en: 'the source coordinates do not have the submitted site’s polygons, rings and vertices',
    };
  }
  let convert: (p: number[]) => number[];
  try {
    const converter = proj4(source.proj4, CGCS2000_LONLAT);
    convert = (p) => converter.forward([p[0]!, p[1]!]);
  } catch {
    return { matches: false, reason: 'proj4', zh: '原始坐标的投影定义（proj4）无法解析', en: 'the source coordinates’ proj4 definition cannot be read' };
  }
  const unusable: SourceComparison = { matches: false, reason: 'proj4', zh: '原始坐标无法按其投影定义（proj4）换算到 CGCS2000', en: 'the source coordinates cannot be reprojected to CGCS2000 with their proj4 definition' };
  let max = 0;
  for (const [i, poly] of theirs.entries()) {
    for (const [j, ring] of poly.entries()) {
      for (const [k, p] of ring.entries()) {
        // proj4 may accept a definition it cannot apply (a missing grid, a projection's
        // parameters out of range) and throw only here: such a source does not match
        let back: number[];
        try {
          back = convert(p);
        } catch {
          return unusable;
        }
        const d = metresApart(back, ours[i]![j]![k]!);
        if (!Number.isFinite(d)) return unusable;
        if (d > max) max = d;
      }
    }
  }
  if (max > SOURCE_TOLERANCE_M) {
    const mm = (max * 1000).toFixed(max < 1 ? 1 : 0);
    return {
      matches: false,
      reason: 'distance',
      maxDeviationM: max,
      zh: `原始坐标换算后与提交的选址最大相差 ${mm} 毫米（超过 1 毫米）`,
      en: `the source coordinates, reprojected, lie up to ${mm} mm from the submitted site (more than 1 mm)`,
    };
  }
  return { matches: true, maxDeviationM: max };
}

/** A proj4 definition's parameters, `+k=v` (or a bare `+flag` as true). */
export function proj4Params(def: string): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const token of def.trim().split(/\s+/)) {
    const m = /^\+([^=]+)(?:=(.*))?$/.exec(token);
    if (m) out.set(m[1]!, m[2] ?? true);
  }
  return out;
}

/**
 * The Gauss–Krüger zone of a source definition (transverse Mercator, scale 1 on the central
 * meridian, latitude of origin 0, false easting n·10⁶ + 500 000 or 500 000), or undefined for
 * any other projection (UTM, Web Mercator …).
 */
export function sourceZone(source: SourceCoordinatesT, hint: { zone?: number; zoneWidth?: 3 | 6 } = {}): { zone: number; zoneWidth: 3 | 6; zonePrefix: boolean } | undefined {
  const p = proj4Params(source.proj4);
  if (p.get('proj') !== 'tmerc') return undefined;
  const num = (k: string, dflt: number) => {
    const v = p.get(k);
    return typeof v === 'string' ? Number(v) : dflt;
  };
  const k = num('k_0', num('k', 1));
  const lat0 = num('lat_0', 0);
  const cm = num('lon_0', NaN);
  const x0 = num('x_0', 0);
  const y0 = num('y_0', 0);
  if (Math.abs(k - 1) > 1e-12 || lat0 !== 0 || y0 !== 0 || !Number.isFinite(cm)) return undefined;
  const u = p.get('units');
  if (u !== undefined && u !== 'm') return undefined;
  const rest = x0 - 500_000;
  if (Math.abs(rest - Math.round(rest / 1_000_000) * 1_000_000) > 1e-6) return undefined;
  const prefixZone = Math.round(rest / 1_000_000);
  const widths: (3 | 6)[] = hint.zoneWidth ? [hint.zoneWidth, hint.zoneWidth === 3 ? 6 : 3] : [3, 6];
  for (const w of widths) {
    const zone = w === 3 ? cm / 3 : (cm + 3) / 6;
    if (!Number.isInteger(zone)) continue;
    if (prefixZone !== 0 && prefixZone !== zone) continue;
    return { zone, zoneWidth: w, zonePrefix: prefixZone !== 0 };
  }
  return undefined;
}

/**
 * The source definition moved to another Gauss–Krüger zone on the same datum (ellipsoid and
 * shift kept): the file's coordinate system in the zone asked for.
 */
export function sourceInZone(source: SourceCoordinatesT, zone: { zone: number; zoneWidth: 3 | 6; zonePrefix: boolean }): string {
  const cm = zone.zoneWidth === 3 ? 3 * zone.zone : 6 * zone.zone - 3;
  const x0 = zone.zonePrefix ? zone.zone * 1_000_000 + 500_000 : 500_000;
  const kept = [...proj4Params(source.proj4)].filter(([k]) => !['proj', 'lon_0', 'x_0', 'y_0', 'lat_0', 'k', 'k_0', 'units', 'no_defs'].includes(k));
  return [`+proj=tmerc +lat_0=0 +lon_0=${cm} +k=1 +x_0=${x0} +y_0=0`, ...kept.map(([k, v]) => (v === true ? `+${k}` : `+${k}=${v}`)), '+units=m +no_defs'].join(' ');
}

/** Ellipsoids of the local datums, for a site placed approximately without source coordinates. */
export const LOCAL_ELLIPSOID: Record<'beijing54' | 'xian80', string> = DATUM_ELLIPSOID;

const FORMAT_LABEL: Record<SiteProvenance['format'], { zh: string; en: string }> = {
  drawn: { zh: '在地图上绘制', en: 'Drawn on the map' },
  geojson: { zh: 'GeoJSON', en: 'GeoJSON' },
  shapefile: { zh: 'Shapefile（zip）', en: 'Shapefile (zip)' },
  'boundary-points': { zh: '界址点坐标文件', en: 'Boundary-point file' },
  kml: { zh: 'KML', en: 'KML' },
  coordinates: { zh: '粘贴的坐标', en: 'Pasted coordinates' },
};

const AXIS_LABEL: Record<CrsReading['axisOrder'], { zh: string; en: string }> = {
  lonlat: { zh: '经度、纬度', en: 'lon, lat' },
  'northing-easting': { zh: 'X 北坐标、Y 东坐标', en: 'X northing, Y easting' },
};

/** A reading in one line: "EPSG:2414 Beijing 1954 / 3-degree Gauss-Kruger zone 38". */
export function crsText(r: CrsReading | null): string {
  if (!r) return '—';
  return [r.crs, r.crsName && r.crsName !== r.crs ? r.crsName : '', r.epsg !== undefined && !r.crs.includes(String(r.epsg)) ? `(EPSG:${r.epsg})` : ''].filter(Boolean).join(' ');
}

/** One line of a provenance as the report and its exports print it. */
export interface ProvenanceRow {
  /** Stable key (data-field on the page). */
  key: string;
  label: string;
  value: string;
  /** Printed in red: an approximate placement the planner accepted. */
  alert?: boolean;
}

/** The overrides in words, e.g. "带号 38；坐标顺序 yx". */
function overridesText(o: SiteProvenance['overrides'], lang: 'zh' | 'en'): string {
  const zh = lang === 'zh';
  const parts: string[] = [];
  if (o.crs) parts.push(`${zh ? '坐标系' : 'CRS'} ${o.crs}`);
  if (o.zone !== undefined) parts.push(`${zh ? '带号' : 'zone'} ${o.zone}`);
  if (o.zoneWidth !== undefined) parts.push(`${zh ? '分带' : 'zone width'} ${o.zoneWidth}°`);
  if (o.axisOrder) parts.push(`${zh ? '坐标顺序' : 'axis order'} ${o.axisOrder}`);
  if (o.encoding) parts.push(`${zh ? '编码' : 'encoding'} ${o.encoding.toUpperCase()}`);
  if (o.acceptApproximateDatum) parts.push(zh ? '接受近似位置' : 'approximate placement accepted');
  return parts.length ? parts.join(zh ? '；' : '; ') : zh ? '无（按自动识别）' : 'none (as detected)';
}

/**
 * A filed provenance as label–value lines in one language: file, format, detected and confirmed
 * CRS, zone, axis order, encoding, datum and how it was brought to CGCS2000, overrides, every
 * accepted warning (an approximate placement flagged `alert`), the source coordinates' fate.
 */
export function provenanceRows(p: import('./contracts/site-check.ts').SiteProvenanceRecord, lang: 'zh' | 'en'): ProvenanceRow[] {
  const zh = lang === 'zh';
  const c = p.confirmed;
  const v = p.verification;
  const rows: ProvenanceRow[] = [
    {
      key: 'verification',
      label: zh ? '来源核验' : 'Verification',
      value: v ? (zh ? v.zh : v.en) : zh ? `${VERIFIED_TEXT.unverified.zh}（报告生成于来源签名功能上线之前）` : `${VERIFIED_TEXT.unverified.en} (filed before provenances were signed)`,
      // a plain drawn site has nothing to verify: not a failed verification
      alert: !v?.verified && !isPlainDrawn(p),
    },
    { key: 'fileName', label: zh ? '原始文件' : 'Original file', value: p.fileName ?? (p.format === 'drawn' ? (zh ? '（无：在地图上绘制）' : '(none: drawn on the map)') : zh ? '（粘贴的文本）' : '(pasted text)') },
    { key: 'format', label: zh ? '格式' : 'Format', value: FORMAT_LABEL[p.format][lang] },
  ];
  if (p.format !== 'drawn') {
    rows.push({
      key: 'detectedCrs',
      label: zh ? '识别的坐标系' : 'Detected CRS',
      value: p.detected ? crsText(p.detected) : p.detectionRefused ? (zh ? `未能自动识别：${p.detectionRefused.zh}` : `not detected: ${p.detectionRefused.en}`) : '—',
    });
    rows.push({ key: 'confirmedCrs', label: zh ? '采用的坐标系' : 'Confirmed CRS', value: crsText(c) });
    if (c?.zone !== undefined) rows.push({ key: 'zone', label: zh ? '带号' : 'Zone', value: zh ? `${c.zone}（${c.zoneWidth ?? 3}°带）` : `${c.zone} (${c.zoneWidth ?? 3}° zone)` });
    if (c) rows.push({ key: 'axisOrder', label: zh ? '坐标顺序' : 'Axis order', value: AXIS_LABEL[c.axisOrder][lang] });
    if (c?.encoding) rows.push({ key: 'encoding', label: zh ? '编码' : 'Encoding', value: c.encoding.toUpperCase() });
    if (c) {
      rows.push({ key: 'datum', label: zh ? '大地基准' : 'Datum', value: DATUM_LABEL[c.datum][lang] });
      rows.push({ key: 'datumTransform', label: zh ? '换算至 CGCS2000' : 'To CGCS2000', value: c.datumAssumed && c.datumTransform === 'none' ? DATUM_ASSUMED_LABEL[lang] : DATUM_TRANSFORM_LABEL[c.datumTransform][lang], alert: c.datumTransform === 'approximate' });
    }
    rows.push({ key: 'overrides', label: zh ? '人工修改的识别' : 'Overrides', value: overridesText(p.overrides, lang) });
  }
  if (p.edited) rows.push({ key: 'edited', label: zh ? '上传后修改' : 'Edited after upload', value: zh ? '是：选址在上传后于地图上修改过' : 'yes: the site was changed on the map after upload' });
  p.warnings.forEach((w, i) =>
    rows.push({ key: `warning-${i}`, label: zh ? '已接受的提示' : 'Accepted warning', value: zh ? `${w.zh}（${w.code}）` : `${w.en} (${w.code})`, alert: w.code === DATUM_APPROXIMATE }),
  );
  if (p.format !== 'drawn' && p.warnings.length === 0) rows.push({ key: 'warnings', label: zh ? '已接受的提示' : 'Accepted warnings', value: zh ? '无' : 'none' });
  rows.push({ key: 'source', label: zh ? '原始坐标' : 'Source coordinates', value: `${p.source ? `${p.source.crs}${p.source.epsg !== undefined && !p.source.crs.includes(String(p.source.epsg)) ? ` (EPSG:${p.source.epsg})` : ''}${zh ? '：' : ': '}` : ''}${zh ? p.sourceCheck.zh : p.sourceCheck.en}` });
  return rows;
}
